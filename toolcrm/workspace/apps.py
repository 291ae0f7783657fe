"""App config for the staff workspace."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "toolcrm.workspace"
    label = "workspace"
    verbose_name = _("工作台")
