"""Order rows (one row per order line) → orders through ``sales.services.create_order``, so the
API and the importer share idempotency (channel + external id), money rules and validation.

Consecutive rows with the same channel and external id are one order; every line must be good
for the order to be written. The customer is found by phone (blind index) or member card; an
unknown phone creates a *provisional* customer in the order's store, with the order's channel as
its source and a note saying so, for identity resolution to confirm or merge later."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from toolcrm.catalog.models import Product
from toolcrm.core.pii import to_halfwidth
from toolcrm.customers import services as customer_services
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.integrations.importers.base import (
    CUSTOMER_NOT_YOURS,
    FieldSpec,
    Importer,
    Outcome,
    RowProblem,
    RowRejected,
    error_items,
    lower_choices,
    render_problem,
)
from toolcrm.integrations.parsing import (
    Row,
    clean_text,
    parse_amount,
    parse_datetime,
    parse_phone,
    parse_quantity,
)
from toolcrm.integrations.provisional import create_provisional_customer
from toolcrm.sales.choices import OrderChannel
from toolcrm.sales.services import (
    OrderConflictError,
    OrderInput,
    OrderLineInput,
    create_order,
)
from toolcrm.stores.models import Store

UNKNOWN_CARD = _("会员卡号不存在：%(value)s")
OTHER_LINE_BAD = _("同一订单（%(external_id)s）的其他行有错误，整单未导入")
CONFLICT = _("订单 %(external_id)s 已存在，但内容（门店、客户、商品或金额）与本文件不同")
UNKNOWN_SKU = _("未知 SKU：%(value)s")
NEGATIVE_AMOUNT = _("金额不能为负数：%(value)s")

FIELDS = (
    FieldSpec(
        "external_id",
        _("订单号"),
        True,
        ("订单号", "外部单号", "单号", "小票号", "订单编号", "order id", "order no"),
    ),
    FieldSpec("channel", _("渠道"), False, ("渠道", "销售渠道", "channel")),
    FieldSpec("store", _("门店编码"), False, ("门店编码", "门店", "店铺编码", "store")),
    FieldSpec("ordered_at", _("下单时间"), False, ("下单时间", "销售时间", "日期", "时间")),
    FieldSpec("sku", _("SKU"), True, ("sku", "商品编码", "货号", "商品编号")),
    FieldSpec("quantity", _("数量"), True, ("数量", "销售数量", "quantity", "qty")),
    FieldSpec("unit_price", _("单价"), False, ("单价", "成交单价", "售价", "unit price")),
    FieldSpec("discount", _("优惠"), False, ("优惠", "折扣金额", "优惠金额", "discount")),
    FieldSpec(
        "customer_phone",
        _("客户手机号"),
        False,
        ("手机号", "手机", "电话", "联系电话", "会员手机", "买家手机", "收货人-手机", "phone"),
    ),
    FieldSpec("member_card_no", _("会员卡号"), False, ("会员卡号", "会员号", "卡号")),
    FieldSpec(
        "customer_name", _("客户姓名"), False, ("姓名", "客户姓名", "会员姓名", "收货人-姓名")
    ),
    FieldSpec("note", _("备注"), False, ("备注", "买家留言", "note")),
)
_CHANNELS = lower_choices(
    {"pos": OrderChannel.POS, "门店": OrderChannel.POS, "线上": OrderChannel.ECOMMERCE},
    dict(OrderChannel.choices),
)
# create_order's error keys → this importer's fields.
_ORDER_KEYS = {"store": "store", "ordered_at": "ordered_at", "external_id": "external_id"}


class OrderImporter(Importer):
    kind = "orders"
    fields = FIELDS

    def unit_key(self, row: Row) -> str | None:
        external_id = clean_text(self.raw(row, "external_id"))
        if not external_id:
            return None
        channel = to_halfwidth(clean_text(self.raw(row, "channel"))).lower()
        return f"{_CHANNELS.get(channel, channel or OrderChannel.POS)}/{external_id}"

    def duplicate_key(self, row: Row) -> str | None:
        return self.unit_key(row)

    def import_unit(self, rows: Sequence[Row]) -> Outcome:
        first = rows[0]
        problems: list[RowProblem] = []
        channel = self.choice(first, "channel", _CHANNELS, problems) or OrderChannel.POS
        external_id = self.text(first, "external_id", problems, limit=64)
        self.require(first, "external_id", external_id, problems)
        store = self.store(first, "store", problems)
        ordered_at = self.parse(first, "ordered_at", parse_datetime, problems)
        lines = [self._line(row, problems) for row in rows]
        self._check_skus(rows, lines, problems)
        customer = self._customer(first, problems)
        if problems:
            raise RowRejected(_with_whole_order(rows, problems, external_id))
        data = OrderInput(
            channel=channel,
            external_id=external_id,
            store=store.pk if store else "",
            lines=[line for line in lines if line is not None],
            customer_id=None,
            ordered_at=ordered_at,
            note=clean_text(self.raw(first, "note"))[:200],
        )
        try:
            if customer is None and (phone := self._phone(first)):
                customer = self._provisional_customer(first, phone, store, channel, external_id)
            data = OrderInput(**{**data.__dict__, "customer_id": customer.pk if customer else None})
            _order, created = create_order(user=self.user, data=data)
        except OrderConflictError:
            problem = self.problem(
                first, "external_id", external_id, "conflict", CONFLICT, external_id=external_id
            )
            raise RowRejected(_with_whole_order(rows, [problem], external_id)) from None
        except ValidationError as error:
            found = self._order_problems(rows, error)
            raise RowRejected(_with_whole_order(rows, found, external_id)) from None
        return Outcome.CREATED if created else Outcome.SKIPPED

    def _line(self, row: Row, problems: list[RowProblem]) -> OrderLineInput | None:
        sku = to_halfwidth(self.text(row, "sku", problems, limit=40)).upper()
        self.require(row, "sku", sku, problems)
        quantity = self.parse(row, "quantity", parse_quantity, problems)
        if self.raw(row, "quantity") in (None, ""):
            self.require(row, "quantity", None, problems)
        unit_price = self.parse(row, "unit_price", parse_amount, problems)
        discount = self.parse(row, "discount", parse_amount, problems)
        for name, amount in (("unit_price", unit_price), ("discount", discount)):
            if amount is not None and amount < 0:
                problems.append(self.problem(row, name, amount, "negative", NEGATIVE_AMOUNT))
                return None
        if not sku or quantity is None:
            return None
        return OrderLineInput(
            sku=sku,
            quantity=quantity,
            unit_price=unit_price,
            discount=discount if discount is not None else OrderLineInput.discount,
        )

    def _check_skus(
        self,
        rows: Sequence[Row],
        lines: Sequence[OrderLineInput | None],
        problems: list[RowProblem],
    ) -> None:
        wanted = {line.sku for line in lines if line is not None}
        known = set(Product.objects.filter(sku__in=wanted).values_list("sku", flat=True))
        for row, line in zip(rows, lines, strict=True):
            if line is not None and line.sku not in known:
                problems.append(self.problem(row, "sku", line.sku, "unknown_sku", UNKNOWN_SKU))

    def _phone(self, row: Row) -> str:
        value = self.raw(row, "customer_phone")
        try:
            return parse_phone(value) if value not in (None, "") else ""
        except ValueError:
            return ""

    def _customer(self, row: Row, problems: list[RowProblem]) -> Customer | None:
        phone = self.parse(row, "customer_phone", parse_phone, problems)
        card = to_halfwidth(clean_text(self.raw(row, "member_card_no"))).upper()
        found: Customer | None = None
        name = "customer_phone"
        if phone:
            found = customer_services.find_by_phone(phone)
        if found is None and card:
            name = "member_card_no"
            found = Customer.objects.filter(member_card_no=card, is_active=True).first()
            if found is None and not phone:
                problems.append(self.problem(row, name, card, "unknown_card", UNKNOWN_CARD))
        if found is not None and not customers_visible_to(self.user).filter(pk=found.pk).exists():
            problems.append(
                self.problem(row, name, self.raw(row, name), "not_yours", CUSTOMER_NOT_YOURS)
            )
            return None
        return found

    def _provisional_customer(
        self, row: Row, phone: str, store: Store | None, channel: str, external_id: str
    ) -> Customer:
        return create_provisional_customer(
            user=self.user,
            phone=phone,
            name=clean_text(self.raw(row, "customer_name")),
            store=store,
            channel=channel,
            external_id=external_id,
        )

    def _order_problems(self, rows: Sequence[Row], error: ValidationError) -> list[RowProblem]:
        problems: list[RowProblem] = []
        for key, messages in error_items(error):
            parts = key.split(".")
            row, name = rows[0], _ORDER_KEYS.get(key, "customer_phone")
            if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit():
                row = rows[int(parts[1])]
                name = parts[2] if len(parts) > 2 else "sku"
            value = clean_text(self.raw(row, name))
            problems += [self.service_problem(row, name, m, value=value) for m in messages]
        return problems


def _with_whole_order(
    rows: Sequence[Row], problems: list[RowProblem], external_id: str
) -> list[RowProblem]:
    """Every row of a rejected order appears in the report (so the corrected report re-imports
    the whole order): rows without a problem of their own say the order was held back."""
    flagged = {problem.row_number for problem in problems}
    held_back = [
        render_problem(
            row_number=row.number,
            column="",
            value="",
            code="order_rejected",
            template=OTHER_LINE_BAD,
            params={"external_id": external_id},
        )
        for row in rows
        if row.number not in flagged
    ]
    return sorted([*problems, *held_back], key=lambda problem: problem.row_number)
