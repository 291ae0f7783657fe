"""Behaviour tags computed from orders: brand preference, preferred channel, price sensitivity,
professional vs DIY, seasonal buyer.

Two aggregate queries whatever the number of customers (lines grouped by customer and brand;
orders grouped by customer, channel, year and quarter), streamed; the thresholds
(``conf.TagThresholds``, settings ``TAGS_*``) are applied to the aggregated rows in Python. A
purchase is a line or order of an active customer that is not cancelled or fully returned.
Orders after ``now`` are left out, so the tags can also be evaluated as of a past day: the churn
model uses them that way as features (``tags.features``).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import ExtractQuarter, ExtractYear

from toolcrm.customers.choices import CustomerKind
from toolcrm.insights.purchases import purchasing_orders
from toolcrm.sales.choices import OrderChannel
from toolcrm.sales.models import OrderLine
from toolcrm.tags.compiler import NOT_PURCHASES
from toolcrm.tags.conf import TagThresholds
from toolcrm.tags.reasons import bilingual
from toolcrm.tags.registry import Reason

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass
class _Lines:
    spend: Decimal = ZERO
    discounted: Decimal = ZERO
    consumable_units: int = 0
    pro_spend: Decimal = ZERO
    brands: dict[int, tuple[Decimal, dict[str, str]]] = field(default_factory=dict)


@dataclass
class _Orders:
    kind: str = ""
    window_by_channel: Counter[str] = field(default_factory=Counter)
    by_quarter: Counter[int] = field(default_factory=Counter)
    years: set[int] = field(default_factory=set)


def _line_summaries(
    customer_ids: Sequence[int] | None, start: datetime, now: datetime, limits: TagThresholds
) -> dict[int, _Lines]:
    lines = OrderLine.objects.filter(
        order__customer__isnull=False,
        order__customer__is_active=True,
        order__ordered_at__gte=start,
        order__ordered_at__lte=now,
    ).exclude(order__status__in=NOT_PURCHASES)
    if customer_ids is not None:
        lines = lines.filter(order__customer_id__in=list(customer_ids))
    rows = (
        lines.values(
            "order__customer_id",
            "product__brand_id",
            "product__brand__name",
            "product__brand__name_en",
        )
        .annotate(
            spend=Sum("line_total", output_field=MONEY),
            discounted=Sum(
                Case(When(discount__gt=0, then=F("line_total")), default=Value(ZERO)),
                output_field=MONEY,
            ),
            consumable_units=Sum(
                Case(When(product__is_consumable=True, then=F("quantity")), default=Value(0)),
                output_field=IntegerField(),
            ),
        )
        .order_by("order__customer_id")
    )
    pro_brands = set(limits.pro_brands)
    summaries: dict[int, _Lines] = {}
    for customer_id, group in itertools.groupby(
        rows.iterator(chunk_size=5000), key=lambda row: row["order__customer_id"]
    ):
        summary = _Lines()
        for row in group:
            spend = Decimal(row["spend"] or 0)
            summary.spend += spend
            summary.discounted += Decimal(row["discounted"] or 0)
            summary.consumable_units += int(row["consumable_units"] or 0)
            if row["product__brand__name"] in pro_brands:
                summary.pro_spend += spend
            summary.brands[row["product__brand_id"]] = (
                spend,
                bilingual(row["product__brand__name"], row["product__brand__name_en"]),
            )
        summaries[customer_id] = summary
    return summaries


def _order_summaries(
    customer_ids: Sequence[int] | None, start: datetime, now: datetime
) -> dict[int, _Orders]:
    rows = (
        purchasing_orders(customer_ids)
        .filter(ordered_at__lte=now)
        .annotate(year=ExtractYear("ordered_at"), quarter=ExtractQuarter("ordered_at"))
        .values("customer_id", "customer__kind", "channel", "year", "quarter")
        .annotate(orders=Count("id"), in_window=Count("id", filter=Q(ordered_at__gte=start)))
        .order_by("customer_id")
    )
    summaries: dict[int, _Orders] = {}
    for customer_id, group in itertools.groupby(
        rows.iterator(chunk_size=5000), key=lambda row: row["customer_id"]
    ):
        summary = _Orders()
        for row in group:
            summary.kind = row["customer__kind"]
            summary.window_by_channel[row["channel"]] += row["in_window"]
            summary.by_quarter[row["quarter"]] += row["orders"]
            summary.years.add(row["year"])
        summaries[customer_id] = summary
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
        brand_id, (brand_spend, brand_name) = max(
            lines.brands.items(), key=lambda item: (item[1][0], -item[0])
        )
        brand_share = _share(brand_spend, lines.spend)
        if brand_share >= limits.brand_share:
            found["brand_preference"] = (
                "brand_preference",
                {"days": days, "share": brand_share, "brand": brand_name},
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
