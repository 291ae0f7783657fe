"""Reads of orders, always scoped to the acting user.

``orders_visible_to(user)`` is the one gate. An order is visible when its store is in the user's
store scope (``core.scoping``) or when its customer is visible to the user
(``customers.selectors.customers_visible_to``). The second half is what lets a B2B account
manager, who has no store-wide access, see their accounts' orders, and it keeps the API
consistent with the customer 360 page, which shows a visible customer's whole purchase history
whichever store sold it. ``get_order_for`` raises 404 for anything else, never 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from toolcrm.core.roles import Capability, has_capability
from toolcrm.core.scoping import ALL_STORES, store_ids_for
from toolcrm.customers.selectors import customers_visible_to, get_customer_for
from toolcrm.sales.models import Order, OrderLine


def orders_visible_to(user: Any) -> QuerySet[Order]:
    """Orders sold in the user's stores, plus every order of a customer the user may see."""
    if not has_capability(user, Capability.VIEW_SALES):
        return Order.objects.none()
    store_ids = store_ids_for(user)
    if store_ids is ALL_STORES:
        return Order.objects.all()
    visible_customers = customers_visible_to(user).values("pk")
    return Order.objects.filter(
        Q(store_id__in=sorted(store_ids or ())) | Q(customer_id__in=visible_customers)
    )


def with_details(queryset: QuerySet[Order]) -> QuerySet[Order]:
    """Join the store and prefetch lines (with product and serials) and payments, so that a page
    of orders costs a fixed number of queries whatever its size."""
    lines = OrderLine.objects.select_related("product").prefetch_related("serials").order_by("pk")
    return queryset.select_related("store").prefetch_related(
        Prefetch("lines", queryset=lines), "payments"
    )


def get_order_for(*, user: Any, order_id: int) -> Order:
    try:
        return with_details(orders_visible_to(user)).get(pk=order_id)
    except (Order.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("order not found") from exc


def customer_orders(*, user: Any, customer_id: int) -> QuerySet[Order]:
    """A visible customer's orders, newest first, with details; 404 for any other customer."""
    customer = get_customer_for(user=user, customer_id=customer_id)
    queryset = orders_visible_to(user).filter(customer=customer)
    return with_details(queryset).order_by("-ordered_at", "-pk")
