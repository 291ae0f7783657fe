"""A small hardware world for the recommendation tests: a drill with two accessories (a bit set
and carbon brushes), an angle grinder and its cutting discs, a tape measure, and helpers to
record purchases and returns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import (
    BrandFactory,
    CategoryFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    StockLevelFactory,
)
from toolcrm.catalog.models import Product
from toolcrm.customers.models import Customer
from toolcrm.sales.models import Order, Return, ReturnLine
from toolcrm.stores.models import Store


@dataclass
class World:
    drill: Product
    bits: Product
    brushes: Product
    grinder: Product
    discs: Product
    tape: Product


@pytest.fixture
def world(store_a: Store) -> World:
    tools = CategoryFactory(code="PT", name="电动工具", name_en="Power tools")
    consumables = CategoryFactory(code="CS", name="耗材", name_en="Consumables")
    hand = CategoryFactory(code="HT", name="手动工具", name_en="Hand tools")
    drills = CategoryFactory(code="PT-DRILL", name="电钻", name_en="Drill drivers", parent=tools)
    grinders = CategoryFactory(
        code="PT-GRINDER", name="角磨机", name_en="Angle grinders", parent=tools
    )
    bits = CategoryFactory(
        code="CS-BITS", name="钻头套装", name_en="Drill bits", parent=consumables
    )
    brushes = CategoryFactory(
        code="CS-BRUSH", name="碳刷", name_en="Carbon brushes", parent=consumables
    )
    discs = CategoryFactory(
        code="CS-DISC", name="切割片", name_en="Cutting discs", parent=consumables
    )
    tapes = CategoryFactory(code="HT-TAPE", name="卷尺", name_en="Tape measures", parent=hand)
    dongcheng = BrandFactory(name="东成", name_en="Dongcheng")

    def product(category, name, price, *, consumable=False, power=False):  # type: ignore[no-untyped-def]
        item = ProductFactory(
            brand=dongcheng,
            category=category,
            name=name,
            spec="",
            price=Decimal(price),
            is_consumable=consumable,
            is_power_tool=power,
        )
        StockLevelFactory(store=store_a, product=item, quantity=10)
        return item

    result = World(
        drill=product(drills, "DCJZ23 电钻", "399.00", power=True),
        bits=product(bits, "麻花钻头套装", "69.00", consumable=True),
        brushes=product(brushes, "碳刷 一对", "19.90", consumable=True),
        grinder=product(grinders, "DSM02 角磨机", "299.00", power=True),
        discs=product(discs, "树脂切割片", "22.00", consumable=True),
        tape=product(tapes, "钢卷尺 5m", "25.00"),
    )
    result.drill.accessories.add(result.bits, result.brushes)
    result.grinder.accessories.add(result.discs)
    return result


BuyFn = Callable[..., Order]


@pytest.fixture
def buy() -> BuyFn:
    """``buy(customer, [products], days_ago=…, status=…)``: one order, one line per product."""

    def _buy(
        customer: Customer | None,
        products: Sequence[Product],
        *,
        days_ago: int = 200,
        status: str = "completed",
        store: Store | None = None,
    ) -> Order:
        total = sum((item.price for item in products), Decimal("0"))
        order = OrderFactory(
            customer=customer,
            store=store or (customer.home_store if customer else None),
            ordered_at=timezone.now() - timedelta(days=days_ago),
            status=status,
            subtotal=total,
            total=total,
        )
        for item in products:
            OrderLineFactory(
                order=order, product=item, unit_price=item.price, line_total=item.price
            )
        return order

    return _buy


@pytest.fixture
def return_line() -> Callable[[Order, Product], None]:
    """Return one product of an order in full (and mark the order partially returned)."""

    def _return(order: Order, product: Product) -> None:
        line = order.lines.get(product=product)
        record = Return.objects.create(
            order=order,
            store=order.store,
            reason="质量问题",
            refund_amount=line.line_total,
            returned_at=order.ordered_at + timedelta(days=2),
        )
        ReturnLine.objects.create(
            return_record=record, line=line, quantity=line.quantity, amount=line.line_total
        )
        remaining = order.lines.exclude(pk=line.pk).exists()
        order.status = "partially_returned" if remaining else "returned"
        order.save(update_fields=["status"])

    return _return
