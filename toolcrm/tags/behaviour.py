"""Behaviour tags computed from orders: brand preference, preferred channel, price sensitivity,
professional vs DIY, seasonal buyer.

Two aggregate queries whatever the number of customers (lines grouped by customer and brand,
folded into one row per customer by the database; orders grouped by customer, channel, year and
quarter), read as tuples with a plain cursor; the thresholds
(``conf.TagThresholds``, settings ``TAGS_*``) are applied to the aggregated rows in Python. A
purchase is a line or order of an active customer that is not cancelled or fully returned.
Orders after ``now`` are left out, so the tags can also be evaluated as of a past day: the churn
model uses them that way as features (``tags.features``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import ExtractQuarter, ExtractYear

from toolcrm.catalog.models import Brand, Product
from toolcrm.customers.choices import CustomerKind
from toolcrm.customers.models import Customer
from toolcrm.insights.purchases import NOT_PURCHASES, fetch, fetch_rows, purchasing_orders
from toolcrm.sales.choices import OrderChannel
from toolcrm.sales.models import Order, OrderLine
from toolcrm.tags.compiler import money, placeholders
from toolcrm.tags.conf import TagThresholds
from toolcrm.tags.reasons import bilingual
from toolcrm.tags.registry import Reason

ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass
class _Lines:
    spend: Decimal = ZERO
    discounted: Decimal = ZERO
    consumable_units: int = 0
    pro_spend: Decimal = ZERO
    top_brand_id: int | None = None
    top_brand_spend: Decimal = ZERO
    top_brand_name: dict[str, str] = field(default_factory=dict)


@dataclass
class _Orders:
    kind: str = ""
    window_by_channel: Counter[str] = field(default_factory=Counter)
    by_quarter: Counter[int] = field(default_factory=Counter)
    years: set[int] = field(default_factory=set)


def _line_summaries(
    customer_ids: Sequence[int] | None, start: datetime, now: datetime, limits: TagThresholds
) -> dict[int, _Lines]:
    """Per customer, over the window's lines: spend, discounted spend, consumable units, spend
    on the professional brands and the brand with the most spend (ties: the lower brand id).
    The database groups the lines by customer and brand, ranks the brands and folds them into
    one row per customer; the rows are read with a plain cursor (no ORM converters)."""
    quote = connection.ops.quote_name
    line, order, product, brand, customer = (
        quote(model._meta.db_table) for model in (OrderLine, Order, Product, Brand, Customer)
    )
    pro_names = list(limits.pro_brands)
    pro = f"MAX(b.name) IN ({placeholders(pro_names)})" if pro_names else "1 = 0"
    statuses = [str(status) for status in NOT_PURCHASES]
    params: list[Any] = [
        *pro_names,
        *statuses,
        connection.ops.adapt_datetimefield_value(start),
        connection.ops.adapt_datetimefield_value(now),
        True,
    ]
    narrow = ""
    if customer_ids is not None:
        narrow = f" AND o.customer_id IN ({placeholders(customer_ids)})"
        params += list(customer_ids)
    by_brand = (
        "SELECT o.customer_id, p.brand_id, MAX(b.name) AS brand_name,"
        " MAX(b.name_en) AS brand_name_en, SUM(l.line_total) AS spend,"
        " SUM(CASE WHEN l.discount > 0 THEN l.line_total ELSE 0 END) AS discounted,"
        " SUM(CASE WHEN p.is_consumable THEN l.quantity ELSE 0 END) AS units,"
        f" CASE WHEN {pro} THEN 1 ELSE 0 END AS is_pro,"
        " ROW_NUMBER() OVER (PARTITION BY o.customer_id"
        " ORDER BY ROUND(SUM(l.line_total), 2) DESC, p.brand_id) AS brand_rank"
        f" FROM {line} l JOIN {order} o ON o.id = l.order_id"
        f" JOIN {product} p ON p.id = l.product_id JOIN {brand} b ON b.id = p.brand_id"
        f" JOIN {customer} c ON c.id = o.customer_id"
        f" WHERE o.status NOT IN ({placeholders(statuses)})"
        " AND o.ordered_at >= %s AND o.ordered_at <= %s"
        f" AND c.is_active = %s{narrow}"
        " GROUP BY o.customer_id, p.brand_id"
    )
    sql = (
        "SELECT customer_id, SUM(spend), SUM(discounted), SUM(units),"
        " SUM(CASE WHEN is_pro = 1 THEN spend ELSE 0 END),"
        " MAX(CASE WHEN brand_rank = 1 THEN brand_id END),"
        " MAX(CASE WHEN brand_rank = 1 THEN spend END),"
        " MAX(CASE WHEN brand_rank = 1 THEN brand_name END),"
        " MAX(CASE WHEN brand_rank = 1 THEN brand_name_en END)"
        f" FROM ({by_brand}) by_brand GROUP BY customer_id"
    )
    summaries: dict[int, _Lines] = {}
    for row in fetch(sql, params):
        customer_id, spend, discounted, units, pro_spend, brand_id, brand_spend = row[:7]
        summaries[customer_id] = _Lines(
            spend=money(spend),
            discounted=money(discounted),
            consumable_units=int(units or 0),
            pro_spend=money(pro_spend),
            top_brand_id=brand_id,
            top_brand_spend=money(brand_spend),
            top_brand_name=bilingual(row[7], row[8]),
        )
    return summaries


def _order_summaries(
    customer_ids: Sequence[int] | None, start: datetime, now: datetime
) -> dict[int, _Orders]:
    """Per customer: kind, orders in the window by channel, all orders by calendar quarter
    (local time) and the years they fall in. The ORM writes the statement (its local-time
    year and quarter on either database); a plain cursor reads the rows as tuples."""
    rows = (
        purchasing_orders(customer_ids)
        .filter(ordered_at__lte=now)
        .annotate(year=ExtractYear("ordered_at"), quarter=ExtractQuarter("ordered_at"))
        .values_list("customer_id", "customer__kind", "channel", "year", "quarter")
        .annotate(orders=Count("id"), in_window=Count("id", filter=Q(ordered_at__gte=start)))
        .order_by("customer_id")
    )
    summaries: dict[int, _Orders] = {}
    for customer_id, kind, channel, year, quarter, orders, in_window in fetch_rows(rows):
        summary = summaries.get(customer_id)
        if summary is None:
            summary = summaries[customer_id] = _Orders(kind=kind)
        summary.window_by_channel[channel] += in_window
        # EXTRACT gives a numeric on PostgreSQL (the ORM's converter would make it int)
        summary.by_quarter[int(quarter)] += orders
        summary.years.add(int(year))
    return summaries


def _money(value: Decimal) -> str:
    return str(value.quantize(CENT))


def _share(part: Decimal | int, whole: Decimal | int) -> float:
    return round(float(part) / float(whole), 4) if whole else 0.0


def _judge(lines: _Lines | None, orders: _Orders, limits: TagThresholds) -> dict[str, Reason]:
    days = limits.window_days
    window_orders = sum(orders.window_by_channel.values())
    found: dict[str, Reason] = {}
    if window_orders >= limits.min_orders and lines is not None and lines.spend > 0:
        brand_id, brand_spend = lines.top_brand_id, lines.top_brand_spend
        brand_share = _share(brand_spend, lines.spend)
        if brand_share >= limits.brand_share:
            found["brand_preference"] = (
                "brand_preference",
                {"days": days, "share": brand_share, "brand": lines.top_brand_name},
                {"brand_id": brand_id, "spend": _money(brand_spend), "total": _money(lines.spend)},
            )
        discount_share = _share(lines.discounted, lines.spend)
        if discount_share > limits.discount_share:
            found["price_sensitive"] = (
                "price_sensitive",
                {"days": days, "share": discount_share},
                {"discounted": _money(lines.discounted), "total": _money(lines.spend)},
            )
    if window_orders >= limits.min_orders:
        channel, channel_orders = max(
            orders.window_by_channel.items(), key=lambda item: (item[1], item[0])
        )
        channel_share = _share(channel_orders, window_orders)
        if channel_share >= limits.channel_share:
            found["preferred_channel"] = (
                "preferred_channel",
                {
                    "days": days,
                    "share": channel_share,
                    "channel": channel,
                    "orders": channel_orders,
                },
                {"orders": dict(sorted(orders.window_by_channel.items()))},
            )
    if window_orders:
        found.update(_professional_or_diy(lines, orders, limits))
    total_orders = sum(orders.by_quarter.values())
    if total_orders >= limits.min_orders and len(orders.years) >= limits.seasonal_min_years:
        quarter, quarter_orders = max(
            orders.by_quarter.items(), key=lambda item: (item[1], -item[0])
        )
        seasonal_share = _share(quarter_orders, total_orders)
        if seasonal_share >= limits.seasonal_share:
            found["seasonal"] = (
                "seasonal",
                {"quarter": quarter, "share": seasonal_share, "years": len(orders.years)},
                {"by_quarter": {str(q): n for q, n in sorted(orders.by_quarter.items())}},
            )
    return found


def _professional_or_diy(
    lines: _Lines | None, orders: _Orders, limits: TagThresholds
) -> dict[str, Reason]:
    units = lines.consumable_units if lines else 0
    pro_share = _share(lines.pro_spend, lines.spend) if lines else 0.0
    basis = []
    if orders.kind == CustomerKind.COMPANY:
        basis.append("company")
    if orders.window_by_channel.get(OrderChannel.B2B, 0):
        basis.append("b2b")
    if units >= limits.pro_consumable_units:
        basis.append("consumables")
    if (
        lines is not None
        and pro_share >= limits.pro_brand_share
        and lines.spend >= limits.pro_brand_min_spend
    ):
        basis.append("pro_brands")
    evidence: dict[str, Any] = {"consumable_units": units, "pro_brand_share": pro_share}
    params: dict[str, Any] = {"days": limits.window_days, "units": units}
    if basis:
        return {
            "professional": (
                "professional",
                {**params, "basis": basis, "pro_share": pro_share},
                evidence,
            )
        }
    return {"diy": ("diy", params, evidence)}


@dataclass(frozen=True)
class Behaviour:
    """The behaviour tags of some customers at one moment: each tag's members (code → customer
    id → reason) and each customer's orders in the window (the churn features need to know who
    had enough orders to be judged at all)."""

    members: dict[str, dict[int, Reason]]
    window_orders: dict[int, int]


def behaviour_as_of(
    customer_ids: Sequence[int] | None, *, now: datetime, limits: TagThresholds
) -> Behaviour:
    """The behaviour tags as they stood at ``now``: only orders up to ``now`` count, so a past
    ``now`` gives the point-in-time values the churn model trains on (``tags.features``)."""
    if customer_ids is not None and not customer_ids:
        return Behaviour(members={}, window_orders={})
    start = now - timedelta(days=limits.window_days)
    lines = _line_summaries(customer_ids, start, now, limits)
    orders = _order_summaries(customer_ids, start, now)
    found: dict[str, dict[int, Reason]] = defaultdict(dict)
    for customer_id, order_summary in orders.items():
        for code, reason in _judge(lines.get(customer_id), order_summary, limits).items():
            found[code][customer_id] = reason
    return Behaviour(
        members=found,
        window_orders={
            customer_id: sum(summary.window_by_channel.values())
            for customer_id, summary in orders.items()
        },
    )


def compute_behaviour(
    customer_ids: Sequence[int] | None, *, now: datetime, limits: TagThresholds
) -> dict[str, dict[int, Reason]]:
    """Every behaviour tag's members (code → customer id → reason), for the given customers or
    (``None``) every active customer with orders up to ``now``."""
    return behaviour_as_of(customer_ids, now=now, limits=limits).members
