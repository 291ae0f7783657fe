"""Batch writes for the live integration API (``integrations.api``): many orders or customers in
one call, each item in its own savepoint so that one bad item never undoes the others.

* ``record_order_item``: finds the order's customer (by id, else by phone or member card among
  the customers *visible to the user*), creates a provisional customer for an unknown phone, and
  records the order through ``sales.services.create_order`` (idempotent on channel + external id).
* ``upsert_customer_item``: finds a visible customer by phone or member card and updates the given
  fields, or creates the customer, through ``customers.services``.

Both return an ``ItemOutcome`` (status, ids, errors keyed by the item's field paths) and never
raise for a bad item."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from toolcrm.core.api_errors import field_errors_from_django
from toolcrm.core.pii import normalise_phone, phone_index, to_halfwidth
from toolcrm.customers import services as customer_services
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to, find_home_store
from toolcrm.integrations.provisional import create_provisional_customer
from toolcrm.integrations.services import default_store_for
from toolcrm.sales.services import OrderConflictError, OrderInput, create_order

MAX_BATCH_ITEMS = 1000


@dataclass
class ItemOutcome:
    status: str  # created | replayed | updated | unchanged | error | conflict
    order_id: int | None = None
    customer_id: int | None = None
    is_provisional_customer: bool = False
    errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class BuyerReference:
    """How a POS names the buyer when it does not know our customer id."""

    phone: str = ""
    name: str = ""
    member_card_no: str = ""


def errors_of(error: ValidationError) -> list[tuple[str, str]]:
    """The error's messages as ``ItemOutcome.errors`` (field path, message) pairs."""
    return [(found.field, found.message) for found in field_errors_from_django(error)]


def find_visible_customer(*, user: Any, phone: str, member_card_no: str) -> Customer | None:
    """The active customer in the user's scope with this (normalised) phone, else this member
    card; customers outside the scope are never found here."""
    visible = customers_visible_to(user).filter(is_active=True)
    index = phone_index(phone) if phone else ""
    if index:
        found = visible.filter(Q(phone_index=index) | Q(phone_secondary_index=index)).first()
        if found is not None:
            return found
    if member_card_no:
        return visible.filter(member_card_no=member_card_no).first()
    return None


def _normalised_reference(buyer: BuyerReference, phone_field: str) -> tuple[str, str]:
    phone = ""
    if buyer.phone.strip():
        try:
            phone = normalise_phone(buyer.phone)
        except ValidationError as error:
            raise ValidationError({phone_field: error.messages}) from None
    return phone, to_halfwidth(buyer.member_card_no).strip().upper()


def _order_customer(
    *, user: Any, data: OrderInput, buyer: BuyerReference
) -> tuple[int | None, bool]:
    """The customer id for the order and whether a provisional customer was created for it."""
    if data.customer_id is not None or not (buyer.phone.strip() or buyer.member_card_no.strip()):
        return data.customer_id, False
    phone, card = _normalised_reference(buyer, "customer_phone")
    found = find_visible_customer(user=user, phone=phone, member_card_no=card)
    if found is not None:
        return found.pk, False
    if not phone:
        raise ValidationError({"customer_member_card": _("客户不存在或不在您的权限范围内。")})
    store = find_home_store(user=user, reference=data.store)
    if store is None:
        return None, False  # create_order reports the store
    customer = create_provisional_customer(
        user=user,
        phone=phone,
        name=buyer.name,
        store=store,
        channel=data.channel,
        external_id=data.external_id,
    )
    return customer.pk, True


def record_order_item(*, user: Any, data: OrderInput, buyer: BuyerReference) -> ItemOutcome:
    """Record one order of a batch in its own savepoint; every failure becomes the outcome."""
    try:
        with transaction.atomic():
            customer_id, is_provisional = _order_customer(user=user, data=data, buyer=buyer)
            order, created = create_order(user=user, data=replace(data, customer_id=customer_id))
    except OrderConflictError as conflict:
        return ItemOutcome(status="conflict", errors=[("external_id", conflict.message)])
    except ValidationError as error:
        return ItemOutcome(status="error", errors=errors_of(error))
    return ItemOutcome(
        status="created" if created else "replayed",
        order_id=order.pk,
        customer_id=order.customer_id,
        is_provisional_customer=is_provisional and created,
    )


def _changes(customer: Customer, data: dict[str, Any]) -> dict[str, Any]:
    """The given fields whose value differs from the stored one (phones compared normalised)."""
    changes: dict[str, Any] = {}
    for name, value in data.items():
        current = getattr(customer, name)
        if name in ("phone", "phone_secondary"):
            with contextlib.suppress(ValidationError):  # update_customer reports it
                value = normalise_phone(str(value))
        if name == "member_card_no":
            value = to_halfwidth(str(value)).strip().upper()
        if current != value:
            changes[name] = data[name]
    return changes


def upsert_customer_item(*, user: Any, data: dict[str, Any], buyer: BuyerReference) -> ItemOutcome:
    """Create the customer, or update the given fields of the visible customer with this phone
    or member card; in its own savepoint. ``data`` holds only the fields the caller gave."""
    try:
        with transaction.atomic():
            phone, card = _normalised_reference(buyer, "phone")
            if not phone and not card:
                raise ValidationError({"phone": _("请提供手机号或会员卡号。")})
            found = find_visible_customer(user=user, phone=phone, member_card_no=card)
            if found is None:
                if "home_store" not in data:
                    data = {**data, "home_store": default_store_for(user)}
                created = customer_services.create_customer(user=user, data=data)
                return ItemOutcome(status="created", customer_id=created.pk)
            changes = _changes(found, data)
            if not changes:
                return ItemOutcome(status="unchanged", customer_id=found.pk)
            customer_services.update_customer(user=user, customer=found, data=changes)
            return ItemOutcome(status="updated", customer_id=found.pk)
    except ValidationError as error:
        return ItemOutcome(status="error", errors=errors_of(error))
