"""The demo's loyalty phase writes what the services would: balances equal to the ledger, lot
consumptions that add up, tiers with their history, coupons used and expiring, referrals and
one pooled company. (The phase runs here on factory data; tests/demo loads the whole demo.)"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from tests.factories import CustomerFactory, OrderFactory
from toolcrm.demo.generators.loyalty import build_loyalty
from toolcrm.demo.generators.writer import BulkWriter
from toolcrm.loyalty.models import Coupon, LotConsumption, LoyaltyAccount, PointsEntry, TierChange
from toolcrm.sales.models import Return

pytestmark = pytest.mark.django_db


def test_demo_loyalty_phase_is_consistent(store_a):
    rng = random.Random(3)
    now = timezone.now()
    company = CustomerFactory(kind="company", name="宏达装修工程有限公司", home_store=store_a)
    people = [CustomerFactory(home_store=store_a) for _ in range(60)]
    for customer in [company, *people]:
        for _ in range(rng.randint(1, 6)):
            total = Decimal(rng.choice([80, 300, 1200, 4800, 9000]))
            order = OrderFactory(
                customer=customer,
                store=store_a,
                total=total,
                subtotal=total,
                ordered_at=now - timedelta(days=rng.randint(1, 760)),
            )
            if rng.random() < 0.1:
                Return.objects.create(
                    order=order,
                    store=store_a,
                    reason="退货",
                    refund_amount=total / 2,
                    returned_at=order.ordered_at + timedelta(days=3),
                )
    writer = BulkWriter()
    build_loyalty(rng=random.Random(42), now=now, writer=writer)
    writer.flush()

    sums = dict(
        PointsEntry.objects.values("account_id")
        .annotate(total=Sum("points"))
        .values_list("account_id", "total")
    )
    accounts = list(LoyaltyAccount.objects.all())
    assert len(accounts) == 61
    assert all(a.points_balance == sums.get(a.pk, 0) >= 0 for a in accounts)
    taken = dict(
        LotConsumption.objects.values("entry_id")
        .annotate(total=Sum("points"))
        .values_list("entry_id", "total")
    )
    for entry in PointsEntry.objects.filter(points__lt=0):
        assert taken[entry.pk] == -entry.points
    assert PointsEntry.objects.filter(kind="reverse").exists()
    assert PointsEntry.objects.filter(kind="expire").exists()  # lots older than 24 months
    upgraded = [a for a in accounts if a.tier != "standard"]
    assert upgraded and all(a.review_on for a in upgraded)
    assert TierChange.objects.filter(customer_id__in=[a.pk for a in upgraded]).count() >= len(
        upgraded
    )
    pooled = [a for a in accounts if a.pooled_into_id]
    assert {a.pooled_into_id for a in pooled} == {company.pk}
    assert PointsEntry.objects.filter(member_id=pooled[0].pk, account_id=company.pk).exists()
    assert Coupon.objects.filter(status="redeemed").exists()
    soon = now + timedelta(days=4)
    assert Coupon.objects.filter(status="issued", valid_until__lte=soon).exists()
    assert Coupon.objects.filter(source="referral").count() >= 2
    assert LoyaltyAccount.objects.filter(referred_by__isnull=False).exists()
