"""Fixtures of the loyalty tests: a customer of store A, orders placed through the factories,
and a helper to give an order its loyalty effect (what the task does after a sale)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from tests.factories import CustomerFactory, OrderFactory
from toolcrm.customers.models import Customer
from toolcrm.loyalty.models import CouponTemplate
from toolcrm.loyalty.services import programme
from toolcrm.sales.models import Order


def seed_programme() -> None:
    """The rows the data migration seeds (tier benefits, referral and birthday templates):
    a transactional test elsewhere in the session flushes the tables, so seed them again."""
    migration = importlib.import_module("toolcrm.loyalty.migrations.0002_seed_programme")
    migration.seed(django_apps, None)


@pytest.fixture(autouse=True)
def _programme(db) -> None:  # type: ignore[no-untyped-def]
    seed_programme()


@pytest.fixture
def member(store_a) -> Customer:  # type: ignore[no-untyped-def]
    return CustomerFactory(
        name="王建国",
        home_store=store_a,
        province="上海市",
        city="上海市",
        district="浦东新区",
        street="张杨路 500 号 3 栋 201 室",
    )


@pytest.fixture
def outsider(store_south) -> Customer:  # type: ignore[no-untyped-def]
    return CustomerFactory(name="外店客户", home_store=store_south)


@pytest.fixture
def place_order() -> Callable[..., Order]:
    """An order of ``total`` CNY ``days_ago`` days ago, processed as the sale task would."""

    def _place(
        customer: Customer,
        total: str | Decimal,
        *,
        days_ago: int = 1,
        at: datetime | None = None,
        process: bool = True,
    ) -> Order:
        amount = Decimal(str(total))
        order = OrderFactory(
            customer=customer,
            store=customer.home_store,
            subtotal=amount,
            total=amount,
            ordered_at=at or timezone.now() - timedelta(days=days_ago),
        )
        if process:
            programme.process_order(order_id=order.pk)
        return order

    return _place


@pytest.fixture
def amount_template(db) -> CouponTemplate:  # type: ignore[no-untyped-def]
    return CouponTemplate.objects.create(
        code="spring-100",
        name="满 500 减 100",
        kind="amount_off",
        amount_off=Decimal("100.00"),
        min_spend=Decimal("500.00"),
        valid_days=30,
        per_customer_limit=2,
    )
