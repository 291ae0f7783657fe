"""Enumerations of the sales domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderChannel(models.TextChoices):
    POS = "pos", _("门店POS")
    ECOMMERCE = "ecommerce", _("电商")
    MINIPROGRAM = "miniprogram", _("小程序")
    B2B = "b2b", _("大客户")


class OrderStatus(models.TextChoices):
    COMPLETED = "completed", _("已完成")
    PARTIALLY_RETURNED = "partially_returned", _("部分退货")
    RETURNED = "returned", _("已退货")
    CANCELLED = "cancelled", _("已取消")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("现金")
    WECHAT_PAY = "wechat_pay", _("微信支付")
    ALIPAY = "alipay", _("支付宝")
    BANK_CARD = "bank_card", _("银行卡")
    ACCOUNT_CREDIT = "account_credit", _("挂账")
    INSTALMENT = "instalment", _("分期")
