"""Every write to sales data: recording an order from any channel, and taking goods back.

``create_order`` is the one way an order enters the database: the HTTP API today, the POS and
e-commerce importers (``integrations``) later. Callers describe the order with plain dataclasses
(``OrderInput``, ``OrderLineInput``, ``PaymentInput``), so nothing here knows about HTTP.

* **Idempotent** on the natural key (channel, external id): a replay with the same content
  returns the stored order and ``created=False``; a replay with different content (store,
  customer, lines, total, serials) raises ``OrderConflictError``. Two concurrent submissions of
  one order race on the database's unique constraint; the loser catches the ``IntegrityError``
  and answers as a replay.
* **Money** is computed here, in ``Decimal``: line total = quantity × unit price − discount;
  subtotal, discount total and total are sums of the lines. Payments, when given, must add up to
  the total.
* **Scope**: the store must be one of the user's stores, or the customer must be an account the
  user manages (a B2B account manager books their accounts' orders at any store); the customer
  must be visible to the user. Both are reported as "not found or not yours", never revealing
  whether the row exists.
* **One transaction**: every error is raised before the first write, and the writes sit in a
  savepoint, so a rejected order leaves nothing behind.

The checks ``create_order`` runs on its input are public for the bulk importers, which must
give the very same answers without a query per order: ``OrderErrors`` (errors by input path),
``parse_money``, ``resolve_ordered_at``, ``resolve_lines`` and ``resolve_line`` (one line
against an already looked-up product), returning ``ResolvedLine``.

``record_return`` is the one way a return enters the database (the order page's 退货 form and
``POST /api/orders/{id}/returns``): it locks the order, checks the quantities and the refund
against what earlier returns left, and announces the return after commit
(``signals.return_recorded``) so that points, scores and tags follow within seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from toolcrm.catalog.models import Product
from toolcrm.core.audit import log_event
from toolcrm.core.pii import to_halfwidth
from toolcrm.core.roles import Capability, has_capability
from toolcrm.core.scoping import ALL_STORES, store_ids_for
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.sales.choices import OrderChannel, OrderStatus, PaymentMethod
from toolcrm.sales.models import Order, OrderLine, Payment, Return, ReturnLine, SerialNumber
from toolcrm.sales.selectors import (
    ReturnableLine,
    orders_visible_to,
    refundable_amount,
    returnable_lines,
)
from toolcrm.sales.signals import announce_order_recorded, announce_return_recorded
from toolcrm.stores.models import Store

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # DecimalField(max_digits=14, decimal_places=2)
MAX_LINES = 500
# POS clocks drift; an order stamped a few minutes ahead of the server is not "in the future".
CLOCK_TOLERANCE = timedelta(minutes=5)
EXTERNAL_ID_MAX_LENGTH = 64
NOTE_MAX_LENGTH = 200
SERIAL_MAX_LENGTH = 40


@dataclass(frozen=True)
class OrderLineInput:
    sku: str
    quantity: int
    unit_price: Decimal | None = None  # None: the product's current retail price
    discount: Decimal = ZERO  # for the whole line, not per unit
    serials: Sequence[str] = ()  # power tools only; when given, one per unit


@dataclass(frozen=True)
class PaymentInput:
    method: str
    amount: Decimal


@dataclass(frozen=True)
class OrderInput:
    channel: str
    external_id: str
    store: int | str  # a store id (number) or store code (text)
    lines: Sequence[OrderLineInput]
    customer_id: int | None = None  # None: a walk-in sale
    ordered_at: datetime | None = None  # None: now
    payments: Sequence[PaymentInput] = ()
    note: str = ""


class OrderConflictError(Exception):
    """The (channel, external id) is taken by an order that differs from this submission, or by
    an order the user may not see."""

    def __init__(self, *, channel: str, external_id: str, message: str) -> None:
        self.channel = channel
        self.external_id = external_id
        self.message = message
        super().__init__(message)


@dataclass
class OrderErrors:
    """Validation errors keyed by the dotted path of the offending input (``lines.0.sku``).

    Public so that bulk importers (``integrations.bulk_orders``, ``integrations.bulk_fastpath``)
    can run ``create_order``'s own checks and get its exact messages: collect with ``add``, then
    ``raise_if_any`` raises one ``ValidationError`` holding every problem.
    """

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.by_field.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.by_field:
            raise ValidationError(self.by_field)


@dataclass(frozen=True)
class ResolvedLine:
    """An order line that passed ``resolve_line``: a known product, a positive quantity, prices
    as two-place ``Decimal`` and normalised serial numbers. ``is_price_given`` records whether
    the caller set the unit price (a replay compares it only then)."""

    product: Product
    quantity: int
    unit_price: Decimal
    discount: Decimal
    serials: tuple[str, ...]
    is_price_given: bool

    @property
    def line_total(self) -> Decimal:
        return self.quantity * self.unit_price - self.discount


def parse_money(
    value: Any, name: str, errors: OrderErrors, *, positive: bool = False
) -> Decimal | None:
    """``value`` as a Decimal of at most two places within the column's range, or None after
    adding an error under ``name``. Public for the bulk importers, which must reject exactly
    the amounts ``create_order`` rejects."""
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.add(name, _("金额格式不正确。"))
        return None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        errors.add(name, _("金额最多保留两位小数。"))
        return None
    if amount < 0 or (positive and amount == 0):
        errors.add(name, _("金额必须大于 0。") if positive else _("金额不能为负数。"))
        return None
    if amount > MAX_AMOUNT:
        errors.add(name, _("金额过大。"))
        return None
    return amount.quantize(CENT)


def _resolve_customer(user: Any, customer_id: int | None, errors: OrderErrors) -> Customer | None:
    if customer_id is None:
        return None
    customer = customers_visible_to(user).filter(pk=customer_id).first()
    if customer is None:
        errors.add("customer_id", _("客户不存在或不在您的权限范围内。"))
    return customer


def _resolve_store(
    user: Any, reference: int | str | None, customer: Customer | None, errors: OrderErrors
) -> Store | None:
    if reference is None or reference == "":
        errors.add("store", _("请指定门店（门店 ID 或门店编码）。"))
        return None
    if isinstance(reference, int) and not isinstance(reference, bool):
        store = Store.objects.filter(pk=reference).first()
    else:
        store = Store.objects.filter(code=to_halfwidth(str(reference)).strip()).first()
    allowed = store_ids_for(user)
    manages_customer = customer is not None and customer.account_manager_id == user.pk
    if store is None or not (
        allowed is ALL_STORES or store.pk in (allowed or ()) or manages_customer
    ):
        errors.add("store", _("门店不存在或不在您的权限范围内。"))
        return None
    return store


def resolve_ordered_at(value: datetime | None, errors: OrderErrors) -> datetime:
    """The order time: now when not given, naive times read in the current time zone, and an
    error when later than now plus ``CLOCK_TOLERANCE`` (POS clocks drift)."""
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_TOLERANCE:
        errors.add("ordered_at", _("下单时间不能晚于现在。"))
    return value


def resolve_line(
    index: int, item: OrderLineInput, product: Product | None, errors: OrderErrors
) -> ResolvedLine | None:
    """Check one input line against its already looked-up ``product`` (None: unknown SKU) and
    return it resolved, or None after adding errors under ``lines.<index>.…``. Runs no query,
    so a bulk caller can look the catalogue up once for many orders; in-order serial
    duplicates are ``resolve_lines``' job."""
    prefix = f"lines.{index}"
    is_valid = product is not None
    if product is None:
        errors.add(f"{prefix}.sku", _("未知 SKU：%(sku)s") % {"sku": item.sku})
    quantity = item.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        errors.add(f"{prefix}.quantity", _("数量必须是大于 0 的整数。"))
        is_valid = False
    unit_price: Decimal | None = None
    if item.unit_price is not None:
        unit_price = parse_money(item.unit_price, f"{prefix}.unit_price", errors)
        is_valid = is_valid and unit_price is not None
    elif product is not None:
        unit_price = product.price
    discount = parse_money(item.discount, f"{prefix}.discount", errors)
    serials = tuple(to_halfwidth(str(serial)).strip() for serial in item.serials)
    if any(not serial or len(serial) > SERIAL_MAX_LENGTH for serial in serials):
        errors.add(f"{prefix}.serials", _("序列号不能为空，且不超过 40 个字符。"))
        is_valid = False
    if not is_valid or product is None or unit_price is None or discount is None:
        return None
    if discount > quantity * unit_price:
        errors.add(f"{prefix}.discount", _("优惠不能超过该行金额（数量 × 单价）。"))
        return None
    if serials and not product.is_power_tool:
        errors.add(f"{prefix}.serials", _("只有电动工具需要登记序列号。"))
        return None
    if serials and len(serials) != quantity:
        errors.add(
            f"{prefix}.serials",
            _("序列号数量（%(count)s）与商品数量（%(quantity)s）不一致。")
            % {"count": len(serials), "quantity": quantity},
        )
        return None
    return ResolvedLine(
        product=product,
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
        serials=serials,
        is_price_given=item.unit_price is not None,
    )


def resolve_lines(items: Sequence[OrderLineInput], errors: OrderErrors) -> list[ResolvedLine]:
    """Every line of one order resolved: checks the line count (none, or over ``MAX_LINES``,
    is answered before any query), looks the SKUs up in one query, runs ``resolve_line`` on
    each and reports serial numbers repeated within the order. Invalid lines are left out."""
    if not items:
        errors.add("lines", _("订单至少需要一行商品。"))
        return []
    if len(items) > MAX_LINES:
        errors.add("lines", _("一个订单最多 %(count)s 行。") % {"count": MAX_LINES})
        return []
    skus = {to_halfwidth(str(item.sku or "")).strip() for item in items}
    products = {product.sku: product for product in Product.objects.filter(sku__in=skus)}
    lines: list[ResolvedLine] = []
    seen_serials: set[tuple[int, str]] = set()
    for index, item in enumerate(items):
        product = products.get(to_halfwidth(str(item.sku or "")).strip())
        line = resolve_line(index, item, product, errors)
        if line is None:
            continue
        repeated = [s for s in line.serials if (line.product.pk, s) in seen_serials]
        if repeated or len(set(line.serials)) != len(line.serials):
            errors.add(f"lines.{index}.serials", _("同一订单内序列号重复。"))
        seen_serials.update((line.product.pk, serial) for serial in line.serials)
        lines.append(line)
    return lines


def _resolve_payments(
    payments: Sequence[PaymentInput], total: Decimal, errors: OrderErrors
) -> list[PaymentInput]:
    """The payments with validated amounts; together they must pay exactly the total."""
    resolved: list[PaymentInput] = []
    for index, payment in enumerate(payments):
        if payment.method not in PaymentMethod.values:
            errors.add(f"payments.{index}.method", _("未知支付方式。"))
        amount = parse_money(payment.amount, f"payments.{index}.amount", errors, positive=True)
        if amount is not None:
            resolved.append(PaymentInput(method=payment.method, amount=amount))
    paid = sum((payment.amount for payment in resolved), ZERO)
    if payments and not errors.by_field and paid != total:
        errors.add(
            "payments",
            _("支付合计 %(paid)s 与订单金额 %(total)s 不一致。") % {"paid": paid, "total": total},
        )
    return resolved


def _check_serials_unused(lines: Sequence[ResolvedLine], errors: OrderErrors) -> None:
    """A power tool's serial number is sold once (returns excepted, which keep their row)."""
    wanted = {(line.product.pk, serial) for line in lines for serial in line.serials}
    if not wanted:
        return
    taken = set(
        SerialNumber.objects.filter(
            product_id__in={pk for pk, _serial in wanted},
            serial__in={serial for _pk, serial in wanted},
        ).values_list("product_id", "serial")
    )
    for index, line in enumerate(lines):
        used = [serial for serial in line.serials if (line.product.pk, serial) in taken]
        if used:
            errors.add(
                f"lines.{index}.serials",
                _("序列号已登记在其他订单上：%(serials)s") % {"serials": ", ".join(used)},
            )


def _matches(
    order: Order, *, store: Store, customer: Customer | None, lines: Sequence[ResolvedLine]
) -> bool:
    """Whether a replay describes the stored order: same store, customer, lines and total.
    A line sent without a unit price matches whatever price was stored for it (the product's
    price may have changed since the first submission)."""
    if order.store_id != store.pk or order.customer_id != (customer.pk if customer else None):
        return False
    stored = list(
        OrderLine.objects.filter(order=order).select_related("product").prefetch_related("serials")
    )

    def shape(sku: str, quantity: int, discount: Decimal) -> tuple[str, int, Decimal]:
        return (sku, quantity, discount)

    if Counter(shape(x.product.sku, x.quantity, x.discount) for x in stored) != Counter(
        shape(x.product.sku, x.quantity, x.discount) for x in lines
    ):
        return False
    stored_prices = Counter((x.product.sku, x.quantity, x.discount, x.unit_price) for x in stored)
    given_prices = Counter(
        (x.product.sku, x.quantity, x.discount, x.unit_price) for x in lines if x.is_price_given
    )
    if given_prices - stored_prices:
        return False
    if all(x.is_price_given for x in lines) and sum(x.line_total for x in lines) != order.total:
        return False
    given_serials = {(x.product.sku, serial) for x in lines for serial in x.serials}
    stored_serials = {(x.product.sku, s.serial) for x in stored for s in x.serials.all()}
    return not given_serials or given_serials == stored_serials


def _replay(
    user: Any,
    order: Order,
    *,
    store: Store,
    customer: Customer | None,
    lines: Sequence[ResolvedLine],
) -> Order:
    if not orders_visible_to(user).filter(pk=order.pk).exists():
        raise OrderConflictError(
            channel=order.channel,
            external_id=order.external_id,
            message=_("外部单号 %(external_id)s 已被其他订单使用。")
            % {"external_id": order.external_id},
        )
    if not _matches(order, store=store, customer=customer, lines=lines):
        raise OrderConflictError(
            channel=order.channel,
            external_id=order.external_id,
            message=_(
                "订单 %(external_id)s 已存在，但本次提交的内容（门店、客户、商品或金额）与之不同。"
            )
            % {"external_id": order.external_id},
        )
    return order


def _write(
    *,
    user: Any,
    channel: str,
    external_id: str,
    store: Store,
    customer: Customer | None,
    ordered_at: datetime,
    lines: Sequence[ResolvedLine],
    payments: Sequence[PaymentInput],
    note: str,
) -> Order:
    order = Order(
        channel=channel,
        external_id=external_id,
        store=store,
        customer=customer,
        staff=user if getattr(user, "is_authenticated", False) else None,
        status=OrderStatus.COMPLETED,
        ordered_at=ordered_at,
        subtotal=sum((x.quantity * x.unit_price for x in lines), ZERO),
        discount_total=sum((x.discount for x in lines), ZERO),
        total=sum((x.line_total for x in lines), ZERO),
        note=note,
    )
    # Foreign keys were resolved above and uniqueness is the database's job (see create_order).
    order.full_clean(
        exclude=["store", "customer", "staff"], validate_unique=False, validate_constraints=False
    )
    order.save()
    order_lines = OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=x.product,
            quantity=x.quantity,
            unit_price=x.unit_price,
            discount=x.discount,
            line_total=x.line_total,
        )
        for x in lines
    )
    SerialNumber.objects.bulk_create(
        SerialNumber(line=order_line, product=x.product, serial=serial)
        for order_line, x in zip(order_lines, lines, strict=True)
        for serial in x.serials
    )
    Payment.objects.bulk_create(
        Payment(order=order, method=p.method, amount=p.amount, paid_at=ordered_at) for p in payments
    )
    return order


def _stored_order_or_check_serials(
    channel: str, external_id: str, lines: Sequence[ResolvedLine], errors: OrderErrors
) -> Order | None:
    """The order already stored under the key (a replay), or ``None`` once the new order's
    serial numbers are known to be unused."""
    existing = Order.objects.filter(channel=channel, external_id=external_id).first()
    if existing is not None:
        return existing
    _check_serials_unused(lines, errors)
    if errors.by_field:
        # The serials may be taken by a concurrent submission of this very order that committed
        # after the look-up above: then this is a replay, not a serial clash.
        existing = Order.objects.filter(channel=channel, external_id=external_id).first()
        if existing is None:
            errors.raise_if_any()
    return existing


@transaction.atomic
def create_order(*, user: Any, data: OrderInput) -> tuple[Order, bool]:
    """Record an order, or recognise a replay of one; returns ``(order, created)``.

    Raises ``PermissionDenied`` without ``Capability.CREATE_ORDERS``, ``ValidationError`` keyed
    by input path (``lines.0.sku``) for bad input, ``OrderConflictError`` for a conflicting
    replay."""
    if not has_capability(user, Capability.CREATE_ORDERS):
        raise PermissionDenied(Capability.CREATE_ORDERS.value)
    errors = OrderErrors()
    channel = data.channel
    if channel not in OrderChannel.values:
        errors.add("channel", _("未知渠道：%(channel)s") % {"channel": channel})
    external_id = to_halfwidth(data.external_id or "").strip()
    if not external_id or len(external_id) > EXTERNAL_ID_MAX_LENGTH:
        errors.add("external_id", _("外部单号必填，且不超过 64 个字符。"))
    note = (data.note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors.add("note", _("备注不超过 200 个字符。"))
    customer = _resolve_customer(user, data.customer_id, errors)
    store = _resolve_store(user, data.store, customer, errors)
    ordered_at = resolve_ordered_at(data.ordered_at, errors)
    lines = resolve_lines(data.lines, errors)
    errors.raise_if_any()
    payments = _resolve_payments(data.payments, sum((x.line_total for x in lines), ZERO), errors)
    errors.raise_if_any()
    assert store is not None  # for mypy: no errors means the store resolved

    existing = _stored_order_or_check_serials(channel, external_id, lines, errors)
    if existing is not None:
        return _replay(user, existing, store=store, customer=customer, lines=lines), False
    try:
        with transaction.atomic():
            order = _write(
                user=user,
                channel=channel,
                external_id=external_id,
                store=store,
                customer=customer,
                ordered_at=ordered_at,
                lines=lines,
                payments=payments,
                note=note,
            )
    except IntegrityError:
        # A concurrent submission of the same order committed first: answer as a replay.
        existing = Order.objects.filter(channel=channel, external_id=external_id).first()
        if existing is None:
            raise
        return _replay(user, existing, store=store, customer=customer, lines=lines), False
    if customer is not None:
        announce_order_recorded(order_id=order.pk, customer_id=customer.pk)
    return order, True


# --- Returns -------------------------------------------------------------------------------

RETURN_REASON_MAX_LENGTH = 200


@dataclass(frozen=True)
class _ReturnPlan:
    line: OrderLine
    quantity: int
    amount: Decimal  # the line's paid value of these units (before any refund override)
    serials: list[SerialNumber]


def _resolve_return_store(
    user: Any, order: Order, store_id: int | None, errors: OrderErrors
) -> Store | None:
    """The store taking the goods back: given, else the user's own, else the order's. It must be
    one of the user's stores or the store that sold the order."""
    if store_id is None:
        store_id = getattr(user, "store_id", None) or order.store_id
    allowed = store_ids_for(user)
    store = Store.objects.filter(pk=store_id).first() if isinstance(store_id, int) else None
    if store is None or not (
        allowed is ALL_STORES or store.pk in (allowed or ()) or store.pk == order.store_id
    ):
        errors.add("store", _("门店不存在或不在您的权限范围内。"))
        return None
    return store


def _plan_return_lines(
    order: Order,
    lines: Sequence[tuple[int, int]],
    serials: Sequence[str],
    errors: OrderErrors,
) -> tuple[list[_ReturnPlan], dict[int, ReturnableLine]]:
    """The planned lines, and what each line of the order could still be returned before them
    (the caller works out from it whether the return empties the order)."""
    if not lines:
        errors.add("lines", _("请至少选择一行要退的商品。"))
        return [], {}
    available = {item.line.pk: item for item in returnable_lines(order)}
    plans: list[_ReturnPlan] = []
    seen: set[int] = set()
    for index, (line_id, quantity) in enumerate(lines):
        item = available.get(line_id) if isinstance(line_id, int) else None
        if item is None:
            errors.add(f"lines.{index}.line_id", _("该商品行不属于此订单。"))
            continue
        if line_id in seen:
            errors.add(f"lines.{index}.line_id", _("同一商品行重复。"))
            continue
        seen.add(line_id)
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
            errors.add(f"lines.{index}.quantity", _("退货数量必须是大于 0 的整数。"))
            continue
        if quantity > item.returnable:
            errors.add(
                f"lines.{index}.quantity",
                _("最多可退 %(count)s 件（已购 %(bought)s 件，已退 %(returned)s 件）。")
                % {"count": item.returnable, "bought": item.bought, "returned": item.returned},
            )
            continue
        plans.append(
            _ReturnPlan(
                line=item.line, quantity=quantity, amount=item.value_of(quantity), serials=[]
            )
        )
    if errors.by_field:
        return plans, available
    _assign_serials(plans, available, serials, errors)
    return plans, available


def _assign_serials(
    plans: list[_ReturnPlan],
    available: dict[int, ReturnableLine],
    serials: Sequence[str],
    errors: OrderErrors,
) -> None:
    """Every given serial must be an unreturned unit of a returned line; a line with registered
    serial numbers names as many as it returns (as many as are left, if fewer were registered)."""
    wanted = [to_halfwidth(str(serial)).strip() for serial in serials]
    if len(set(wanted)) != len(wanted):
        errors.add("serials", _("序列号重复。"))
        return
    by_serial = {
        serial.serial: (plan, serial)
        for plan in plans
        for serial in available[plan.line.pk].open_serials
    }
    unknown = [serial for serial in wanted if serial not in by_serial]
    if unknown:
        errors.add(
            "serials",
            _("序列号不属于所退商品行或已退回：%(serials)s") % {"serials": ", ".join(unknown)},
        )
        return
    for serial in wanted:
        plan, row = by_serial[serial]
        plan.serials.append(row)
    for plan in plans:
        needed = min(plan.quantity, len(available[plan.line.pk].open_serials))
        if len(plan.serials) != needed:
            errors.add(
                "serials",
                _("%(product)s：需选择 %(needed)s 个序列号（已选 %(count)s 个）。")
                % {
                    "product": plan.line.product.name,
                    "needed": needed,
                    "count": len(plan.serials),
                },
            )


def _split_refund(plans: Sequence[_ReturnPlan], refund: Decimal) -> list[Decimal]:
    """The refund spread over the lines in proportion to their value (the last line takes the
    rounding), so the return lines always add up to the refund."""
    value = sum((plan.amount for plan in plans), ZERO)
    if refund == value:
        return [plan.amount for plan in plans]
    shares: list[Decimal] = []
    for plan in plans[:-1]:
        share = (refund * plan.amount / value).quantize(CENT) if value else ZERO
        shares.append(share)
    shares.append(refund - sum(shares, ZERO))
    return shares


@transaction.atomic
def record_return(
    *,
    user: Any,
    order_id: int,
    lines: Sequence[tuple[int, int]],
    reason: str,
    refund_amount: Decimal | None = None,
    serials: Sequence[str] = (),
    store: int | None = None,
    returned_at: datetime | None = None,
) -> Return:
    """Take goods of an order back: ``lines`` are (order line id, quantity) pairs.

    The refund defaults to the returned units' paid value (line total pro rata, discounts
    included; the last unit of a line takes the rounding, so a whole line refunds exactly its
    total) and may be set anywhere up to what the order has not refunded yet. The returned
    serial numbers are marked, the order becomes partially returned or returned, the action is
    audit-logged, and after commit ``return_recorded`` tells loyalty, insights and tags.

    Raises ``PermissionDenied`` without ``Capability.CREATE_ORDERS``, ``Http404`` for an order
    the user may not see, ``ValidationError`` keyed by input path for bad input (nothing is
    written then)."""
    if not has_capability(user, Capability.CREATE_ORDERS):
        raise PermissionDenied(Capability.CREATE_ORDERS.value)
    if not orders_visible_to(user).filter(pk=order_id).exists():
        raise Http404("order not found")
    order = Order.objects.select_for_update().get(pk=order_id)
    errors = OrderErrors()
    if order.status == OrderStatus.CANCELLED:
        errors.add(NON_FIELD_ERRORS, _("已取消的订单不能退货。"))
        errors.raise_if_any()
    reason = (reason or "").strip()
    if not reason:
        errors.add("reason", _("请填写退货原因。"))
    elif len(reason) > RETURN_REASON_MAX_LENGTH:
        errors.add("reason", _("退货原因不超过 200 个字符。"))
    return_store = _resolve_return_store(user, order, store, errors)
    now = timezone.now()
    when = returned_at or now
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > now + CLOCK_TOLERANCE:
        errors.add("returned_at", _("退货时间不能晚于现在。"))
    elif when < order.ordered_at:
        errors.add("returned_at", _("退货时间不能早于下单时间。"))
    plans, available = _plan_return_lines(order, lines, serials, errors)
    refundable = refundable_amount(order)
    value = sum((plan.amount for plan in plans), ZERO)
    refund: Decimal | None = min(value, refundable)
    if refund_amount is not None:
        refund = parse_money(refund_amount, "refund_amount", errors)
        if refund is not None and refund > refundable:
            errors.add(
                "refund_amount",
                _("退款不能超过订单未退金额 %(amount)s。") % {"amount": refundable},
            )
    errors.raise_if_any()
    assert return_store is not None and refund is not None  # for mypy: no errors

    record = Return.objects.create(
        order=order,
        store=return_store,
        staff=user if getattr(user, "is_authenticated", False) else None,
        reason=reason,
        refund_amount=refund,
        returned_at=when,
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(return_record=record, line=plan.line, quantity=plan.quantity, amount=share)
        for plan, share in zip(plans, _split_refund(plans, refund), strict=True)
    )
    serial_ids = [serial.pk for plan in plans for serial in plan.serials]
    if serial_ids:
        SerialNumber.objects.filter(pk__in=serial_ids).update(is_returned=True)
    planned = {plan.line.pk: plan.quantity for plan in plans}
    fully = all(item.returnable == planned.get(pk, 0) for pk, item in available.items())
    order.status = OrderStatus.RETURNED if fully else OrderStatus.PARTIALLY_RETURNED
    Order.objects.filter(pk=order.pk).update(status=order.status)
    log_event(
        actor=user,
        obj=order,
        event="order_return",
        data={
            "return_id": record.pk,
            "refund_amount": str(refund),
            "lines": [[plan.line.pk, plan.quantity] for plan in plans],
            "serials": len(serial_ids),
            "status": order.status,
        },
    )
    if order.customer_id is not None:
        announce_return_recorded(
            return_id=record.pk, order_id=order.pk, customer_id=order.customer_id
        )
    return record
