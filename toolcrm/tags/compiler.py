"""Compiling a rule definition into one set-based query.

``compile_rule`` turns a validated ``RuleDefinition`` into annotations (one correlated subquery
per purchase measure, per month for "each month" windows) and one ``Q`` over them, applied to any
customer queryset: the whole chain for the nightly run, one customer after a sale, the user's
visible customers for the preview. The database does all the work in one statement; Python only
turns each matching row's annotated values into the reason parameters (``explain``).

What counts as a purchase here is what insights counts: lines of orders that are not cancelled
or fully returned, at their line total (after the line's discount). Partial refunds are not
netted out of line totals (a return records the refund per returned line, not per window).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from toolcrm.catalog.models import Brand, Category
from toolcrm.customers.models import Customer
from toolcrm.sales.choices import OrderStatus
from toolcrm.sales.models import OrderLine
from toolcrm.stores.models import Store
from toolcrm.tags.reasons import bilingual
from toolcrm.tags.schema import (
    DiscountShareCondition,
    ProfileCondition,
    PurchaseCondition,
    RuleDefinition,
)

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
CENT = Decimal("0.01")
# Lines of these orders are not purchases.
NOT_PURCHASES = (OrderStatus.CANCELLED, OrderStatus.RETURNED)
PROFILE_PATHS = {
    "kind": "kind",
    "province": "province",
    "city": "city",
    "home_store": "home_store_id",
    "source_channel": "source_channel",
    "company_type": "company_type",
    "lifecycle_stage": "insight_score__lifecycle_stage",
    "rfm_segment": "insight_score__rfm_segment",
}


@dataclass(frozen=True)
class Lookups:
    """Names of the rows a definition refers to, and the category tree (a small table, read
    once) for "a category with its descendants"."""

    categories: dict[int, tuple[str, str, int | None]]
    brands: dict[int, tuple[str, str]]
    stores: dict[int, str]

    def fingerprint(self) -> int:
        """Changes when any name or the category tree changes (a key for cached rules)."""
        return hash(
            (
                tuple(sorted(self.categories.items())),
                tuple(sorted(self.brands.items())),
                tuple(sorted(self.stores.items())),
            )
        )

    def descendants(self, category_id: int) -> list[int]:
        children: dict[int | None, list[int]] = {}
        for pk, (_name, _name_en, parent_id) in self.categories.items():
            children.setdefault(parent_id, []).append(pk)
        found, frontier = [category_id], [category_id]
        while frontier:
            frontier = [child for parent in frontier for child in children.get(parent, [])]
            found += frontier
        return sorted(found)


def load_lookups(definitions: Sequence[RuleDefinition]) -> Lookups:
    """Three small queries for any number of definitions."""
    brand_ids: set[int] = set()
    store_ids: set[int] = set()
    for definition in definitions:
        for condition in definition.conditions:
            if isinstance(condition, PurchaseCondition):
                if condition.brand_id:
                    brand_ids.add(condition.brand_id)
                if condition.store_id:
                    store_ids.add(condition.store_id)
            elif isinstance(condition, ProfileCondition) and condition.field == "home_store":
                store_ids.update(int(value) for value in condition.values)
    return Lookups(
        categories={
            pk: (name, name_en, parent_id)
            for pk, name, name_en, parent_id in Category.objects.values_list(
                "pk", "name", "name_en", "parent_id"
            )
        },
        brands={
            pk: (name, name_en)
            for pk, name, name_en in Brand.objects.filter(pk__in=brand_ids).values_list(
                "pk", "name", "name_en"
            )
        },
        stores=dict(Store.objects.filter(pk__in=store_ids).values_list("pk", "name")),
    )


def subtract_months(day: date, months: int) -> date:
    """The same day ``months`` earlier, clamped to the end of a shorter month."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def window_end(now: datetime) -> date:
    """Windows end at the start of tomorrow (local time), so "the last 30 days" includes today."""
    return timezone.localtime(now).date() + timedelta(days=1)


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class CompiledRule:
    definition: RuleDefinition
    prefix: str = ""
    annotations: dict[str, Any] = field(default_factory=dict)
    condition: Q = field(default_factory=Q)
    parts: list[dict[str, Any]] = field(default_factory=list)  # per condition: how to explain

    def apply(self, customers: QuerySet[Customer]) -> QuerySet[Customer]:
        """The customers the rule picks, filtered by the database (the set-based path)."""
        return customers.annotate(**self.annotations).filter(self.condition)

    def rows(self, customers: QuerySet[Customer]) -> QuerySet[Customer, dict[str, Any]]:
        return self.apply(customers).values("pk", *self.annotations)

    def matches(self, row: dict[str, Any]) -> bool:
        """The rule's ``Q`` evaluated in Python on a row that carries the annotations: a few
        customers' rows (one sale, one import chunk) are fetched for every rule at once, in one
        query, and judged here. Same comparisons as the ``Q``, on the unrounded values."""
        results = (_holds(spec, [row[name] for name in spec["names"]]) for spec in self.parts)
        return all(results) if self.definition.match == "all" else any(results)

    def explain(self, row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Reason parameters and evidence of one matching row."""
        parts, evidence = [], []
        for spec in self.parts:
            raw = [row[name] for name in spec["names"]]
            values = [_plain(value) for value in raw]
            evidence.append(values if spec["key"] == "purchase_each_month" else values[0])
            if self.definition.match == "any" and not _holds(spec, raw):
                continue
            params = dict(spec["params"])
            if spec["key"] == "purchase_each_month":
                params["values"] = values
            elif spec["key"] != "profile":
                params["value"] = values[0]
            parts.append({"key": spec["key"], "params": params})
        return {"match": self.definition.match, "parts": parts}, {"conditions": evidence}


def _plain(value: Any) -> Any:
    """Annotated values as stable JSON: money as a 2-place string, shares to 4 places."""
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    if isinstance(value, float):
        return round(value, 4)
    return value


def _holds(spec: dict[str, Any], values: list[Any]) -> bool:
    if spec["key"] == "profile":
        return values[0] is not None and str(values[0]) in spec["params"]["values"]
    if spec["key"] == "discount_share":
        return values[0] is not None and float(values[0]) > float(spec["params"]["percent"]) / 100
    minimum = Decimal(spec["params"]["minimum"])
    if spec["params"]["comparison"] == "at_least":
        return all(Decimal(str(value)) >= minimum for value in values)
    return all(Decimal(str(value)) < minimum for value in values)


def _purchase_lines(condition: PurchaseCondition, lookups: Lookups) -> QuerySet[OrderLine]:
    lines = OrderLine.objects.filter(order__customer_id=OuterRef("pk")).exclude(
        order__status__in=NOT_PURCHASES
    )
    if condition.category_id:
        lines = lines.filter(product__category_id__in=lookups.descendants(condition.category_id))
    if condition.brand_id:
        lines = lines.filter(product__brand_id=condition.brand_id)
    if condition.channel:
        lines = lines.filter(order__channel=condition.channel)
    if condition.store_id:
        lines = lines.filter(order__store_id=condition.store_id)
    return lines


def _measure(lines: QuerySet[OrderLine], measure: str, start: date, end: date) -> Any:
    aggregate: Any = {
        "amount": Sum("line_total", output_field=MONEY),
        "orders": Count("order_id", distinct=True),
        "quantity": Sum("quantity"),
    }[measure]
    output: Any = MONEY if measure == "amount" else IntegerField()
    subquery = (
        lines.filter(order__ordered_at__gte=_start_of(start), order__ordered_at__lt=_start_of(end))
        .values("order__customer_id")
        .annotate(measure=aggregate)
        .values("measure")
    )
    zero = Value(Decimal("0.00")) if measure == "amount" else Value(0)
    return Coalesce(Subquery(subquery), zero, output_field=output)


def _filters(condition: PurchaseCondition, lookups: Lookups) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if condition.category_id and condition.category_id in lookups.categories:
        name, name_en, _parent = lookups.categories[condition.category_id]
        filters["category"] = bilingual(name, name_en)
    if condition.brand_id and condition.brand_id in lookups.brands:
        filters["brand"] = bilingual(*lookups.brands[condition.brand_id])
    if condition.channel:
        filters["channel"] = condition.channel
    if condition.store_id and condition.store_id in lookups.stores:
        filters["store"] = bilingual(lookups.stores[condition.store_id])
    return filters


def compile_rule(
    definition: RuleDefinition, *, lookups: Lookups, now: datetime, prefix: str = ""
) -> CompiledRule:
    """``prefix`` keeps annotation names apart when several rules share one query."""
    compiled = CompiledRule(definition=definition, prefix=prefix)
    end = window_end(now)
    clauses: list[Q] = []
    for index, condition in enumerate(definition.conditions):
        name = f"{prefix}c{index}"
        if isinstance(condition, ProfileCondition):
            path = PROFILE_PATHS[condition.field]
            values: list[Any] = (
                [int(v) for v in condition.values]
                if condition.field == "home_store"
                else list(condition.values)
            )
            compiled.annotations[name] = F(path)
            clauses.append(Q(**{f"{path}__in": values}))
            params: dict[str, Any] = {"field": condition.field, "values": list(condition.values)}
            if condition.field == "home_store":
                params["labels"] = [
                    bilingual(lookups.stores.get(int(v), v)) for v in condition.values
                ]
            compiled.parts.append({"key": "profile", "names": [name], "params": params})
        elif isinstance(condition, PurchaseCondition):
            lines = _purchase_lines(condition, lookups)
            lookup = "gte" if condition.comparison == "at_least" else "lt"
            params = {
                "measure": condition.measure,
                "comparison": condition.comparison,
                "minimum": str(condition.minimum),
                "filters": _filters(condition, lookups),
            }
            if condition.window.mode == "days":
                start = end - timedelta(days=condition.window.length)
                compiled.annotations[name] = _measure(lines, condition.measure, start, end)
                clauses.append(Q(**{f"{name}__{lookup}": condition.minimum}))
                params["days"] = condition.window.length
                compiled.parts.append({"key": "purchase_days", "names": [name], "params": params})
            else:
                names = []
                month_clause = Q()
                for month in range(condition.window.length):
                    month_name = f"{name}_m{month}"
                    month_end = subtract_months(end, month)
                    month_start = subtract_months(end, month + 1)
                    compiled.annotations[month_name] = _measure(
                        lines, condition.measure, month_start, month_end
                    )
                    month_clause &= Q(**{f"{month_name}__{lookup}": condition.minimum})
                    names.append(month_name)
                clauses.append(month_clause)
                params["months"] = condition.window.length
                compiled.parts.append(
                    {"key": "purchase_each_month", "names": names, "params": params}
                )
        elif isinstance(condition, DiscountShareCondition):
            compiled.annotations[name] = _discount_share(condition, end)
            clauses.append(Q(**{f"{name}__gt": float(condition.percent) / 100}))
            compiled.parts.append(
                {
                    "key": "discount_share",
                    "names": [name],
                    "params": {"days": condition.window_days, "percent": str(condition.percent)},
                }
            )
    combined = Q()
    for clause in clauses:
        combined = combined & clause if definition.match == "all" else combined | clause
    compiled.condition = combined
    return compiled


def _discount_share(condition: DiscountShareCondition, end: date) -> Any:
    start = end - timedelta(days=condition.window_days)
    lines = OrderLine.objects.filter(
        order__customer_id=OuterRef("pk"),
        order__ordered_at__gte=_start_of(start),
        order__ordered_at__lt=_start_of(end),
    ).exclude(order__status__in=NOT_PURCHASES)
    discounted = Sum(
        Case(When(discount__gt=0, then=F("line_total")), default=Value(Decimal("0"))),
        output_field=MONEY,
    )
    share = (
        lines.values("order__customer_id")
        .annotate(
            share=Cast(discounted, FloatField())
            / NullIf(Cast(Sum("line_total", output_field=MONEY), FloatField()), Value(0.0))
        )
        .values("share")
    )
    return Subquery(share, output_field=FloatField())
