"""App config for integrations."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "toolcrm.integrations"
    label = "integrations"
    verbose_name = _("数据集成")
