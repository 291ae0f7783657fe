"""Property: for any sequence of earn / redeem / adjust / expire / return operations the cached
balance equals the ledger sum, every lot's consumption stays within the lot, and the balance
never goes negative."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import CustomerFactory, OrderFactory, UserFactory
from toolcrm.core.roles import Role
from toolcrm.loyalty.models import LotConsumption, LoyaltyAccount, PointsEntry
from toolcrm.loyalty.services import points
from toolcrm.sales.models import Return

operations = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), st.integers(1, 3000), st.integers(0, 900)),
        st.tuples(st.just("redeem"), st.integers(1, 40), st.just(0)),
        st.tuples(st.just("adjust"), st.integers(-2000, 2000), st.just(0)),
        st.tuples(st.just("return"), st.integers(0, 10), st.integers(1, 100)),
        st.tuples(st.just("expire"), st.integers(0, 900), st.just(0)),
    ),
    min_size=1,
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
def test_balance_always_equals_the_ledger(store_a, ops):  # type: ignore[no-untyped-def]
    with transaction.atomic():
        manager = UserFactory(role=Role.STORE_MANAGER, store=store_a)
        customer = CustomerFactory(home_store=store_a)
        orders = []
        for kind, a, b in ops:
            try:
                if kind == "earn":
                    order = OrderFactory(
                        customer=customer,
                        store=store_a,
                        total=Decimal(a),
                        subtotal=Decimal(a),
                        ordered_at=timezone.now() - timedelta(days=b),
                    )
                    orders.append(order)
                    points.earn_for_order(order_id=order.pk)
                elif kind == "redeem":
                    points.redeem_points(user=manager, customer=customer, points=a * 100)
                elif kind == "adjust" and a:
                    points.adjust_points(user=manager, customer=customer, points=a, reason="测试")
                elif kind == "return" and orders:
                    order = orders[a % len(orders)]
                    Return.objects.create(
                        order=order,
                        store=store_a,
                        reason="退货",
                        refund_amount=(order.total * b / 100).quantize(Decimal("0.01")),
                        returned_at=timezone.now(),
                    )
                    points.reverse_for_returns(order_id=order.pk)
                elif kind == "expire":
                    points.expire_points(now=timezone.now() + timedelta(days=a))
            except ValidationError:
                pass  # a refused operation (overdraw) writes nothing
            account = LoyaltyAccount.objects.filter(pk=customer.pk).first()
            if account is None:
                continue
            assert account.points_balance == points.ledger_sum(customer.pk)
            assert account.points_balance >= 0
            for lot in PointsEntry.objects.filter(account=account, points__gt=0):
                used = LotConsumption.objects.filter(lot=lot).aggregate(s=Sum("points"))["s"] or 0
                assert 0 <= used <= lot.points
            negative = PointsEntry.objects.filter(account=account, points__lt=0)
            for entry in negative:
                taken = LotConsumption.objects.filter(entry=entry).aggregate(s=Sum("points"))["s"]
                assert taken == -entry.points
        transaction.set_rollback(True)
