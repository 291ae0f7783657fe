"""Audit-log registration for customers, contacts and consents. Encrypted columns are excluded
(their blind index is logged instead) so the audit trail holds no plaintext PII."""

from auditlog.registry import auditlog


def register() -> None:
    from toolcrm.customers.models import CompanyContact, Consent, Customer

    auditlog.register(Customer, exclude_fields=["phone", "phone_secondary", "id_card_no"])
    auditlog.register(CompanyContact, exclude_fields=["phone"])
    auditlog.register(Consent)
