"""App config for the cross-cutting core."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "toolcrm.core"
    label = "core"
    verbose_name = "ToolCRM core"
