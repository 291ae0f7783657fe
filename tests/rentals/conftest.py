"""Fixtures of the rentals tests: a rotary hammer without its own rental price (the percentage
rules apply: 5 %/day of ¥900 = ¥45, deposit 50 % = ¥450) and a pressure washer with one
(¥60/day, deposit ¥1,000); units in store A, store B (same region) and a southern store;
customers of store A and of the southern store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory, ProductFactory
from toolcrm.rentals import services
from toolcrm.rentals.models import RentalAgreement, RentalPrice, RentalUnit


@pytest.fixture
def hammer(db):  # type: ignore[no-untyped-def]
    return ProductFactory(
        sku="BSH-GBH226", name="电锤", spec="GBH 2-26 800W", price=Decimal("900.00")
    )


@pytest.fixture
def washer(db):  # type: ignore[no-untyped-def]
    product = ProductFactory(
        sku="KAR-K5", name="高压清洗机", spec="K5", price=Decimal("2400.00"), is_power_tool=False
    )
    RentalPrice.objects.create(
        product=product, daily_rate=Decimal("60.00"), min_deposit=Decimal("1000.00")
    )
    return product


@pytest.fixture
def unit_a(hammer, store_a):  # type: ignore[no-untyped-def]
    return RentalUnit.objects.create(
        product=hammer, asset_tag="SH01-R-001", serial="GBH0001", home_store=store_a
    )


@pytest.fixture
def washer_unit(washer, store_a):  # type: ignore[no-untyped-def]
    return RentalUnit.objects.create(product=washer, asset_tag="SH01-R-002", home_store=store_a)


@pytest.fixture
def unit_south(hammer, store_south):  # type: ignore[no-untyped-def]
    return RentalUnit.objects.create(product=hammer, asset_tag="GZ01-R-001", home_store=store_south)


@pytest.fixture
def customer(store_a):  # type: ignore[no-untyped-def]
    return CustomerFactory(name="陈工", phone="+8613812345678", home_store=store_a)


@pytest.fixture
def customer_south(store_south):  # type: ignore[no-untyped-def]
    return CustomerFactory(name="黄师傅", home_store=store_south)


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def lend_now(clerk, customer, unit_a, today) -> Callable[..., RentalAgreement]:  # type: ignore[no-untyped-def]
    """Lend (through the service) with sensible defaults; keyword arguments override them."""

    def _lend(**overrides: Any) -> RentalAgreement:
        values: dict[str, Any] = {
            "user": clerk,
            "customer_id": customer.pk,
            "unit_id": unit_a.pk,
            "due_on": today + timedelta(days=3),
            "deposit_amount": Decimal("500.00"),
            "deposit_method": "cash",
        }
        values.update(overrides)
        return services.lend(**values)

    return _lend


def days_ago(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


def backdate(agreement: RentalAgreement, *, days: int) -> RentalAgreement:
    """Move a loan's start ``days`` into the past, keeping its length (a loan of the past)."""
    length = agreement.due_on - timezone.localdate(agreement.started_at)
    started = agreement.started_at - timedelta(days=days)
    due = timezone.localdate(started) + length
    RentalAgreement.objects.filter(pk=agreement.pk).update(
        started_at=started, due_on=due, original_due_on=due
    )
    agreement.refresh_from_db()
    return agreement
