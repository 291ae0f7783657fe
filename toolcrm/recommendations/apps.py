"""App config for recommendations."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "toolcrm.recommendations"
    label = "recommendations"
    verbose_name = _("推荐")
