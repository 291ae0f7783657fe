"""Fixtures of the tag tests: a small catalog with a two-level category tree, a fixed clock and
a helper that writes an order with its lines exactly as given (no generator in between)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.factories import (
    BrandFactory,
    CategoryFactory,
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)
from toolcrm.customers.models import Customer
from toolcrm.sales.models import Order

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=SHANGHAI)


def at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def catalog(db: Any) -> dict[str, Any]:
    power = CategoryFactory(code="PT", name="电动工具", name_en="Power tools")
    drills = CategoryFactory(code="PT-DRILL", name="电钻", parent=power)
    impact = CategoryFactory(code="PT-IMPACT", name="冲击钻", parent=power)
    consumables = CategoryFactory(code="CS", name="耗材", name_en="Consumables")
    bits = CategoryFactory(code="CS-BITS", name="钻头套装", parent=consumables)
    hand = CategoryFactory(code="HT", name="手动工具")
    bosch = BrandFactory(name="博世", name_en="Bosch")
    stanley = BrandFactory(name="史丹利", name_en="Stanley")
    return {
        "power": power,
        "consumables": consumables,
        "hand": hand,
        "bosch": bosch,
        "stanley": stanley,
        "drill": ProductFactory(sku="DRILL", category=drills, brand=bosch, price=Decimal("600")),
        "impact": ProductFactory(sku="IMPACT", category=impact, brand=bosch, price=Decimal("800")),
        "bits": ProductFactory(
            sku="BITS",
            category=bits,
            brand=bosch,
            price=Decimal("50"),
            is_power_tool=False,
            is_consumable=True,
        ),
        "hammer": ProductFactory(
            sku="HAMMER", category=hand, brand=stanley, price=Decimal("100"), is_power_tool=False
        ),
    }


OrderMaker = Callable[..., Order]


@pytest.fixture
def order() -> OrderMaker:
    """``order(customer, when, [(product, quantity, unit_price, discount), …], status=…)``."""

    def _make(
        customer: Customer,
        when: datetime,
        lines: list[tuple[Any, int, str, str]],
        *,
        status: str = "completed",
        channel: str = "pos",
    ) -> Order:
        totals = [
            Decimal(price) * quantity - Decimal(discount) for _p, quantity, price, discount in lines
        ]
        discount_total = sum((Decimal(discount) for *_rest, discount in lines), Decimal("0"))
        made = OrderFactory(
            customer=customer,
            ordered_at=when,
            status=status,
            channel=channel,
            subtotal=sum(totals, Decimal("0")) + discount_total,
            discount_total=discount_total,
            total=sum(totals, Decimal("0")),
        )
        for (product, quantity, price, discount), total in zip(lines, totals, strict=True):
            OrderLineFactory(
                order=made,
                product=product,
                quantity=quantity,
                unit_price=Decimal(price),
                discount=Decimal(discount),
                line_total=total,
            )
        return made

    return _make


@pytest.fixture
def customer_factory(store_a: Any) -> Callable[..., Customer]:
    def _make(name: str, **kwargs: Any) -> Customer:
        kwargs.setdefault("home_store", store_a)
        return CustomerFactory(name=name, **kwargs)

    return _make


ENGINEERING = {
    "match": "all",
    "conditions": [
        {"type": "profile", "field": "kind", "values": ["company"]},
        {
            "type": "purchase",
            "category_id": "{power}",
            "measure": "orders",
            "minimum": "1",
            "window": {"mode": "each_month", "length": 3},
        },
        {
            "type": "purchase",
            "category_id": "{consumables}",
            "measure": "orders",
            "minimum": "1",
            "window": {"mode": "each_month", "length": 3},
        },
    ],
}
PRICE_SENSITIVE = {
    "match": "all",
    "conditions": [{"type": "discount_share", "percent": "50", "window_days": 365}],
}


def engineering_definition(catalog: dict[str, Any]) -> dict[str, Any]:
    conditions = [dict(condition) for condition in ENGINEERING["conditions"]]  # type: ignore[call-overload]
    conditions[1]["category_id"] = catalog["power"].pk
    conditions[2]["category_id"] = catalog["consumables"].pk
    return {"match": "all", "conditions": conditions}
