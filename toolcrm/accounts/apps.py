"""App config for accounts."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "toolcrm.accounts"
    label = "accounts"
    verbose_name = _("员工与权限")

    def ready(self) -> None:
        from toolcrm.accounts import audit

        audit.register()
