"""Audit-log registration for staff accounts: role, store, region and activation changes."""

from auditlog.registry import auditlog


def register() -> None:
    from toolcrm.accounts.models import User

    auditlog.register(
        User,
        include_fields=[
            "username",
            "role",
            "store",
            "region",
            "is_active",
            "is_staff",
            "is_superuser",
            "display_name",
        ],
        m2m_fields={"groups", "user_permissions"},
    )
