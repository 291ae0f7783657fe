"""Member accounts and tiers: creating an account with its referral code, rolling 12-month
spend, the immediate upgrade after an order and the yearly review (the only downgrade)."""

from __future__ import annotations

import secrets
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from toolcrm.loyalty.choices import TIER_ORDER, Tier, TierChangeReason, tier_rank
from toolcrm.loyalty.conf import loyalty_settings
from toolcrm.loyalty.models import LoyaltyAccount, TierChange
from toolcrm.sales.choices import OrderStatus
from toolcrm.sales.models import Order, Return

# No 0/O, 1/I/L: codes are read aloud at the counter and typed from paper.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERRAL_CODE_LENGTH = 8


def new_code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def add_months(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the month's last day when it is shorter)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise ValueError(moment)


def add_years(day: date, years: int = 1) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


def ensure_account(customer_id: int) -> LoyaltyAccount:
    """The customer's account, created (with a fresh referral code) on first use."""
    account = LoyaltyAccount.objects.filter(pk=customer_id).first()
    if account is not None:
        return account
    for _attempt in range(5):
        try:
            with transaction.atomic():
                account, _created = LoyaltyAccount.objects.get_or_create(
                    customer_id=customer_id,
                    defaults={"referral_code": new_code(REFERRAL_CODE_LENGTH)},
                )
            return account
        except IntegrityError:  # a referral code collision (1 in 10^11): draw again
            continue
    raise RuntimeError("could not draw a unique referral code")


def lock_account(customer_id: int) -> LoyaltyAccount:
    """The account row locked for this transaction (created first when missing)."""
    ensure_account(customer_id)
    return LoyaltyAccount.objects.select_for_update().get(pk=customer_id)


def spend_customer_ids(customer_id: int) -> list[int]:
    """Whose orders count for this account's tier: its own, plus pooled crew members' when it is
    a company account (a contractor's team buys on one account)."""
    members = LoyaltyAccount.objects.filter(pooled_into_id=customer_id).values_list(
        "customer_id", flat=True
    )
    return [customer_id, *members]


def rolling_spend(customer_ids: list[int], *, now: datetime | None = None) -> Decimal:
    """Net spend (order totals minus refunds, cancelled orders excluded) in the window."""
    now = now or timezone.now()
    since = now - timedelta(days=loyalty_settings().spend_window_days)
    refunds = (
        Return.objects.filter(order=OuterRef("pk"))
        .values("order")
        .annotate(amount=Sum("refund_amount"))
        .values("amount")
    )
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        Order.objects.filter(
            customer_id__in=customer_ids, ordered_at__gte=since, ordered_at__lte=now
        )
        .exclude(status=OrderStatus.CANCELLED)
        .annotate(refunded=Coalesce(Subquery(refunds, output_field=money), Value(Decimal(0))))
        .values_list("total", "refunded")
    )
    return sum((max(total - refunded, Decimal(0)) for total, refunded in rows), Decimal("0.00"))


def tier_for_spend(spend: Decimal) -> str:
    thresholds = loyalty_settings().tier_thresholds
    reached = Tier.STANDARD.value
    for tier in TIER_ORDER:
        if spend >= thresholds.get(tier, Decimal("Infinity")):
            reached = tier
    return reached


def next_tier(tier: str) -> str | None:
    rank = tier_rank(tier)
    return TIER_ORDER[rank + 1] if rank + 1 < len(TIER_ORDER) else None


def _set_tier(
    account: LoyaltyAccount, tier: str, *, reason: str, spend: Decimal, now: datetime
) -> TierChange:
    today = timezone.localdate(now)
    change = TierChange.objects.create(
        customer_id=account.pk,
        from_tier=account.tier,
        to_tier=tier,
        reason=reason,
        spend_12m=spend,
        changed_at=now,
    )
    account.tier = tier
    account.tier_since = today
    account.review_on = None if tier == Tier.STANDARD else add_years(today)
    account.save(update_fields=["tier", "tier_since", "review_on"])
    return change


@transaction.atomic
def upgrade_if_due(*, customer_id: int, now: datetime | None = None) -> TierChange | None:
    """Raise the tier at once when the rolling spend reaches a higher threshold; never lower
    it (that is the yearly review's job). Idempotent."""
    now = now or timezone.now()
    account = lock_account(customer_id)
    spend = rolling_spend(spend_customer_ids(customer_id), now=now)
    reached = tier_for_spend(spend)
    if tier_rank(reached) <= tier_rank(account.tier):
        return None
    return _set_tier(account, reached, reason=TierChangeReason.UPGRADE, spend=spend, now=now)


@transaction.atomic
def review_account(*, customer_id: int, now: datetime | None = None) -> TierChange | None:
    """The yearly review of one account, when its review date has come: the tier becomes the one
    the last 12 months' spend justifies (down, or up), and the next review is a year later."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    account = lock_account(customer_id)
    if account.review_on is None or account.review_on > today:
        return None
    spend = rolling_spend(spend_customer_ids(customer_id), now=now)
    reached = tier_for_spend(spend)
    if reached != account.tier:
        return _set_tier(account, reached, reason=TierChangeReason.REVIEW, spend=spend, now=now)
    review_on = account.review_on
    while review_on <= today:
        review_on = add_years(review_on)
    account.review_on = review_on
    account.save(update_fields=["review_on"])
    return None


def review_due_accounts(*, now: datetime | None = None) -> int:
    """Every account whose review date has come (the daily scheduled run); returns changes."""
    now = now or timezone.now()
    due = LoyaltyAccount.objects.filter(review_on__lte=timezone.localdate(now)).values_list(
        "pk", flat=True
    )
    return sum(1 for pk in list(due) if review_account(customer_id=pk, now=now) is not None)
