"""Enumerations of the tags domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TagKind(models.TextChoices):
    RULE = "rule", _("规则标签")
    BEHAVIOUR = "behaviour", _("行为标签")
    PREDICTIVE = "predictive", _("预测标签")
