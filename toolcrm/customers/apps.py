"""App config for customers."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "toolcrm.customers"
    label = "customers"
    verbose_name = _("客户")

    def ready(self) -> None:
        from toolcrm.customers import audit

        audit.register()
