"""Loyalty tables: tier benefits, one account per member, tier history, the append-only points
ledger with its lot consumptions, coupon templates and issued coupons, and merge transfers.

The points ledger (``PointsEntry``) and its FIFO lot consumptions (``LotConsumption``) are
append-only: ``save`` refuses to update a stored row and ``delete`` refuses always, as do their
querysets' ``update``/``delete``; corrections are new rows. The account's ``points_balance`` is a
cache of the ledger sum, written only by ``services.points`` under ``select_for_update`` in the
same transaction as the entry, and never negative (a database check).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toolcrm.loyalty.choices import (
    CouponKind,
    CouponSource,
    CouponStatus,
    EntryKind,
    Tier,
    TierChangeReason,
)


class AppendOnlyError(Exception):
    """A ledger row was about to be changed or deleted."""


class AppendOnlyQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("ledger rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ledger rows are append-only")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("ledger rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("ledger rows are append-only")


class TierBenefit(models.Model):
    tier = models.CharField(_("等级"), max_length=10, choices=Tier.choices, unique=True)
    points_multiplier = models.DecimalField(
        _("积分倍率"), max_digits=4, decimal_places=2, default=Decimal("1.00")
    )
    discount_percent = models.DecimalField(
        _("会员折扣（%）"), max_digits=4, decimal_places=1, default=Decimal("0")
    )
    free_rental_days = models.PositiveIntegerField(_("每年免费租借天数"), default=0)
    has_priority_repair = models.BooleanField(_("优先维修"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("等级权益")
        verbose_name_plural = _("等级权益")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points_multiplier__gt=0, points_multiplier__lte=10),
                name="benefit_multiplier_range",
            ),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lt=100),
                name="benefit_discount_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_tier_display())


class LoyaltyAccount(models.Model):
    """A customer's membership: tier, review date, cached points balance, referral code and,
    for a crew member, the company account their points are pooled into."""

    customer = models.OneToOneField(
        "customers.Customer",
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="loyalty_account",
    )
    tier = models.CharField(_("等级"), max_length=10, choices=Tier.choices, default=Tier.STANDARD)
    tier_since = models.DateField(_("等级生效日"), null=True, blank=True)
    review_on = models.DateField(_("下次评定日"), null=True, blank=True)
    points_balance = models.IntegerField(_("积分余额"), default=0)
    referral_code = models.CharField(_("推荐码"), max_length=12, unique=True)
    referred_by = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("推荐人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referral_rewarded_at = models.DateTimeField(_("推荐奖励发放时间"), null=True, blank=True)
    pooled_into = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("积分归集到企业账户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pooled_members",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会员账户")
        verbose_name_plural = _("会员账户")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(points_balance__gte=0), name="account_balance_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["review_on"], name="account_review_idx"),
            models.Index(fields=["pooled_into"], name="account_pool_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.tier}"


class TierChange(models.Model):
    """Tier history: one row per change (moved with a merge, so not append-only)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tier_changes"
    )
    from_tier = models.CharField(_("原等级"), max_length=10, choices=Tier.choices)
    to_tier = models.CharField(_("新等级"), max_length=10, choices=Tier.choices)
    reason = models.CharField(_("原因"), max_length=12, choices=TierChangeReason.choices)
    spend_12m = models.DecimalField(_("近12个月消费"), max_digits=14, decimal_places=2)
    changed_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("等级变动")
        verbose_name_plural = _("等级变动")
        indexes = [models.Index(fields=["customer", "-changed_at"], name="tierchange_cust_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.from_tier}→{self.to_tier}"


class PointsEntry(AppendOnlyModel):
    """One ledger row. Positive rows are lots (they may expire); negative rows consume lots
    first-in first-out (``LotConsumption``). ``idempotency_key`` makes every automatic write
    (earning for an order, expiring a lot, a merge transfer) happen at most once."""

    account = models.ForeignKey(
        LoyaltyAccount, on_delete=models.PROTECT, related_name="entries", verbose_name=_("账户")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=EntryKind.choices)
    points = models.IntegerField(_("积分"))
    created_at = models.DateTimeField(_("时间"))
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    order = models.ForeignKey(
        "sales.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    member = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("消费成员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reversal_due = models.IntegerField(
        _("应扣回积分"),
        default=0,
        help_text=_("退货扣回：本行结清的订单积分（余额不足时大于实扣）"),
    )
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Annotated by ``services.points.open_lots``: points of this lot not yet consumed.
    remaining: int

    class Meta:
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        constraints = [
            # A reversal may take 0 points (balance empty) and still record what it wrote off.
            models.CheckConstraint(
                condition=~models.Q(points=0) | models.Q(kind="reverse"),
                name="entry_points_not_zero",
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="entry_account_idx"),
            models.Index(fields=["order", "kind"], name="entry_order_idx"),
            models.Index(fields=["expires_at"], name="entry_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.kind} {self.points:+d}"


class LotConsumption(AppendOnlyModel):
    """How many points of a lot (a positive entry) a negative entry used."""

    lot = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="consumptions")
    entry = models.ForeignKey(PointsEntry, on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("积分批次扣减")
        verbose_name_plural = _("积分批次扣减")
        constraints = [
            models.CheckConstraint(condition=models.Q(points__gt=0), name="consumption_positive")
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} -{self.points}"


class CouponTemplate(models.Model):
    code = models.SlugField(_("模板编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=12, choices=CouponKind.choices)
    amount_off = models.DecimalField(
        _("减免金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    percent_off = models.DecimalField(
        _("折扣（减免%）"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    min_spend = models.DecimalField(
        _("最低消费"), max_digits=14, decimal_places=2, default=Decimal("0")
    )
    category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("限定品类"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    brand = models.ForeignKey(
        "catalog.Brand",
        verbose_name=_("限定品牌"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_days = models.PositiveIntegerField(_("领取后有效天数"), default=30)
    valid_from = models.DateTimeField(_("活动开始"), null=True, blank=True)
    valid_until = models.DateTimeField(_("活动结束"), null=True, blank=True)
    per_customer_limit = models.PositiveIntegerField(_("每人限领"), default=1)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("优惠券模板")
        verbose_name_plural = _("优惠券模板")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="amount_off", amount_off__gt=0, percent_off__isnull=True)
                    | models.Q(
                        kind="percent_off",
                        percent_off__gt=0,
                        percent_off__lt=100,
                        amount_off__isnull=True,
                    )
                ),
                name="template_kind_value",
            ),
            models.CheckConstraint(
                condition=models.Q(min_spend__gte=0), name="template_min_spend_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Coupon(models.Model):
    """One issued coupon. ``status`` moves issued → redeemed (or void) once, by a conditional
    update, so two counters redeeming one code at the same moment cannot both succeed."""

    code = models.CharField(_("券码"), max_length=12, unique=True)
    template = models.ForeignKey(
        CouponTemplate, on_delete=models.PROTECT, related_name="coupons", verbose_name=_("模板")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="coupons"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=CouponStatus.choices, default=CouponStatus.ISSUED
    )
    source = models.CharField(_("来源"), max_length=10, choices=CouponSource.choices)
    issued_at = models.DateTimeField(_("发放时间"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    valid_from = models.DateTimeField(_("生效时间"))
    valid_until = models.DateTimeField(_("失效时间"))
    issue_key = models.CharField(max_length=80, unique=True, null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    redeemed_at = models.DateTimeField(_("核销时间"), null=True, blank=True)
    redeemed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    redeemed_store = models.ForeignKey(
        "stores.Store", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    basket_amount = models.DecimalField(
        _("订单金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    discount_amount = models.DecimalField(
        _("抵扣金额"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    order_reference = models.CharField(_("关联单号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("优惠券")
        verbose_name_plural = _("优惠券")
        indexes = [
            models.Index(fields=["customer", "status", "valid_until"], name="coupon_customer_idx"),
            models.Index(fields=["template", "customer"], name="coupon_template_idx"),
        ]

    def __str__(self) -> str:
        return self.display_code

    @property
    def display_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class MergeTransfer(models.Model):
    """What loyalty moved for one customer merge, so its undo can move exactly that back."""

    merge_id = models.PositiveIntegerField(unique=True)
    survivor = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    coupon_ids = models.JSONField(default=list)
    tier_change_ids = models.JSONField(default=list)
    survivor_tier_before = models.CharField(max_length=10, choices=Tier.choices)
    points_moved = models.IntegerField(default=0)
    transferred_at = models.DateTimeField()
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("合并转移")
        verbose_name_plural = _("合并转移")

    def __str__(self) -> str:
        return f"merge {self.merge_id}"
