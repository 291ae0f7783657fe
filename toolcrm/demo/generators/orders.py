"""One demo order with everything that hangs off it: lines (with discounts), payments that add up
to the total, a serial number for every power-tool unit, and now and then a return.

Amounts are internally consistent: line total = unit price × quantity − discount; order subtotal,
discount and total are the sums over the lines; payments sum to the total. Returns record refunds
separately and never change those figures.
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

from toolcrm.demo.data.texts import RETURN_REASONS
from toolcrm.demo.generators import identifiers
from toolcrm.demo.generators.catalog import CatalogData, ProductInfo
from toolcrm.demo.generators.clock import DAY, Clock
from toolcrm.demo.generators.picker import ProductPicker, quantity
from toolcrm.demo.generators.reference import StoreInfo
from toolcrm.demo.generators.writer import BulkWriter, IdSequence, Rows
from toolcrm.sales.choices import OrderChannel, OrderStatus, PaymentMethod
from toolcrm.sales.models import Order, OrderLine, Payment, Return, ReturnLine, SerialNumber

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
YUAN = Decimal("1")
LINE_COUNTS = (1, 2, 3, 4, 5, 6)
LINE_COUNT_WEIGHTS = (50, 25, 12, 7, 4, 2)
DISCOUNT_CHANCE = {"pos": 0.18, "ecommerce": 0.3, "miniprogram": 0.25}
PAYMENTS: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
    "pos": (
        (
            PaymentMethod.WECHAT_PAY,
            PaymentMethod.ALIPAY,
            PaymentMethod.CASH,
            PaymentMethod.BANK_CARD,
        ),
        (50, 30, 10, 10),
    ),
    "ecommerce": ((PaymentMethod.ALIPAY, PaymentMethod.WECHAT_PAY), (55, 45)),
    "miniprogram": ((PaymentMethod.WECHAT_PAY,), (1,)),
}
RETURN_CHANCE = 0.015

new_order = Rows(
    Order,
    "id channel external_id customer_id store_id staff_id status ordered_at subtotal"
    " discount_total total note created_at",
)
new_line = Rows(OrderLine, "id order_id product_id quantity unit_price discount line_total")
new_payment = Rows(Payment, "id order_id method amount paid_at")
new_serial = Rows(SerialNumber, "id line_id product_id serial is_returned")


class OrderBuilder:
    def __init__(
        self, *, rng: random.Random, catalog: CatalogData, clock: Clock, writer: BulkWriter
    ) -> None:
        self.rng = rng
        self.clock = clock
        self.writer = writer
        self.picker = ProductPicker(catalog.products)
        self.order_ids = IdSequence(Order)
        self.line_ids = IdSequence(OrderLine)
        self.return_ids = IdSequence(Return)
        self.pos_numbers: defaultdict[tuple[str, date], int] = defaultdict(int)
        self.channel_numbers: defaultdict[str, int] = defaultdict(int)
        self.serial_numbers: defaultdict[int, int] = defaultdict(int)
        self.orders_made = 0

    def add(
        self,
        *,
        moment: int,
        channel: str,
        store: StoreInfo,
        customer_id: int | None,
        buyer: int,
        staff_id: int | None,
        max_lines: int = 6,
        basket: list[tuple[ProductInfo, int]] | None = None,
    ) -> Order:
        """One order; ``basket`` (products and units) when the caller has chosen them, as a
        site order does. Such an order is delivered against a purchase order and not returned."""
        rng = self.rng
        ordered_at = self.clock.at(moment)
        if basket is None:
            products = self._basket(ordered_at.month, buyer=buyer, channel=channel, limit=max_lines)
            units: list[int | None] = [None] * len(products)
        else:
            products, units = [info for info, _ in basket], [count for _, count in basket]
        contract_rate = Decimal(rng.randint(5, 12)) / 100 if channel == OrderChannel.B2B else None
        order_id = self.order_ids.take()
        lines = [
            self._line(order_id, channel, info, buyer, contract_rate, units=count)
            for info, count in zip(products, units, strict=True)
        ]
        subtotal = sum((line.unit_price * line.quantity for line in lines), ZERO)
        discount_total = sum((line.discount for line in lines), ZERO)
        order = new_order(
            order_id,
            channel,
            self._external_id(channel, store, ordered_at.date()),
            customer_id,
            store.id,
            staff_id,
            OrderStatus.COMPLETED,
            ordered_at,
            subtotal,
            discount_total,
            subtotal - discount_total,
            "",
            None,  # created_at: set on insert
        )
        self.writer.add(order)
        serials = {line.pk: self._serials(line, products[i]) for i, line in enumerate(lines)}
        for line in lines:
            self.writer.add(line)
        self._payments(order)
        if (
            basket is None
            and moment < self.clock.now_ts - 20 * DAY
            and rng.random() < RETURN_CHANCE
        ):
            self._return(order, lines, serials, store=store, moment=moment)
        for line_serials in serials.values():
            for serial in line_serials:
                self.writer.add(serial)
        self.orders_made += 1
        return order

    def _basket(self, month: int, *, buyer: int, channel: str, limit: int) -> list[ProductInfo]:
        rng = self.rng
        count = rng.choices(LINE_COUNTS, weights=LINE_COUNT_WEIGHTS)[0]
        if channel == OrderChannel.B2B:
            count = max(count, 2)
        products = self.picker.pick(rng, buyer=buyer, month=month, count=min(count, limit))
        if len(products) < limit and rng.random() < 0.35:
            # Buying a drill, people take bits or a second battery with it.
            for info in products:
                if info.accessory_ids:
                    accessory = self.picker.by_id[rng.choice(info.accessory_ids)]
                    if accessory not in products:
                        products.append(accessory)
                    break
        return products

    def _line(
        self,
        order_id: int,
        channel: str,
        info: ProductInfo,
        buyer: int,
        contract_rate: Decimal | None,
        *,
        units: int | None,
    ) -> OrderLine:
        rng = self.rng
        if units is None:
            units = quantity(rng, info=info, buyer=buyer)
        gross = info.price * units
        discount = ZERO
        if contract_rate is not None:
            discount = (gross * contract_rate).quantize(CENT)
        elif gross >= 20 and rng.random() < DISCOUNT_CHANCE[channel]:
            discount = (gross * Decimal(rng.randint(5, 15)) / 100).quantize(YUAN)
        return new_line(
            self.line_ids.take(), order_id, info.id, units, info.price, discount, gross - discount
        )

    def _serials(self, line: OrderLine, info: ProductInfo) -> list[SerialNumber]:
        if not info.is_power_tool:
            return []
        serials = []
        for _ in range(line.quantity):
            self.serial_numbers[info.id] += 1
            number = self.serial_numbers[info.id]
            serial = f"{info.serial_prefix}{info.id:04d}{number:07d}"
            serials.append(new_serial(None, line.pk, info.id, serial, False))
        return serials

    def _payments(self, order: Order) -> None:
        for method, amount in self._split_payment(str(order.channel), order.total):
            self.writer.add(new_payment(None, order.pk, method, amount, order.ordered_at))

    def _split_payment(self, channel: str, total: Decimal) -> list[tuple[str, Decimal]]:
        rng = self.rng
        if channel == OrderChannel.B2B:
            method = rng.choices(
                (PaymentMethod.ACCOUNT_CREDIT, PaymentMethod.BANK_CARD, PaymentMethod.INSTALMENT),
                weights=(55, 25, 20 if total >= 5000 else 0),
            )[0]
            return [(method, total)]
        if channel == OrderChannel.POS and total >= 100 and rng.random() < 0.05:
            cash = (total * Decimal(rng.randint(2, 5)) / 10).quantize(YUAN)
            return [(PaymentMethod.CASH, cash), (PaymentMethod.WECHAT_PAY, total - cash)]
        methods, weights = PAYMENTS[channel]
        return [(rng.choices(methods, weights=weights)[0], total)]

    def _return(
        self,
        order: Order,
        lines: list[OrderLine],
        serials: dict[int, list[SerialNumber]],
        *,
        store: StoreInfo,
        moment: int,
    ) -> None:
        rng = self.rng
        whole_order = len(lines) == 1 or rng.random() < 0.3
        returned = lines if whole_order else [rng.choice(lines)]
        record = Return(
            id=self.return_ids.take(),
            order_id=order.pk,
            store_id=store.id,
            staff_id=store.manager_id,
            reason=rng.choice(RETURN_REASONS),
            refund_amount=ZERO,
            returned_at=self.clock.at(moment + rng.randint(1, 14) * DAY),
        )
        self.writer.add(record)
        for line in returned:
            units = line.quantity if whole_order else rng.randint(1, line.quantity)
            amount = (line.line_total * units / line.quantity).quantize(CENT)
            record.refund_amount += amount
            self.writer.add(
                ReturnLine(
                    return_record_id=record.pk, line_id=line.pk, quantity=units, amount=amount
                )
            )
            for serial in serials[line.pk][:units]:
                serial.is_returned = True
        order.status = OrderStatus.RETURNED if whole_order else OrderStatus.PARTIALLY_RETURNED

    def _external_id(self, channel: str, store: StoreInfo, day: date) -> str:
        if channel == OrderChannel.POS:
            self.pos_numbers[(store.code, day)] += 1
            return f"POS-{store.code}-{day:%Y%m%d}-{self.pos_numbers[(store.code, day)]:06d}"
        self.channel_numbers[channel] += 1
        number = self.channel_numbers[channel]
        if channel == OrderChannel.ECOMMERCE:
            platform = "JD" if self.rng.random() < 0.45 else "TB"
            return identifiers.ecommerce_order_no(index=number, platform=platform)
        if channel == OrderChannel.MINIPROGRAM:
            return f"MP{day:%Y%m%d}{number:08d}"
        return f"SO-{day:%Y%m}-{number:06d}"
