"""Reads of orders, always scoped to the acting user.

``orders_visible_to(user)`` is the one gate. An order is visible when its store is in the user's
store scope (``core.scoping``) or when its customer is visible to the user
(``customers.selectors.customers_visible_to``). The second half is what lets a B2B account
manager, who has no store-wide access, see their accounts' orders, and it keeps the API
consistent with the customer 360 page, which shows a visible customer's whole purchase history
whichever store sold it. ``get_order_for`` raises 404 for anything else, never 403.

``order_list(user=…, filters=…)`` is the order list page's query, and the order export's
(``integrations.exports``), so a download holds exactly the rows the page shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from toolcrm.core.roles import Capability, has_capability
from toolcrm.core.scoping import ALL_STORES, store_ids_for
from toolcrm.customers.selectors import customers_visible_to, get_customer_for, search_queryset
from toolcrm.sales.models import Order, OrderLine, Return, ReturnLine, SerialNumber

CENT = Decimal("0.01")


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


@dataclass(frozen=True)
class ReturnableLine:
    """An order line as the return form and ``services.record_return`` see it."""

    line: OrderLine
    returned: int  # units taken back by earlier returns
    open_serials: list[SerialNumber]  # registered serial numbers not returned yet

    @property
    def bought(self) -> int:
        return self.line.quantity

    @property
    def returnable(self) -> int:
        return max(self.line.quantity - self.returned, 0)

    def value_of(self, quantity: int) -> Decimal:
        """What the next ``quantity`` units were paid (line total pro rata, discount included).
        Counted cumulatively, so the last unit takes the rounding and a whole line adds up to
        exactly its total."""
        total, bought = self.line.line_total, self.line.quantity
        upto = (total * (self.returned + quantity) / bought).quantize(CENT)
        before = (total * self.returned / bought).quantize(CENT)
        return upto - before


def returnable_lines(order: Order) -> list[ReturnableLine]:
    """Every line of the order with what is left to return (three queries)."""
    returned = dict(
        ReturnLine.objects.filter(line__order=order)
        .order_by()
        .values("line_id")
        .annotate(units=Sum("quantity"))
        .values_list("line_id", "units")
    )
    lines = (
        OrderLine.objects.filter(order=order)
        .select_related("product")
        .prefetch_related(
            Prefetch(
                "serials",
                queryset=SerialNumber.objects.filter(is_returned=False).order_by("serial"),
                to_attr="open_serial_list",
            )
        )
        .order_by("pk")
    )
    return [
        ReturnableLine(
            line=line, returned=returned.get(line.pk, 0), open_serials=line.open_serial_list
        )
        for line in lines
    ]


def order_returns(order: Order) -> list[Return]:
    """The order's returns, oldest first, with their lines (and products), store and staff."""
    return list(
        Return.objects.filter(order=order)
        .select_related("store", "staff")
        .prefetch_related("lines__line__product")
        .order_by("returned_at", "pk")
    )


def refunded_total(order: Order) -> Decimal:
    return Return.objects.filter(order=order).aggregate(
        total=Coalesce(Sum("refund_amount"), Decimal("0.00"))
    )["total"]


def refundable_amount(order: Order, refunded: Decimal | None = None) -> Decimal:
    """What the order can still refund: its total less earlier refunds (``refunded`` when the
    caller has summed them already), never below zero."""
    if refunded is None:
        refunded = refunded_total(order)
    return max(order.total - refunded, Decimal("0.00"))


def customer_orders(*, user: Any, customer_id: int) -> QuerySet[Order]:
    """A visible customer's orders, newest first, with details; 404 for any other customer."""
    customer = get_customer_for(user=user, customer_id=customer_id)
    queryset = orders_visible_to(user).filter(customer=customer)
    return with_details(queryset).order_by("-ordered_at", "-pk")


@dataclass(frozen=True)
class OrderFilters:
    """The order list's filters; empty values filter nothing. Dates are local calendar days
    (``TIME_ZONE``), both ends included; amounts compare with the order's total."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    store_id: int | None = None
    channel: str = ""
    status: str = ""
    customer_query: str = ""  # a phone in any written form, a member card or a name prefix
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None

    def as_log_data(self) -> dict[str, str]:
        """The filters given, as text (for the export's audit entry)."""
        return {
            name: str(value) for name, value in self.__dict__.items() if value not in (None, "")
        }


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _filtered_orders(*, user: Any, filters: OrderFilters) -> QuerySet[Order]:
    queryset = orders_visible_to(user)
    if filters.date_from is not None:
        queryset = queryset.filter(ordered_at__gte=_local_midnight(filters.date_from))
    if filters.date_to is not None:
        next_day = filters.date_to + dt.timedelta(days=1)
        queryset = queryset.filter(ordered_at__lt=_local_midnight(next_day))
    if filters.store_id is not None:
        queryset = queryset.filter(store_id=filters.store_id)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.customer_query:
        _kind, customers = search_queryset(user=user, query=filters.customer_query)
        queryset = queryset.filter(customer_id__in=customers.order_by().values("pk"))
    if filters.amount_min is not None:
        queryset = queryset.filter(total__gte=filters.amount_min)
    if filters.amount_max is not None:
        queryset = queryset.filter(total__lte=filters.amount_max)
    return queryset


def order_list(
    *, user: Any, filters: OrderFilters, with_line_count: bool = False
) -> QuerySet[Order]:
    """The visible orders matching the filters, newest first, with store and customer joined
    (a page costs the same queries whatever its size). ``with_line_count`` adds ``line_count``
    as a correlated subquery rather than a join + GROUP BY, so the database counts the lines of
    the rows it returns (a page of 50) instead of grouping every matching order first."""
    queryset = (
        _filtered_orders(user=user, filters=filters)
        .select_related("store", "customer")
        .order_by("-ordered_at", "-pk")
    )
    if with_line_count:
        lines = (
            OrderLine.objects.filter(order=OuterRef("pk"))
            .order_by()
            .values("order")
            .annotate(count=Count("pk"))
            .values("count")
        )
        queryset = queryset.annotate(line_count=Coalesce(Subquery(lines), 0))
    return queryset


def order_line_list(*, user: Any, filters: OrderFilters) -> QuerySet[OrderLine]:
    """The lines of ``order_list``'s orders (one row per line), in the same order, with order,
    store, customer and product joined — for the export with lines."""
    orders = _filtered_orders(user=user, filters=filters)
    return (
        OrderLine.objects.filter(order__in=orders.values("pk"))
        .select_related("order__store", "order__customer", "product")
        .order_by("-order__ordered_at", "-order_id", "pk")
    )
