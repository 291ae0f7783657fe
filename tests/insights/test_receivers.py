"""A committed sale rescores its customer at once (through the sales → insights signal)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory, OrderFactory, ProductFactory
from toolcrm.core.roles import Role
from toolcrm.insights.models import CustomerScore
from toolcrm.sales.services import OrderInput, OrderLineInput, create_order


def _order_input(store, customer_id, external_id="POS-RESCORE-1"):  # type: ignore[no-untyped-def]
    return OrderInput(
        channel="pos",
        external_id=external_id,
        store=store.code,
        customer_id=customer_id,
        lines=[OrderLineInput(sku="BITS-9", quantity=2)],
    )


@pytest.fixture
def bits(db):  # type: ignore[no-untyped-def]
    return ProductFactory(sku="BITS-9", price=Decimal("25.00"), is_power_tool=False)


@pytest.mark.django_db
def test_a_new_order_rescores_its_customer_after_commit(
    store_a, make_user, bits, django_capture_on_commit_callbacks
):
    clerk = make_user(Role.CLERK)
    customer = CustomerFactory(home_store=store_a)
    OrderFactory(customer=customer, ordered_at=timezone.now() - timedelta(days=100))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        create_order(user=clerk, data=_order_input(store_a, customer.pk))

    assert len(callbacks) == 1
    score = CustomerScore.objects.get(customer=customer)
    assert score.frequency == 2
    assert score.recency_days == 0


@pytest.mark.django_db
def test_replays_and_walk_in_sales_queue_nothing(
    store_a, make_user, bits, django_capture_on_commit_callbacks
):
    clerk = make_user(Role.CLERK)
    customer = CustomerFactory(home_store=store_a)
    create_order(user=clerk, data=_order_input(store_a, customer.pk))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        create_order(user=clerk, data=_order_input(store_a, customer.pk))  # replay
        create_order(user=clerk, data=_order_input(store_a, None, external_id="POS-WALKIN"))

    assert callbacks == []


@pytest.mark.django_db
def test_a_batch_of_orders_rescores_its_customers_in_one_task(
    store_a, make_user, bits, django_capture_on_commit_callbacks, monkeypatch
):
    from toolcrm.insights import receivers, tasks
    from toolcrm.sales.signals import batched_order_signals

    clerk = make_user(Role.CLERK)
    first, second = CustomerFactory(home_store=store_a), CustomerFactory(home_store=store_a)
    batches: list[list[int]] = []

    class Recording:
        @staticmethod
        def enqueue(ids):  # type: ignore[no-untyped-def]
            batches.append(ids)
            return tasks.refresh_customers.enqueue(ids)

    monkeypatch.setattr(receivers, "refresh_customers", Recording)

    with django_capture_on_commit_callbacks(execute=True), batched_order_signals():
        for number, customer in enumerate([first, second, first]):
            create_order(user=clerk, data=_order_input(store_a, customer.pk, f"POS-BATCH-{number}"))

    assert batches == [sorted([first.pk, second.pk])]
    assert CustomerScore.objects.get(customer=first).frequency == 2
    assert CustomerScore.objects.get(customer=second).frequency == 1
