"""Background jobs of the loyalty app. Each takes ids (or nothing), calls a service and is
idempotent: a rerun writes nothing new. The daily ones are listed in ``settings.SCHEDULE``."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from toolcrm.loyalty.conf import loyalty_settings
from toolcrm.loyalty.services import accounts, points, programme
from toolcrm.sales.models import Return


@task()
def process_order(order_id: int) -> None:
    """After a committed order: upgrade, earn points, reward a referral."""
    programme.process_order(order_id=order_id)


@task()
def process_orders(order_ids: list[int]) -> None:
    """The same for a chunk of orders announced in one batch (an import chunk)."""
    for order_id in sorted(order_ids):
        programme.process_order(order_id=order_id)


@task()
def reverse_points_for_order(order_id: int) -> bool:
    """After a committed return: take back the refunded share of the order's points now. The
    reversal is cumulative and keyed, so the daily sweep after it writes nothing."""
    return points.reverse_for_returns(order_id=order_id) is not None


@task()
def sync_merges(customer_ids: list[int]) -> int:
    """After a committed merge or undo: move points, coupons and tier history accordingly."""
    return programme.sync_merges(customer_ids=customer_ids)


@task()
def review_tiers() -> int:
    """Daily: the yearly review of every account whose review date has come."""
    return accounts.review_due_accounts()


@task()
def expire_points() -> int:
    """Daily: expire what is left of lots past their date."""
    return points.expire_points()


@task()
def issue_birthday_coupons() -> int:
    """Daily: today's birthday coupons (once per member and year)."""
    return programme.issue_birthday_coupons()


@task()
def reverse_points_for_returns() -> int:
    """Daily safety net: take back points for returns of the last days. ``record_return``
    already queues ``reverse_points_for_order`` on commit; the reversal is cumulative, so this
    sweep (or a rerun) writes nothing for a return that was settled then."""
    since = timezone.now() - timedelta(days=loyalty_settings().return_window_days)
    order_ids = sorted(
        set(Return.objects.filter(returned_at__gte=since).values_list("order_id", flat=True))
    )
    return sum(1 for pk in order_ids if points.reverse_for_returns(order_id=pk) is not None)
