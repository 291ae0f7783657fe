"""App config for stores."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "toolcrm.stores"
    label = "stores"
    verbose_name = _("门店")
