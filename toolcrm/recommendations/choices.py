"""Enumerations of the recommendations domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BasketScope(models.TextChoices):
    """What one basket is when rules are mined: one order, or a customer's whole history."""

    ORDER = "order", _("同一订单")
    CUSTOMER = "customer", _("同一客户")


class RuleLevel(models.TextChoices):
    PRODUCT = "product", _("商品")
    CATEGORY = "category", _("品类")


class RecommendationSource(models.TextChoices):
    ACCESSORY = "accessory", _("名下工具的配件")
    CO_PURCHASE = "co_purchase", _("同单搭配")
    PROPENSITY = "propensity", _("品类倾向")


class SendChannel(models.TextChoices):
    """Channels a list can be sent on; each needs the customer's marketing consent for it."""

    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")
    EMAIL = "email", _("邮件")
