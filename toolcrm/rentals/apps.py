"""App config for rentals (tool rental and trial loans)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RentalsConfig(AppConfig):
    name = "toolcrm.rentals"
    label = "rentals"
    verbose_name = _("工具租借与试用")
