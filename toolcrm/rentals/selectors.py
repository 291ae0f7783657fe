"""Reads of the rentals app, always scoped to the acting user.

* Units (the fleet) are visible when their home store is in the user's store scope.
* Agreements are visible when they were lent by one of the user's stores, or when their customer
  is visible to the user (so the 360 page of a visible customer shows every loan, as it shows
  every order). Actions on an agreement are limited to the lending store's staff by the
  services.
* Everything needs ``Capability.MANAGE_RENTALS``; without it the querysets are empty and
  ``get_*_for`` raise 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from toolcrm.catalog.models import Product
from toolcrm.core.roles import Capability, has_capability
from toolcrm.core.scoping import ALL_STORES, restrict_to_stores, store_ids_for
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to, home_store_choices
from toolcrm.rentals.choices import OUTSTANDING_STATUSES, UnitStatus
from toolcrm.rentals.models import RentalAgreement, RentalUnit
from toolcrm.stores.models import Store

PANEL_HISTORY = 5


def units_visible_to(user: Any) -> QuerySet[RentalUnit]:
    if not has_capability(user, Capability.MANAGE_RENTALS):
        return RentalUnit.objects.none()
    return restrict_to_stores(RentalUnit.objects.all(), user, store_field="home_store_id")


def fleet(
    *, user: Any, store_id: int | None = None, status: str = "", product_id: int | None = None
) -> QuerySet[RentalUnit]:
    """The fleet page: units with product, store and (for lent units) the current loan and its
    customer, in a fixed number of queries."""
    queryset = units_visible_to(user)
    if store_id:
        queryset = queryset.filter(home_store_id=store_id)
    if status:
        queryset = queryset.filter(status=status)
    if product_id:
        queryset = queryset.filter(product_id=product_id)
    current = RentalAgreement.objects.filter(status__in=OUTSTANDING_STATUSES).select_related(
        "customer"
    )
    return (
        queryset.select_related("product__brand", "home_store")
        .prefetch_related(Prefetch("agreements", queryset=current, to_attr="current_agreements"))
        .order_by("home_store__code", "product__sku", "asset_tag")
    )


def fleet_products(*, user: Any) -> QuerySet[Product]:
    """Products with at least one unit in the user's fleet (for the filter)."""
    unit_products = units_visible_to(user).values("product_id")
    return Product.objects.filter(pk__in=unit_products).select_related("brand").order_by("sku")


def store_choices(*, user: Any) -> QuerySet[Store]:
    return home_store_choices(user=user)


def lendable_units(*, user: Any) -> QuerySet[RentalUnit]:
    return (
        units_visible_to(user)
        .filter(status=UnitStatus.AVAILABLE)
        .select_related("product__brand", "product__rental_price", "home_store")
        .order_by("home_store__code", "product__sku", "asset_tag")
    )


def get_unit_for(*, user: Any, unit_id: int) -> RentalUnit:
    try:
        return units_visible_to(user).select_related("product", "home_store").get(pk=unit_id)
    except (RentalUnit.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("rental unit not found") from exc


def find_customer(*, user: Any, customer_id: int) -> Customer | None:
    """A customer for the lend form, or ``None`` when not visible to the user."""
    return customers_visible_to(user).filter(pk=customer_id).first()


def agreements_visible_to(user: Any) -> QuerySet[RentalAgreement]:
    if not has_capability(user, Capability.MANAGE_RENTALS):
        return RentalAgreement.objects.none()
    store_ids = store_ids_for(user)
    if store_ids is ALL_STORES:
        return RentalAgreement.objects.all()
    visible_customers = customers_visible_to(user).values("pk")
    return RentalAgreement.objects.filter(
        Q(store_id__in=sorted(store_ids or ())) | Q(customer_id__in=visible_customers)
    )


def with_details(queryset: QuerySet[RentalAgreement]) -> QuerySet[RentalAgreement]:
    return queryset.select_related(
        "customer", "unit__product__brand", "store", "lent_by", "received_by", "converted_order"
    )


def get_agreement_for(*, user: Any, agreement_id: int) -> RentalAgreement:
    try:
        return with_details(agreements_visible_to(user)).get(pk=agreement_id)
    except (RentalAgreement.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("rental agreement not found") from exc


def can_act_on(*, user: Any, agreement: RentalAgreement) -> bool:
    """Whether the user's stores include the lending store (actions are done there)."""
    store_ids = store_ids_for(user)
    return store_ids is ALL_STORES or agreement.store_id in (store_ids or ())


def open_agreements(
    *, user: Any, store_id: int | None = None, is_overdue: bool | None = None
) -> QuerySet[RentalAgreement]:
    """Outstanding loans, soonest due first; ``is_overdue`` filters on the due date."""
    queryset = agreements_visible_to(user).filter(status__in=OUTSTANDING_STATUSES)
    if store_id:
        queryset = queryset.filter(store_id=store_id)
    today = timezone.localdate()
    if is_overdue is True:
        queryset = queryset.filter(due_on__lt=today)
    elif is_overdue is False:
        queryset = queryset.filter(due_on__gte=today)
    return with_details(queryset).order_by("due_on", "pk")


def _store_queue(*, user: Any, store_id: int | None, **filters: Any) -> QuerySet[RentalAgreement]:
    """Outstanding loans lent by the user's stores only (a store's work queue), soonest due
    first."""
    if not has_capability(user, Capability.MANAGE_RENTALS):
        return RentalAgreement.objects.none()
    queryset = restrict_to_stores(
        RentalAgreement.objects.filter(status__in=OUTSTANDING_STATUSES, **filters),
        user,
        store_field="store_id",
    )
    if store_id:
        queryset = queryset.filter(store_id=store_id)
    return with_details(queryset).order_by("due_on", "pk")


def store_loans(*, user: Any, store_id: int | None = None) -> QuerySet[RentalAgreement]:
    """Outstanding loans of the user's stores (the counter's list), soonest due first."""
    return _store_queue(user=user, store_id=store_id)


def overdue_agreements(*, user: Any, store_id: int | None = None) -> QuerySet[RentalAgreement]:
    """Loans past their due date, whether or not the daily task has marked them yet, of the
    user's stores only (the list is a store's work queue)."""
    return _store_queue(user=user, store_id=store_id, due_on__lt=timezone.localdate())


def days_overdue(agreement: RentalAgreement, *, today: date | None = None) -> int:
    return max(0, ((today or timezone.localdate()) - agreement.due_on).days)


@dataclass(frozen=True)
class CustomerRentals:
    outstanding: list[RentalAgreement]
    history: list[RentalAgreement]
    history_count: int


def customer_rentals(*, user: Any, customer: Customer) -> CustomerRentals:
    """The 360 panel: the customer's outstanding loans and their latest closed ones."""
    queryset = with_details(agreements_visible_to(user).filter(customer=customer))
    outstanding = list(queryset.filter(status__in=OUTSTANDING_STATUSES).order_by("due_on"))
    closed = queryset.exclude(status__in=OUTSTANDING_STATUSES).order_by("-started_at", "-pk")
    history = list(closed[: PANEL_HISTORY + 1])
    return CustomerRentals(
        outstanding=outstanding,
        history=history[:PANEL_HISTORY],
        history_count=closed.count() if len(history) > PANEL_HISTORY else len(history),
    )
