"""The loyalty jobs in ``settings.SCHEDULE`` exist, run, and a second run writes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from toolcrm.loyalty import tasks
from toolcrm.loyalty.models import PointsEntry
from toolcrm.sales.models import Return

pytestmark = pytest.mark.django_db


def test_daily_jobs_are_scheduled():
    paths = {path for _name, path, _at in settings.SCHEDULE if path.startswith("toolcrm.loyalty")}
    assert paths == {
        "toolcrm.loyalty.tasks.expire_points",
        "toolcrm.loyalty.tasks.review_tiers",
        "toolcrm.loyalty.tasks.reverse_points_for_returns",
        "toolcrm.loyalty.tasks.issue_birthday_coupons",
    }
    for path in paths:
        assert hasattr(import_string(path), "enqueue")


def test_the_return_sweep_reverses_recent_returns_once(member, place_order):
    order = place_order(member, "400")
    Return.objects.create(
        order=order,
        store=order.store,
        reason="退货",
        refund_amount=Decimal("100.00"),
        returned_at=timezone.now() - timedelta(days=1),
    )
    tasks.reverse_points_for_returns.enqueue()
    tasks.reverse_points_for_returns.enqueue()
    assert list(PointsEntry.objects.filter(kind="reverse").values_list("points", flat=True)) == [
        -100
    ]


def test_daily_jobs_are_idempotent(member, place_order):
    place_order(member, "300", days_ago=800)
    for job in (tasks.expire_points, tasks.review_tiers, tasks.issue_birthday_coupons):
        job.enqueue()
    written = PointsEntry.objects.count()
    for job in (tasks.expire_points, tasks.review_tiers, tasks.issue_birthday_coupons):
        job.enqueue()
    assert PointsEntry.objects.count() == written == 2  # the earn and its expiry
