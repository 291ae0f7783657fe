"""Reads of loyalty data for the 360 panel, the ledger page, the API and the settings pages.

Every customer-facing read starts from ``customers.selectors.get_customer_for`` (404 outside the
user's scope) in the view; these functions take the customer that call returned."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import QuerySet
from django.utils import timezone

from toolcrm.customers.models import Customer
from toolcrm.loyalty.choices import CouponStatus, Tier
from toolcrm.loyalty.conf import loyalty_settings
from toolcrm.loyalty.models import (
    Coupon,
    CouponTemplate,
    LoyaltyAccount,
    PointsEntry,
    TierBenefit,
    TierChange,
)
from toolcrm.loyalty.services.accounts import next_tier, rolling_spend, spend_customer_ids

RECENT_ENTRIES = 5


@dataclass
class LoyaltySummary:
    customer: Customer
    account: LoyaltyAccount | None
    tier: str
    tier_label: str
    benefit: TierBenefit | None
    spend_12m: Decimal
    next_tier: str = ""
    next_tier_label: str = ""
    next_threshold: Decimal | None = None
    to_next: Decimal = Decimal("0")
    progress_percent: int = 100
    review_on: date | None = None
    points_balance: int = 0
    points_value: Decimal = Decimal("0")
    pooled_into: Customer | None = None
    pooled_members: list[Customer] = field(default_factory=list)
    recent_entries: list[PointsEntry] = field(default_factory=list)
    usable_coupons: list[Coupon] = field(default_factory=list)
    recently_redeemed: list[Coupon] = field(default_factory=list)
    referral_code: str = ""
    referred_by: Customer | None = None


def usable_coupons(customer: Customer) -> QuerySet[Coupon]:
    now = timezone.now()
    return (
        Coupon.objects.filter(customer=customer, status=CouponStatus.ISSUED, valid_until__gte=now)
        .select_related("template")
        .order_by("valid_until", "pk")
    )


def loyalty_summary(*, customer: Customer) -> LoyaltySummary:
    """Tier and progress, points, recent ledger rows, usable coupons, referral and pooling."""
    settings_ = loyalty_settings()
    account = (
        LoyaltyAccount.objects.select_related("pooled_into", "referred_by")
        .filter(pk=customer.pk)
        .first()
    )
    tier = account.tier if account else Tier.STANDARD.value
    benefit = TierBenefit.objects.filter(tier=tier).first()
    # Only a company account can have a crew pooled into it.
    spend_ids = spend_customer_ids(customer.pk) if customer.is_company else [customer.pk]
    spend = rolling_spend(spend_ids)
    summary = LoyaltySummary(
        customer=customer,
        account=account,
        tier=tier,
        tier_label=str(Tier(tier).label),
        benefit=benefit,
        spend_12m=spend,
    )
    upcoming = next_tier(tier)
    if upcoming:
        threshold = settings_.tier_thresholds[upcoming]
        summary.next_tier = upcoming
        summary.next_tier_label = str(Tier(upcoming).label)
        summary.next_threshold = threshold
        summary.to_next = max(threshold - spend, Decimal("0"))
        summary.progress_percent = min(100, int(spend * 100 / threshold)) if threshold else 100
    if account is not None:
        summary.review_on = account.review_on
        summary.points_balance = account.points_balance
        summary.points_value = Decimal(account.points_balance) / settings_.points_per_cny_redeemed
        summary.pooled_into = account.pooled_into
        summary.referral_code = account.referral_code
        summary.referred_by = account.referred_by
        summary.recent_entries = list(
            account.entries.select_related("member").order_by("-created_at", "-pk")[:RECENT_ENTRIES]
        )
    if customer.is_company:
        summary.pooled_members = list(
            Customer.objects.filter(loyalty_account__pooled_into=customer).order_by("name")[:20]
        )
    summary.usable_coupons = list(usable_coupons(customer)[:10])
    summary.recently_redeemed = list(
        Coupon.objects.filter(customer=customer, status=CouponStatus.REDEEMED)
        .select_related("template")
        .order_by("-redeemed_at", "-pk")[:3]
    )
    return summary


def ledger(*, customer: Customer) -> QuerySet[PointsEntry]:
    return (
        PointsEntry.objects.filter(account_id=customer.pk)
        .select_related("member", "order", "created_by")
        .order_by("-created_at", "-pk")
    )


def customer_coupons(*, customer: Customer) -> QuerySet[Coupon]:
    return (
        Coupon.objects.filter(customer=customer)
        .select_related("template", "redeemed_store")
        .order_by("-issued_at", "-pk")
    )


def tier_history(*, customer: Customer) -> QuerySet[TierChange]:
    return TierChange.objects.filter(customer=customer).order_by("-changed_at", "-pk")


def issuable_templates() -> QuerySet[CouponTemplate]:
    now = timezone.now()
    return (
        CouponTemplate.objects.filter(is_active=True)
        .exclude(valid_until__lt=now)
        .order_by("name", "pk")
    )


def all_templates() -> QuerySet[CouponTemplate]:
    return CouponTemplate.objects.select_related("category", "brand").order_by("-is_active", "name")


def tier_benefits() -> list[TierBenefit]:
    rows = {row.tier: row for row in TierBenefit.objects.all()}
    return [rows[tier] for tier in Tier.values if tier in rows]


def tier_benefit_for(*, customer_id: int) -> TierBenefit | None:
    """The benefits a customer's current tier gives (for rentals' free days, repairs' priority);
    a customer without an account is 普通."""
    tier = (
        LoyaltyAccount.objects.filter(pk=customer_id).values_list("tier", flat=True).first()
        or Tier.STANDARD.value
    )
    return TierBenefit.objects.filter(tier=tier).first()


def company_choices(*, visible: QuerySet[Customer]) -> QuerySet[Customer]:
    return visible.filter(kind="company").order_by("name")
