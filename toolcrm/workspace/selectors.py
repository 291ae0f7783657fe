"""Reads for the workspace pages: the store's day and the customer 360° profile.

Both start from the scoping gates (``core.scoping`` for stores, ``customers.selectors`` for the
customer), and each block of the 360 page is a fixed number of queries whatever the customer's
history, so the page stays fast for a contractor with thousands of orders.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, DecimalField, F, Max, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from toolcrm.core.scoping import ALL_STORES, restrict_to_stores, store_ids_for
from toolcrm.customers.models import Consent, Customer, Interaction
from toolcrm.customers.selectors import consent_matrix, customers_visible_to, get_customer_for
from toolcrm.insights.models import CustomerScore
from toolcrm.insights.selectors import score_for
from toolcrm.sales.models import Order, OrderLine, SerialNumber
from toolcrm.stores.models import Store

ZERO = Decimal("0.00")
TIMELINE_LIMIT = 30


def _day_scoped(queryset: QuerySet[Any], user: Any, *, store_field: str) -> QuerySet[Any]:
    """The store's day for store-bound users; for a user without a store scope (a B2B account
    manager) the day of the customers they look after."""
    store_ids = store_ids_for(user)
    if store_ids is ALL_STORES or store_ids:
        return restrict_to_stores(queryset, user, store_field=store_field)
    return queryset.filter(customer__in=customers_visible_to(user))


@dataclass(frozen=True)
class StoreDay:
    day: date
    stores: list[Store]
    is_accounts_view: bool
    sales_total: Decimal
    order_count: int
    new_customers: int
    returning_customers: int
    walk_in_orders: int
    sales_by_channel: list[dict[str, Any]]
    recent_interactions: list[Interaction]
    recent_orders: list[Order]


def store_day(*, user: Any, day: date | None = None) -> StoreDay:
    """Today's figures for the stores the user sees: sales, orders, new vs returning customers."""
    day = day or timezone.localdate()
    start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
    end = start + timedelta(days=1)
    orders = _day_scoped(Order.objects.all(), user, store_field="store_id").filter(
        ordered_at__gte=start, ordered_at__lt=end
    )
    totals = orders.aggregate(
        total=Coalesce(Sum("total"), Value(ZERO), output_field=DecimalField()),
        count=Count("id"),
        walk_in=Count("id", filter=Q(customer__isnull=True)),
    )
    # A buyer is "new" when today's order is their first ever; one grouped query for all buyers.
    buyers = (
        Order.objects.filter(customer_id__in=orders.values("customer_id"))
        .values("customer_id")
        .annotate(first=Min("ordered_at"))
    )
    new = sum(1 for row in buyers if row["first"] >= start)
    returning = len(buyers) - new
    by_channel = list(
        orders.values("channel").annotate(total=Sum("total"), count=Count("id")).order_by("channel")
    )
    interactions = list(
        _day_scoped(Interaction.objects.all(), user, store_field="store_id")
        .select_related("customer", "staff", "store")
        .order_by("-occurred_at")[:8]
    )
    recent_orders = list(orders.select_related("customer", "store").order_by("-ordered_at")[:8])
    store_ids = store_ids_for(user)
    stores = (
        Store.objects.all()
        if store_ids is ALL_STORES
        else Store.objects.filter(pk__in=sorted(store_ids or ()))
    )
    return StoreDay(
        day=day,
        stores=list(stores.select_related("region")),
        is_accounts_view=store_ids is not ALL_STORES and not store_ids,
        sales_total=totals["total"],
        order_count=totals["count"],
        new_customers=new,
        returning_customers=returning,
        walk_in_orders=totals["walk_in"],
        sales_by_channel=by_channel,
        recent_interactions=interactions,
        recent_orders=recent_orders,
    )


@dataclass(frozen=True)
class OwnedTool:
    serial: str
    product_name: str
    brand: str
    sku: str
    purchased_at: datetime
    warranty_months: int
    warranty_until: date | None
    is_under_warranty: bool
    next_maintenance: date | None


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def warranty_status(
    *, purchased: date, warranty_months: int, today: date
) -> tuple[date | None, bool]:
    """Warranty end (inclusive) and whether it still runs; 0 months means no warranty."""
    if warranty_months <= 0:
        return None, False
    until = _add_months(purchased, warranty_months) - timedelta(days=1)
    return until, today <= until


TOOLS_ON_PROFILE = 10  # the 360 page shows the newest tools; the rest are one click away
TOOLS_PER_PAGE = 50


def _owned_serials(customer: Customer) -> QuerySet[SerialNumber]:
    """The customer's registered tools that were not returned, newest purchase first."""
    return (
        SerialNumber.objects.filter(line__order__customer=customer, is_returned=False)
        .select_related("product__brand", "line__order")
        .order_by("-line__order__ordered_at", "serial")
    )


def _owned_tool(serial: SerialNumber, today: date) -> OwnedTool:
    purchased_at = serial.line.order.ordered_at
    purchased = timezone.localtime(purchased_at).date()
    until, active = warranty_status(
        purchased=purchased, warranty_months=serial.product.warranty_months, today=today
    )
    interval = serial.product.maintenance_interval_days
    next_maintenance = None
    if interval:
        cycles = max((today - purchased).days // interval + 1, 1)
        next_maintenance = purchased + timedelta(days=interval * cycles)
    return OwnedTool(
        serial=serial.serial,
        product_name=serial.product.name,
        brand=serial.product.brand.name,
        sku=serial.product.sku,
        purchased_at=purchased_at,
        warranty_months=serial.product.warranty_months,
        warranty_until=until,
        is_under_warranty=active,
        next_maintenance=next_maintenance,
    )


def owned_tools(
    *, customer: Customer, today: date | None = None, limit: int | None = None
) -> list[OwnedTool]:
    """The customer's tools with warranty and next maintenance (the newest ``limit``)."""
    today = today or timezone.localdate()
    serials = _owned_serials(customer)
    if limit is not None:
        serials = serials[:limit]
    return [_owned_tool(serial, today) for serial in serials]


def owned_tool_count(*, customer: Customer) -> int:
    return _owned_serials(customer).count()


@dataclass(frozen=True)
class ToolPage:
    customer: Customer
    tools: list[OwnedTool]
    page: Page[SerialNumber]
    under_warranty: int


def owned_tool_page(*, user: Any, customer_id: int, page: Any) -> ToolPage:
    """One page of a visible customer's tools (a contractor's crew can own hundreds), and how
    many of all of them are still under warranty."""
    customer = get_customer_for(user=user, customer_id=customer_id)
    today = timezone.localdate()
    paginator = Paginator(_owned_serials(customer), TOOLS_PER_PAGE)
    current = paginator.get_page(page)
    under_warranty = sum(
        1
        for purchased_at, months in _owned_serials(customer).values_list(
            "line__order__ordered_at", "product__warranty_months"
        )
        if warranty_status(
            purchased=timezone.localtime(purchased_at).date(), warranty_months=months, today=today
        )[1]
    )
    return ToolPage(
        customer=customer,
        tools=[_owned_tool(serial, today) for serial in current.object_list],
        page=current,
        under_warranty=under_warranty,
    )


@dataclass(frozen=True)
class CustomerKpis:
    lifetime_spend: Decimal
    order_count: int
    average_order_value: Decimal
    first_purchase_at: datetime | None
    last_purchase_at: datetime | None
    days_since_last_purchase: int | None
    favourite_categories: list[dict[str, Any]]
    favourite_brands: list[dict[str, Any]]


def customer_kpis(*, customer: Customer) -> CustomerKpis:
    orders = Order.objects.filter(customer=customer).exclude(status="cancelled")
    agg = orders.aggregate(
        spend=Coalesce(Sum("total"), Value(ZERO), output_field=DecimalField()),
        count=Count("id"),
        first=Min("ordered_at"),
        last=Max("ordered_at"),
    )
    lines = OrderLine.objects.filter(order__in=orders)
    categories = list(
        lines.values(name=F("product__category__name"))
        .annotate(spend=Sum("line_total"), quantity=Sum("quantity"))
        .order_by("-spend")[:3]
    )
    brands = list(
        lines.values(name=F("product__brand__name"))
        .annotate(spend=Sum("line_total"), quantity=Sum("quantity"))
        .order_by("-spend")[:3]
    )
    count = agg["count"]
    spend = agg["spend"]
    last = agg["last"]
    return CustomerKpis(
        lifetime_spend=spend,
        order_count=count,
        average_order_value=(spend / count).quantize(Decimal("0.01")) if count else ZERO,
        first_purchase_at=agg["first"],
        last_purchase_at=last,
        days_since_last_purchase=(timezone.now() - last).days if last else None,
        favourite_categories=categories,
        favourite_brands=brands,
    )


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # "order", "interaction", "consent"
    title: str
    detail: str = ""
    amount: Decimal | None = None
    store: str = ""
    staff: str = ""
    lines: list[OrderLine] = field(default_factory=list)
    granted: bool | None = None  # consent events only
    order_id: int | None = None  # order events only: links to the order page


def customer_timeline(*, customer: Customer, limit: int = TIMELINE_LIMIT) -> list[TimelineEntry]:
    """Orders (with lines), interactions and consent changes, newest first, ``limit`` of each
    kind fetched then merged, so the page cost does not grow with the customer's history."""
    orders = list(
        Order.objects.filter(customer=customer)
        .select_related("store", "staff")
        .prefetch_related("lines__product")
        .order_by("-ordered_at")[:limit]
    )
    interactions = list(
        Interaction.objects.filter(customer=customer)
        .select_related("staff", "store")
        .order_by("-occurred_at")[:limit]
    )
    consents = list(
        Consent.objects.filter(customer=customer)
        .select_related("recorded_by")
        .order_by("-recorded_at")[:limit]
    )
    entries = [
        TimelineEntry(
            at=order.ordered_at,
            kind="order",
            title=f"{order.get_channel_display()} · {order.external_id}",
            detail=order.get_status_display(),
            amount=order.total,
            store=order.store.name,
            staff=str(order.staff or ""),
            lines=list(order.lines.all()),
            order_id=order.pk,
        )
        for order in orders
    ]
    entries += [
        TimelineEntry(
            at=item.occurred_at,
            kind="interaction",
            title=item.get_kind_display(),
            detail=item.summary,
            store=item.store.name if item.store else "",
            staff=str(item.staff or ""),
        )
        for item in interactions
    ]
    entries += [
        TimelineEntry(
            at=item.recorded_at,
            kind="consent",
            title=f"{item.get_channel_display()} · {item.get_purpose_display()}",
            detail=item.source,
            staff=str(item.recorded_by or ""),
            granted=item.is_granted,
        )
        for item in consents
    ]
    entries.sort(key=lambda entry: entry.at, reverse=True)
    return entries[:limit]


@dataclass(frozen=True)
class Customer360:
    customer: Customer
    kpis: CustomerKpis
    tools: list[OwnedTool]  # the newest TOOLS_ON_PROFILE
    tool_count: int
    timeline: list[TimelineEntry]
    consents: list[Any]
    contacts: list[Any]
    score: CustomerScore | None  # insights; None before the first nightly run


def customer_360(*, user: Any, customer_id: int) -> Customer360:
    customer = get_customer_for(user=user, customer_id=customer_id)
    return Customer360(
        customer=customer,
        kpis=customer_kpis(customer=customer),
        tools=owned_tools(customer=customer, limit=TOOLS_ON_PROFILE),
        tool_count=owned_tool_count(customer=customer),
        timeline=customer_timeline(customer=customer),
        consents=consent_matrix(customer=customer),
        contacts=list(customer.contacts.all()) if customer.is_company else [],
        score=score_for(customer=customer),
    )
