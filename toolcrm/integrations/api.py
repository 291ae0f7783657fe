"""The live integration API for POS and e-commerce systems, mounted at ``/api/integrations/``:
batch upsert of orders and customers (up to 1,000 items per call), each item answered with its
own status and errors, rate limited per user (``INTEGRATION_API_RATE``).

Handlers are thin: schema → ``integrations.batch`` per item → results. The order schema is the
one of ``POST /api/orders/`` plus a buyer reference (phone, name, member card) for systems that do
not know our customer ids. See docs/api.md, "Batch endpoints"."""

# No ``from __future__ import annotations`` here: django-ninja builds its request models from the
# handlers' annotations at import time and needs them as real objects, not strings.

from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.throttling import UserRateThrottle
from pydantic import ConfigDict, Field

from toolcrm.core.api_errors import ErrorOut, FieldError, FieldErrorsOut
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.api import CustomerIn, customer_service_data
from toolcrm.integrations.batch import (
    MAX_BATCH_ITEMS,
    BuyerReference,
    ItemOutcome,
    errors_of,
    record_order_item,
    upsert_customer_item,
)
from toolcrm.sales.api import OrderIn
from toolcrm.sales.signals import batched_order_signals


class IntegrationRateThrottle(UserRateThrottle):
    """Per-user limit on the batch endpoints; the rate is read from ``INTEGRATION_API_RATE`` on
    every request (not at import), so operations and tests can change it."""

    scope = "integrations"

    def __init__(self) -> None:
        self.rate = None
        self.num_requests, self.duration = None, None

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = settings.INTEGRATION_API_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)


router = Router(tags=["integrations"], throttle=[IntegrationRateThrottle()])

BATCH_ERRORS: dict[int, type[Schema]] = {
    401: ErrorOut,
    403: ErrorOut,
    422: FieldErrorsOut,
    429: ErrorOut,
}
_ORDER_EXAMPLE: dict[str, Any] = {
    "channel": "pos",
    "external_id": "POS-SH01-20261125-0042",
    "store": "SH01",
    "customer_phone": "+86 139-0000-1234",
    "customer_name": "林芳",
    "ordered_at": "2026-11-25T14:30:00+08:00",
    "lines": [{"sku": "BSH-GSB18V50", "quantity": 1, "discount": "50.00"}],
    "payments": [{"method": "wechat_pay", "amount": "849.00"}],
}


class OrderBatchItemIn(OrderIn):
    customer_phone: str = Field(
        "",
        max_length=30,
        description="When the sending system does not know our `customer_id`: the buyer's phone "
        "(any written form). A phone of none of your customers creates a provisional customer.",
        examples=["+86 139-0000-1234"],
    )
    customer_name: str = Field(
        "", max_length=100, description="Name for a provisional customer.", examples=["林芳"]
    )
    customer_member_card: str = Field(
        "", max_length=20, description="The buyer's member card number.", examples=["M000012345"]
    )


class OrdersBatchIn(Schema):
    model_config = ConfigDict(json_schema_extra={"examples": [{"items": [_ORDER_EXAMPLE]}]})

    items: list[OrderBatchItemIn] = Field(
        min_length=1,
        max_length=MAX_BATCH_ITEMS,
        description="1–1,000 orders, each as for `POST /api/orders/`.",
    )


class OrderResultOut(Schema):
    index: int = Field(description="Position of the item in `items`.", examples=[0])
    external_id: str = Field(examples=["POS-SH01-20261125-0042"])
    status: Literal["created", "replayed", "error", "conflict"] = Field(
        description="`created`: recorded now; `replayed`: already recorded with the same content, "
        "nothing written; `error`: a business rule failed (see `errors`), nothing written; "
        "`conflict`: the (channel, external_id) is taken by a different order."
    )
    order_id: int | None = Field(examples=[5001])
    customer_id: int | None = Field(examples=[1024])
    provisional_customer: bool = Field(
        description="true when this item created a provisional customer for an unknown buyer."
    )
    errors: list[FieldError] = Field(description="Field paths are relative to the item.")


class OrdersSummaryOut(Schema):
    created: int = Field(examples=[1])
    replayed: int = Field(examples=[0])
    errors: int = Field(description="Items with status `error` or `conflict`.", examples=[0])


class OrdersBatchOut(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "results": [
                        {
                            "index": 0,
                            "external_id": "POS-SH01-20261125-0042",
                            "status": "created",
                            "order_id": 5001,
                            "customer_id": 2048,
                            "provisional_customer": True,
                            "errors": [],
                        }
                    ],
                    "summary": {"created": 1, "replayed": 0, "errors": 0},
                }
            ]
        }
    )

    results: list[OrderResultOut]
    summary: OrdersSummaryOut


class CustomerBatchItemIn(CustomerIn):
    name: str = Field(
        "", max_length=100, description="Required to create a customer.", examples=["林芳"]
    )


class CustomersBatchIn(Schema):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"name": "林芳", "phone": "139 0000 1234", "source_channel": "ecommerce"},
                        {"member_card_no": "M000012345", "occupation": "电工"},
                    ]
                }
            ]
        }
    )

    items: list[CustomerBatchItemIn] = Field(
        min_length=1,
        max_length=MAX_BATCH_ITEMS,
        description="1–1,000 customers, each identified by `phone` or `member_card_no`. An "
        "existing customer in your scope gets the non-empty fields given; others are created.",
    )


class CustomerResultOut(Schema):
    index: int = Field(examples=[0])
    status: Literal["created", "updated", "unchanged", "error"]
    customer_id: int | None = Field(examples=[1024])
    errors: list[FieldError]


class CustomersSummaryOut(Schema):
    created: int
    updated: int
    unchanged: int
    errors: int


class CustomersBatchOut(Schema):
    results: list[CustomerResultOut]
    summary: CustomersSummaryOut


def _field_errors(outcome: ItemOutcome) -> list[dict[str, str]]:
    return [{"field": name, "message": message} for name, message in outcome.errors]


@router.post(
    "/orders/batch",
    response={200: OrdersBatchOut, **BATCH_ERRORS},
    summary="Record up to 1,000 orders (idempotent, per-item status)",
)
def orders_batch(request: HttpRequest, payload: OrdersBatchIn) -> dict[str, Any]:
    """Each order is recorded on its own, exactly as `POST /api/orders/` would; one bad item
    never fails the others. Replaying a batch answers `replayed` for every item and writes
    nothing."""
    require_capability(request.user, Capability.CREATE_ORDERS)
    results: list[dict[str, Any]] = []
    with batched_order_signals():  # one orders_recorded_batch for the call, not one per order
        outcomes = [
            record_order_item(
                user=request.user,
                data=item.to_input(),
                buyer=BuyerReference(
                    phone=item.customer_phone,
                    name=item.customer_name,
                    member_card_no=item.customer_member_card,
                ),
            )
            for item in payload.items
        ]
    for index, (item, outcome) in enumerate(zip(payload.items, outcomes, strict=True)):
        results.append(
            {
                "index": index,
                "external_id": item.external_id,
                "status": outcome.status,
                "order_id": outcome.order_id,
                "customer_id": outcome.customer_id,
                "provisional_customer": outcome.is_provisional_customer,
                "errors": _field_errors(outcome),
            }
        )
    statuses = [result["status"] for result in results]
    summary = {
        "created": statuses.count("created"),
        "replayed": statuses.count("replayed"),
        "errors": statuses.count("error") + statuses.count("conflict"),
    }
    return {"results": results, "summary": summary}


def _upsert(request: HttpRequest, item: CustomerBatchItemIn) -> ItemOutcome:
    given = {
        name: value
        for name, value in item.model_dump(exclude_unset=True).items()
        if value not in (None, "")
    }
    buyer = BuyerReference(phone=item.phone, member_card_no=item.member_card_no)
    try:
        data = customer_service_data(request.user, given, is_new=False)
    except ValidationError as error:
        return ItemOutcome(status="error", errors=errors_of(error))
    return upsert_customer_item(user=request.user, data=data, buyer=buyer)


@router.post(
    "/customers/batch",
    response={200: CustomersBatchOut, **BATCH_ERRORS},
    summary="Create or update up to 1,000 customers (per-item status)",
)
def customers_batch(request: HttpRequest, payload: CustomersBatchIn) -> dict[str, Any]:
    """Each customer is found by phone, else member card, among the customers in your scope:
    found, the non-empty fields given are updated (`updated`, or `unchanged`); not found, the
    customer is created (`created`; home store defaults to yours). Errors are per item."""
    require_capability(request.user, Capability.EDIT_CUSTOMERS)
    results: list[dict[str, Any]] = []
    for index, item in enumerate(payload.items):
        outcome = _upsert(request, item)
        results.append(
            {
                "index": index,
                "status": outcome.status,
                "customer_id": outcome.customer_id,
                "errors": _field_errors(outcome),
            }
        )
    statuses = [result["status"] for result in results]
    summary = {
        "created": statuses.count("created"),
        "updated": statuses.count("updated"),
        "unchanged": statuses.count("unchanged"),
        "errors": statuses.count("error"),
    }
    return {"results": results, "summary": summary}
