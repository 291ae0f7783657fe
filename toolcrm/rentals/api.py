"""The rentals part of the HTTP API, mounted at ``/api/rentals/``: list outstanding loans, read
one, lend a tool, take it back. Same capability (``MANAGE_RENTALS``), scope and services as the
pages; errors in the API's one JSON format (``core.api_errors``)."""

# No ``from __future__ import annotations``: django-ninja reads the annotations at import time.

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import Field

from toolcrm.core.api_errors import ErrorOut, FieldErrorsOut
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.api import LocalDateTime, StoreOut
from toolcrm.rentals import selectors, services
from toolcrm.rentals.choices import (
    AgreementKind,
    AgreementStatus,
    DepositMethod,
    UnitCondition,
)
from toolcrm.rentals.models import RentalAgreement

router = Router(tags=["rentals"])

Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2)]
READ_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {
    400: FieldErrorsOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    422: FieldErrorsOut,
}


class UnitOut(Schema):
    id: int
    asset_tag: str = Field(examples=["SH01-R-0003"])
    sku: str = Field(examples=["BSH-GBH226"])
    product_name: str = Field(examples=["电锤"])
    condition: UnitCondition

    @staticmethod
    def resolve_sku(obj: Any) -> str:
        return str(obj.product.sku)

    @staticmethod
    def resolve_product_name(obj: Any) -> str:
        return str(obj.product.name)


class AgreementOut(Schema):
    id: int = Field(examples=[42])
    number: str = Field(examples=["R000042"])
    kind: AgreementKind
    status: AgreementStatus
    customer_id: int
    store: StoreOut
    unit: UnitOut
    started_at: LocalDateTime
    due_on: date
    daily_rate: Decimal = Field(examples=["45.00"])
    deposit_amount: Decimal = Field(examples=["500.00"])
    deposit_method: DepositMethod
    days_overdue: int = Field(description="Days past the due date today (0 when not overdue).")
    returned_at: LocalDateTime | None
    return_condition: str
    rental_charge: Decimal
    late_fee: Decimal
    damage_charge: Decimal
    deposit_refund: Decimal = Field(description="Deposit − charges, never below zero.")
    amount_owed: Decimal = Field(description="What the deposit did not cover.")
    converted_order_id: int | None

    @staticmethod
    def resolve_days_overdue(obj: RentalAgreement) -> int:
        return selectors.days_overdue(obj) if obj.is_outstanding else 0


class LendIn(Schema):
    customer_id: int = Field(examples=[1024])
    unit_id: int = Field(description="An available unit of one of your stores.", examples=[7])
    kind: AgreementKind = AgreementKind.RENTAL
    due_on: date = Field(description="After today; at most the configured loan length.")
    deposit_amount: Money = Field(ge=0, examples=["500.00"])
    deposit_method: DepositMethod
    note: str = Field("", max_length=200)


class ReturnIn(Schema):
    condition: UnitCondition
    damage_charge: Money = Field(Decimal("0"), ge=0, examples=["0.00"])


@router.get(
    "/",
    response={200: list[AgreementOut], 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="List outstanding loans",
)
@paginate(LimitOffsetPagination)
def list_open(
    request: HttpRequest, store_id: int | None = None, overdue: bool | None = None
) -> Any:
    """Open and overdue loans visible to you, soonest due first; `overdue=true` keeps only
    those past their due date."""
    require_capability(request.user, Capability.MANAGE_RENTALS)
    return selectors.open_agreements(user=request.user, store_id=store_id, is_overdue=overdue)


@router.get("/{agreement_id}", response={200: AgreementOut, **READ_ERRORS}, summary="Get a loan")
def get(request: HttpRequest, agreement_id: int) -> RentalAgreement:
    require_capability(request.user, Capability.MANAGE_RENTALS)
    return selectors.get_agreement_for(user=request.user, agreement_id=agreement_id)


@router.post("/", response={201: AgreementOut, **WRITE_ERRORS}, summary="Lend a tool")
def lend(request: HttpRequest, payload: LendIn) -> Status[Any]:
    """Lends an available unit of your stores to a customer you may see. 400 with the field
    for a unit that is not available, a deposit below the minimum, a due date not in the future,
    or a customer with an overdue loan or unpaid balance."""
    require_capability(request.user, Capability.MANAGE_RENTALS)
    agreement = services.lend(
        user=request.user,
        customer_id=payload.customer_id,
        unit_id=payload.unit_id,
        kind=payload.kind.value,
        due_on=payload.due_on,
        deposit_amount=payload.deposit_amount,
        deposit_method=payload.deposit_method.value,
        note=payload.note,
    )
    return Status(201, selectors.get_agreement_for(user=request.user, agreement_id=agreement.pk))


@router.post(
    "/{agreement_id}/return", response={200: AgreementOut, **WRITE_ERRORS}, summary="Return a tool"
)
def return_tool(request: HttpRequest, agreement_id: int, payload: ReturnIn) -> RentalAgreement:
    """Closes the loan: rent, late fee and damage are charged against the deposit; the answer
    carries the refund and any amount owed. Only the lending store may take the tool back."""
    require_capability(request.user, Capability.MANAGE_RENTALS)
    selectors.get_agreement_for(user=request.user, agreement_id=agreement_id)
    services.return_unit(
        user=request.user,
        agreement_id=agreement_id,
        condition=payload.condition.value,
        damage_charge=payload.damage_charge,
    )
    return selectors.get_agreement_for(user=request.user, agreement_id=agreement_id)
