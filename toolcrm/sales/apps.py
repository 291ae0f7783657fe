"""App config for sales."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    name = "toolcrm.sales"
    label = "sales"
    verbose_name = _("销售")
