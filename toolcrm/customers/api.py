"""The customers part of the HTTP API: search, read, create and update customers.

Handlers are thin: every read starts from ``customers.selectors`` (so an id outside the caller's
scope is a 404), every write goes through ``customers.services``. Phones leave the API masked
(``138****5678``), always; ciphertext and blind indexes never leave it at all.
"""

# No ``from __future__ import annotations`` here: django-ninja builds its request models from the
# handlers' annotations at import time and needs them as real objects, not strings.

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import BeforeValidator, Field, PlainSerializer, WithJsonSchema

from toolcrm.core.api_errors import ErrorOut, FieldError, FieldErrorsOut
from toolcrm.core.pii import mask_phone
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.choices import AgeBand, CompanyType, CustomerKind, Gender, SourceChannel
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import (
    customer_list,
    customers_visible_to,
    find_home_store,
    get_customer_for,
    search_queryset,
)
from toolcrm.customers.services import DuplicatePhoneError, create_customer, update_customer

router = Router(tags=["customers"])

AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut}
LIST_ERRORS: dict[int, type[Schema]] = {**AUTH_ERRORS, 422: FieldErrorsOut}
READ_ERRORS: dict[int, type[Schema]] = {**AUTH_ERRORS, 404: ErrorOut}
MASKED_PHONE = "Masked phone (`138****5678`). The API never returns a full phone number."


def _local_iso(value: datetime) -> str:
    return timezone.localtime(value).isoformat()


def _store_reference(value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(_("门店应为门店 ID（数字）或门店编码（文本）。"))
    return value


# Shared with the other apps' API modules (sales imports them; customers may not import sales).
LocalDateTime = Annotated[
    datetime,
    PlainSerializer(_local_iso, return_type=str),
    WithJsonSchema({"type": "string", "format": "date-time"}),
]
"""A timestamp answered in the site's time zone (Asia/Shanghai): ``2026-11-25T14:30:00+08:00``."""
StoreReference = Annotated[
    int | str,
    BeforeValidator(_store_reference),
    WithJsonSchema({"anyOf": [{"type": "integer"}, {"type": "string"}]}),
]
"""A store by id (a JSON number) or by store code (a JSON string); one error location."""


class StoreOut(Schema):
    id: int = Field(examples=[3])
    code: str = Field(description="Store code, unique in the chain.", examples=["SH01"])
    name: str = Field(examples=["上海浦东店"])


class CustomerOut(Schema):
    id: int = Field(examples=[1024])
    kind: CustomerKind = Field(description="`person` or `company`.")
    name: str = Field(description="Person's or company's name.", examples=["王建国"])
    member_card_no: str | None = Field(examples=["M000012345"])
    phone: str = Field(description=MASKED_PHONE, examples=["138****5678"])
    phone_secondary: str = Field(description=MASKED_PHONE, examples=[""])
    email: str = Field(examples=["wang@example.com"])
    gender: Gender
    birthday: date | None
    age_band: AgeBand
    occupation: str = Field(examples=["水电工"])
    company_type: CompanyType | None = Field(description="Companies only.")
    credit_code: str = Field(description="Unified social credit code (companies).")
    home_store: StoreOut = Field(description="The store the customer belongs to.")
    province: str = Field(examples=["上海市"])
    city: str = Field(examples=["上海市"])
    district: str = Field(examples=["浦东新区"])
    street: str = Field(examples=["张杨路 500 号"])
    adcode: str = Field(description="Administrative division code.", examples=["310115"])
    source_channel: SourceChannel
    notes: str
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_phone(obj: Customer) -> str:
        return mask_phone(obj.phone or "")

    @staticmethod
    def resolve_phone_secondary(obj: Customer) -> str:
        return mask_phone(obj.phone_secondary or "")

    @staticmethod
    def resolve_company_type(obj: Customer) -> str | None:
        return obj.company_type or None


class CustomerFilter(Schema):
    q: str = Field(
        "",
        description="One-box search: a phone in any written form (`+86 138-1234-5678`, "
        "full-width digits…, exact match), a member card number (`M…`) or the beginning of a "
        "name. Empty: every customer in your scope, newest first.",
        examples=["138 1234 5678"],
    )


_HOME_STORE = (
    "Store id (number) or store code (text). Defaults to your own store; must be a store in "
    "your scope."
)
_PHONE_IN = "Any written form: `+86 138-1234-5678`, `0086…`, spaces, dashes, full-width digits."


class CustomerIn(Schema):
    kind: CustomerKind = CustomerKind.PERSON
    name: str = Field(max_length=100, examples=["林芳"])
    phone: str = Field("", description=_PHONE_IN + " Required for a person.", max_length=30)
    phone_secondary: str = Field("", description=_PHONE_IN, max_length=30)
    member_card_no: str = Field("", max_length=20, examples=["M000012346"])
    email: str = Field("", max_length=254)
    home_store: StoreReference | None = Field(None, description=_HOME_STORE, examples=["SH01"])
    gender: Gender = Gender.UNKNOWN
    birthday: date | None = None
    age_band: AgeBand = AgeBand.UNKNOWN
    occupation: str = Field("", max_length=50)
    company_type: CompanyType | None = None
    credit_code: str = Field("", max_length=18)
    id_card_no: str = Field(
        "", description="Resident ID number; stored encrypted, never returned.", max_length=20
    )
    wechat_openid: str = Field("", max_length=64)
    wechat_unionid: str = Field("", max_length=64)
    province: str = Field("", max_length=20)
    city: str = Field("", max_length=30)
    district: str = Field("", max_length=30)
    street: str = Field("", max_length=200)
    source_channel: SourceChannel = SourceChannel.STORE
    notes: str = ""


class CustomerPatch(Schema):
    """Only the fields sent are changed; `null` clears an optional field."""

    kind: CustomerKind | None = None
    name: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, description=_PHONE_IN, max_length=30)
    phone_secondary: str | None = Field(None, description=_PHONE_IN, max_length=30)
    member_card_no: str | None = Field(None, max_length=20)
    email: str | None = Field(None, max_length=254)
    home_store: StoreReference | None = Field(None, description=_HOME_STORE)
    gender: Gender | None = None
    birthday: date | None = None
    age_band: AgeBand | None = None
    occupation: str | None = Field(None, max_length=50)
    company_type: CompanyType | None = None
    credit_code: str | None = Field(None, max_length=18)
    id_card_no: str | None = Field(None, max_length=20)
    wechat_openid: str | None = Field(None, max_length=64)
    wechat_unionid: str | None = Field(None, max_length=64)
    province: str | None = Field(None, max_length=20)
    city: str | None = Field(None, max_length=30)
    district: str | None = Field(None, max_length=30)
    street: str | None = Field(None, max_length=200)
    source_channel: SourceChannel | None = None
    notes: str | None = None


class DuplicatePhoneOut(Schema):
    detail: list[FieldError]
    code: str = Field(examples=["duplicate_phone"])
    existing_customer_id: int | None = Field(
        None,
        description="With `code` `duplicate_phone`: the customer who already has this phone, "
        "when you may see them; otherwise null.",
        examples=[1024],
    )


def customer_service_data(user: Any, fields: dict[str, Any], *, is_new: bool) -> dict[str, Any]:
    """Schema fields → the services' data dict: enums become their values, ``null`` the field's
    empty value, and a store reference the store (a new customer defaults to the caller's)."""
    data = {
        name: value.value if isinstance(value, Enum) else value for name, value in fields.items()
    }
    for name, value in data.items():
        if value is None and name not in ("birthday", "home_store"):
            data[name] = ""
    if "home_store" in data:
        reference = data["home_store"]
        if reference is None and is_new:
            reference = user.store_id
        if reference is None:
            raise ValidationError({"home_store": _("请指定归属门店（门店 ID 或门店编码）。")})
        store = find_home_store(user=user, reference=reference)
        if store is None:
            raise ValidationError({"home_store": _("门店不存在或不在您的权限范围内。")})
        data["home_store"] = store
    return data


def _duplicate_phone(user: Any, error: DuplicatePhoneError) -> Status[dict[str, Any]]:
    visible = customers_visible_to(user).filter(pk=error.existing.pk).exists()
    return Status(
        400,
        {
            "detail": [
                {"field": name, "message": str(message)}
                for name, messages in error.message_dict.items()
                for message in messages
            ],
            "code": "duplicate_phone",
            "existing_customer_id": error.existing.pk if visible else None,
        },
    )


@router.get(
    "/", response={200: list[CustomerOut], **LIST_ERRORS}, summary="Search or list customers"
)
@paginate(LimitOffsetPagination)
def list_customers(request: HttpRequest, filters: Query[CustomerFilter]) -> Any:
    """Customers in your scope: the search result for `q`, or all of them (newest first)."""
    require_capability(request.user, Capability.VIEW_CUSTOMERS)
    if filters.q.strip():
        return search_queryset(user=request.user, query=filters.q)[1]
    return customer_list(user=request.user)


@router.get("/{customer_id}", response={200: CustomerOut, **READ_ERRORS}, summary="Get a customer")
def get_customer(request: HttpRequest, customer_id: int) -> Customer:
    require_capability(request.user, Capability.VIEW_CUSTOMERS)
    return get_customer_for(user=request.user, customer_id=customer_id)


@router.post(
    "/",
    response={201: CustomerOut, 400: DuplicatePhoneOut, **LIST_ERRORS},
    summary="Create a customer",
)
def create(request: HttpRequest, payload: CustomerIn) -> Status[Any]:
    """Phones are normalised to E.164 and must be unique across the chain: a duplicate is a
    400 with `code` `duplicate_phone` (and the existing customer's id when you may see them)."""
    require_capability(request.user, Capability.EDIT_CUSTOMERS)
    data = customer_service_data(request.user, payload.model_dump(), is_new=True)
    try:
        customer = create_customer(user=request.user, data=data)
    except DuplicatePhoneError as error:
        return _duplicate_phone(request.user, error)
    return Status(201, customer)


@router.patch(
    "/{customer_id}",
    response={200: CustomerOut, 400: DuplicatePhoneOut, **READ_ERRORS, 422: FieldErrorsOut},
    summary="Update a customer",
)
def update(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Status[Any]:
    require_capability(request.user, Capability.EDIT_CUSTOMERS)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    data = customer_service_data(request.user, payload.model_dump(exclude_unset=True), is_new=False)
    try:
        customer = update_customer(user=request.user, customer=customer, data=data)
    except DuplicatePhoneError as error:
        return _duplicate_phone(request.user, error)
    return Status(200, customer)
