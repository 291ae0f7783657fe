"""The orders part of the HTTP API: record an order (idempotent), read one, list a customer's,
record a return of one (``POST /api/orders/{id}/returns``, through ``services.record_return``).

Two routers: ``router`` is mounted at ``/api/orders/``; ``customer_orders_router`` adds
``/api/customers/{id}/orders`` (it lives here because ``customers`` may not import ``sales``).
Handlers turn the JSON payload into ``services.OrderInput`` and read through
``sales.selectors``, so the API and the importers share one write path and one scope rule.
"""

# No ``from __future__ import annotations`` here: django-ninja builds its request models from the
# handlers' annotations at import time and needs them as real objects, not strings.

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import Field

from toolcrm.core.api_errors import ErrorOut, FieldErrorsOut
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.api import LocalDateTime, StoreOut, StoreReference
from toolcrm.sales.choices import OrderChannel, OrderStatus, PaymentMethod
from toolcrm.sales.models import Order, OrderLine, Return
from toolcrm.sales.selectors import customer_orders, get_order_for
from toolcrm.sales.services import (
    MAX_LINES,
    OrderConflictError,
    OrderInput,
    OrderLineInput,
    PaymentInput,
    create_order,
    record_return,
)

router = Router(tags=["orders"])
customer_orders_router = Router(tags=["orders"])

Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class OrderLineIn(Schema):
    sku: str = Field(min_length=1, max_length=40, examples=["BSH-GSB18V50"])
    quantity: int = Field(gt=0, le=100_000, examples=[1])
    unit_price: Money | None = Field(
        None,
        ge=0,
        description="Price per unit in CNY; defaults to the product's current retail price.",
        examples=["899.00"],
    )
    discount: Money = Field(
        Decimal("0"),
        ge=0,
        description="Discount on the whole line (not per unit), at most quantity × unit price.",
        examples=["50.00"],
    )
    serials: list[str] = Field(
        default_factory=list,
        max_length=10_000,
        description="Power tools only: one serial number per unit (count = quantity). "
        "A serial can be sold once per product.",
        examples=[["BSH2409A01234"]],
    )


class PaymentIn(Schema):
    method: PaymentMethod
    amount: Money = Field(gt=0, examples=["849.00"])


class OrderIn(Schema):
    channel: OrderChannel = Field(description="Where the sale happened.")
    external_id: str = Field(
        min_length=1,
        max_length=64,
        description="The order's id in the sending system. (channel, external_id) is the "
        "idempotency key: sending the same order again returns the stored one.",
        examples=["POS-SH01-20261125-0042"],
    )
    store: StoreReference = Field(
        description="Store id (number) or store code (text); must be one of your stores.",
        examples=["SH01"],
    )
    customer_id: int | None = Field(
        None, description="A customer you may see; omit for a walk-in sale.", examples=[1024]
    )
    ordered_at: datetime | None = Field(
        None,
        description="When the sale happened (ISO 8601; without an offset it is read as "
        "Asia/Shanghai). Defaults to now; may not be in the future.",
        examples=["2026-11-25T14:30:00+08:00"],
    )
    lines: list[OrderLineIn] = Field(min_length=1, max_length=MAX_LINES)
    payments: list[PaymentIn] = Field(
        default_factory=list,
        max_length=20,
        description="Optional; when given, the amounts must add up to the order total.",
    )
    note: str = Field("", max_length=200)

    def to_input(self) -> OrderInput:
        return OrderInput(
            channel=self.channel.value,
            external_id=self.external_id,
            store=self.store,
            customer_id=self.customer_id,
            ordered_at=self.ordered_at,
            lines=[
                OrderLineInput(
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    discount=line.discount,
                    serials=tuple(line.serials),
                )
                for line in self.lines
            ],
            payments=[PaymentInput(method=p.method.value, amount=p.amount) for p in self.payments],
            note=self.note,
        )


class OrderLineOut(Schema):
    id: int
    product_id: int
    sku: str = Field(examples=["BSH-GSB18V50"])
    product_name: str = Field(examples=["GSB 18V-50 冲击钻"])
    quantity: int = Field(examples=[1])
    unit_price: Decimal = Field(examples=["899.00"])
    discount: Decimal = Field(examples=["50.00"])
    line_total: Decimal = Field(
        description="quantity × unit_price − discount.", examples=["849.00"]
    )
    serials: list[str] = Field(examples=[["BSH2409A01234"]])

    @staticmethod
    def resolve_sku(obj: OrderLine) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_product_name(obj: OrderLine) -> str:
        return obj.product.name

    @staticmethod
    def resolve_serials(obj: OrderLine) -> list[str]:
        return [serial.serial for serial in obj.serials.all()]


class PaymentOut(Schema):
    method: PaymentMethod
    amount: Decimal = Field(examples=["849.00"])
    paid_at: LocalDateTime


class OrderOut(Schema):
    id: int = Field(examples=[5001])
    channel: OrderChannel
    external_id: str = Field(examples=["POS-SH01-20261125-0042"])
    status: OrderStatus
    store: StoreOut
    customer_id: int | None = Field(description="null for a walk-in sale.", examples=[1024])
    ordered_at: LocalDateTime
    subtotal: Decimal = Field(description="Sum of quantity × unit price.", examples=["899.00"])
    discount_total: Decimal = Field(description="Sum of line discounts.", examples=["50.00"])
    total: Decimal = Field(
        description="subtotal − discount_total, in CNY as a decimal string.", examples=["849.00"]
    )
    note: str
    lines: list[OrderLineOut]
    payments: list[PaymentOut]
    created_at: LocalDateTime

    @staticmethod
    def resolve_lines(obj: Order) -> list[OrderLine]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_payments(obj: Order) -> list[Any]:
        return list(obj.payments.all())


class OrderCreatedOut(OrderOut):
    created: bool = Field(
        description="true when this request recorded the order (201); false when it was a "
        "replay of an order already recorded (200)."
    )


@router.post(
    "/",
    response={
        200: OrderCreatedOut,
        201: OrderCreatedOut,
        400: FieldErrorsOut,
        401: ErrorOut,
        403: ErrorOut,
        409: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="Record an order (idempotent)",
)
def create(request: HttpRequest, payload: OrderIn) -> Status[Any]:
    """Records a sale with its lines, serial numbers and payments, computing the totals.
    Idempotent on (channel, external_id): a replay with the same content answers 200 with the
    stored order and `created: false`; a replay with different content is a 409 `conflict`."""
    require_capability(request.user, Capability.CREATE_ORDERS)
    try:
        order, created = create_order(user=request.user, data=payload.to_input())
    except OrderConflictError as conflict:
        return Status(409, {"detail": conflict.message, "code": "conflict"})
    body = get_order_for(user=request.user, order_id=order.pk)
    body.created = created  # type: ignore[attr-defined]
    return Status(201 if created else 200, body)


@router.get("/{order_id}", response={200: OrderOut, **READ_ERRORS}, summary="Get an order")
def get(request: HttpRequest, order_id: int) -> Order:
    require_capability(request.user, Capability.VIEW_SALES)
    return get_order_for(user=request.user, order_id=order_id)


@customer_orders_router.get(
    "/{customer_id}/orders",
    response={200: list[OrderOut], **READ_ERRORS, 422: FieldErrorsOut},
    summary="List a customer's orders",
)
@paginate(LimitOffsetPagination)
def list_customer_orders(request: HttpRequest, customer_id: int) -> Any:
    """The customer's orders, newest first, each with its lines and payments."""
    require_capability(request.user, Capability.VIEW_SALES)
    return customer_orders(user=request.user, customer_id=customer_id)


class ReturnLineIn(Schema):
    line_id: int = Field(
        description="An order line id (`lines[].id` of the order).", examples=[9001]
    )
    quantity: int = Field(
        gt=0,
        le=100_000,
        description="Units to take back; at most what was bought minus what earlier returns took.",
        examples=[1],
    )


class ReturnIn(Schema):
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=MAX_LINES)
    reason: str = Field(min_length=1, max_length=200, examples=["质量问题"])
    refund_amount: Money | None = Field(
        None,
        ge=0,
        description="Defaults to the returned units' paid value (line total pro rata, discounts "
        "included); at most the order total minus what earlier returns refunded.",
        examples=["424.50"],
    )
    serials: list[str] = Field(
        default_factory=list,
        max_length=10_000,
        description="Serial numbers taken back: required, one per returned unit, for lines with "
        "registered serial numbers.",
        examples=[["BSH2409A01234"]],
    )
    store: int | None = Field(
        None,
        description="Store id taking the goods back; defaults to your store, else the order's. "
        "Must be one of your stores or the store that sold the order.",
    )
    returned_at: datetime | None = Field(
        None, description="Defaults to now; not in the future, not before the order."
    )


class ReturnLineOut(Schema):
    line_id: int
    quantity: int
    amount: Decimal = Field(description="This line's share of the refund.", examples=["424.50"])


class ReturnOut(Schema):
    id: int
    order_id: int
    order_status: OrderStatus = Field(description="The order's status after this return.")
    store_id: int
    reason: str
    refund_amount: Decimal = Field(examples=["424.50"])
    returned_at: LocalDateTime
    lines: list[ReturnLineOut]

    @staticmethod
    def resolve_order_status(obj: Return) -> str:
        return obj.order.status

    @staticmethod
    def resolve_lines(obj: Return) -> list[Any]:
        return list(obj.lines.order_by("pk"))


@router.post(
    "/{order_id}/returns",
    response={
        201: ReturnOut,
        400: FieldErrorsOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="Record a return of an order",
)
def create_return(request: HttpRequest, order_id: int, payload: ReturnIn) -> Status[Any]:
    """Takes goods of a visible order back: marks the serial numbers returned, sets the order to
    `partially_returned` or `returned`, and (after commit) reverses the refunded share of the
    loyalty points and refreshes the customer's scores and tags. Not idempotent: each call is one
    more return, refused (400) once nothing is left to return."""
    require_capability(request.user, Capability.CREATE_ORDERS)
    record = record_return(
        user=request.user,
        order_id=order_id,
        lines=[(line.line_id, line.quantity) for line in payload.lines],
        reason=payload.reason,
        refund_amount=payload.refund_amount,
        serials=payload.serials,
        store=payload.store,
        returned_at=payload.returned_at,
    )
    return Status(201, record)  # record.order is the order, its status already updated
