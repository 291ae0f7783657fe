"""Enumerations of the loyalty domain."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """Member tiers, lowest first (their order is their rank)."""

    STANDARD = "standard", _("普通")
    SILVER = "silver", _("银卡")
    GOLD = "gold", _("金卡")
    DIAMOND = "diamond", _("钻石")


TIER_ORDER: tuple[str, ...] = tuple(Tier.values)


def tier_rank(tier: str) -> int:
    return TIER_ORDER.index(tier)


class TierChangeReason(models.TextChoices):
    UPGRADE = "upgrade", _("消费升级")
    REVIEW = "review", _("年度评定")
    MERGE = "merge", _("客户合并")
    MERGE_UNDO = "merge_undo", _("撤销合并")


class EntryKind(models.TextChoices):
    EARN = "earn", _("消费得积分")
    REDEEM = "redeem", _("积分抵扣")
    EXPIRE = "expire", _("积分过期")
    REVERSE = "reverse", _("退货扣回")
    ADJUST = "adjust", _("人工调整")
    MERGE_IN = "merge_in", _("合并转入")
    MERGE_OUT = "merge_out", _("合并转出")


class CouponKind(models.TextChoices):
    AMOUNT_OFF = "amount_off", _("满减券")
    PERCENT_OFF = "percent_off", _("折扣券")


class CouponStatus(models.TextChoices):
    ISSUED = "issued", _("未使用")
    REDEEMED = "redeemed", _("已使用")
    VOID = "void", _("已作废")


class CouponSource(models.TextChoices):
    STAFF = "staff", _("员工发放")
    CAMPAIGN = "campaign", _("营销活动")
    REFERRAL = "referral", _("推荐奖励")
    BIRTHDAY = "birthday", _("生日礼")
