"""Enumerations of the insights domain: lifecycle stages and RFM segments."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LifecycleStage(models.TextChoices):
    NEW = "new", _("新客")
    ACTIVE = "active", _("活跃")
    AT_RISK = "at_risk", _("流失风险")
    DORMANT = "dormant", _("沉睡")
    LOST = "lost", _("已流失")
    WON_BACK = "won_back", _("已召回")


class RfmSegment(models.TextChoices):
    """The eight classic RFM segments: each of R, F, M is "high" at a quintile score of 3 or
    more; monetary decides 重要 (important) vs 一般 (general)."""

    IMPORTANT_VALUE = "important_value", _("重要价值客户")
    IMPORTANT_DEVELOP = "important_develop", _("重要发展客户")
    IMPORTANT_RETAIN = "important_retain", _("重要保持客户")
    IMPORTANT_WINBACK = "important_winback", _("重要挽留客户")
    GENERAL_VALUE = "general_value", _("一般价值客户")
    GENERAL_DEVELOP = "general_develop", _("一般发展客户")
    GENERAL_RETAIN = "general_retain", _("一般保持客户")
    GENERAL_WINBACK = "general_winback", _("一般挽留客户")
