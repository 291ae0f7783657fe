"""Enumerations of the rentals domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitStatus(models.TextChoices):
    AVAILABLE = "available", _("可出借")
    LENT = "lent", _("已借出")
    MAINTENANCE = "maintenance", _("维修保养")
    RETIRED = "retired", _("已报废")
    SOLD = "sold", _("已转售")


class UnitCondition(models.TextChoices):
    NEW = "new", _("全新")
    GOOD = "good", _("良好")
    WORN = "worn", _("有磨损")
    DAMAGED = "damaged", _("损坏")


class AgreementKind(models.TextChoices):
    RENTAL = "rental", _("租赁")
    TRIAL = "trial", _("试用")


class AgreementStatus(models.TextChoices):
    OPEN = "open", _("借出中")
    OVERDUE = "overdue", _("已逾期")
    RETURNED = "returned", _("已归还")
    CONVERTED = "converted", _("已转购买")
    CANCELLED = "cancelled", _("已取消")


OUTSTANDING_STATUSES = (AgreementStatus.OPEN, AgreementStatus.OVERDUE)


class DepositMethod(models.TextChoices):
    CASH = "cash", _("现金")
    WECHAT_PAY = "wechat_pay", _("微信支付")
    ALIPAY = "alipay", _("支付宝")
    BANK_CARD = "bank_card", _("银行卡预授权")
