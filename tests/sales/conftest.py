"""Fixtures of the returns tests (service, views, API): one POS order of store A for a
customer of store A — two drills with serial numbers and a 50 CNY line discount (1,148.00) and
three packs of bits (37.50), 1,185.50 in all — recorded through ``create_order`` after commit, so
it has earned its loyalty points."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from tests.factories import CustomerFactory, ProductFactory
from toolcrm.core.roles import Role
from toolcrm.sales.models import Order
from toolcrm.sales.services import OrderInput, OrderLineInput, create_order


@pytest.fixture
def return_customer(store_a):  # type: ignore[no-untyped-def]
    return CustomerFactory(name="退货客户", home_store=store_a)


@pytest.fixture
def returnable_order(  # type: ignore[no-untyped-def]
    db, store_a, make_user, return_customer, django_capture_on_commit_callbacks
) -> Order:
    # The loyalty programme rows the data migration seeds (a transactional test may have
    # flushed them).
    importlib.import_module("toolcrm.loyalty.migrations.0002_seed_programme").seed(
        django_apps, None
    )
    ProductFactory(sku="RET-DRILL", price=Decimal("599.00"), is_power_tool=True)
    ProductFactory(sku="RET-BITS", price=Decimal("12.50"), is_power_tool=False)
    with django_capture_on_commit_callbacks(execute=True):
        order, _created = create_order(
            user=make_user(Role.CLERK, username="seller"),
            data=OrderInput(
                channel="pos",
                external_id="POS-RET-1",
                store=store_a.code,
                customer_id=return_customer.pk,
                lines=[
                    OrderLineInput(
                        sku="RET-DRILL",
                        quantity=2,
                        discount=Decimal("50.00"),
                        serials=("SN-A", "SN-B"),
                    ),
                    OrderLineInput(sku="RET-BITS", quantity=3),
                ],
            ),
        )
    return order


def lines_of(order: Order) -> tuple[int, int]:
    """(drill line id, bits line id)."""
    drill, bits = order.lines.order_by("pk").values_list("pk", flat=True)
    return drill, bits
