"""App config for the demo data loader."""

from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "toolcrm.demo"
    label = "demo"
    verbose_name = "Demo data"
