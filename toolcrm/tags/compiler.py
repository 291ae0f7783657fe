"""Compiling a rule definition into one grouped aggregate.

``compile_rule`` turns a validated ``RuleDefinition`` into SQL of two parts:

* one aggregate over order lines, grouped by order and then by customer: every purchase measure
  of the rule (one column per condition, one per month for "each month" windows) is a ``SUM``
  over ``CASE WHEN <that measure's window and filters>``, in a single pass over the lines of the
  rule's widest window;
* the customers joined to that aggregate (``LEFT JOIN``, so "bought less than" and profile
  conditions also pick customers without purchases), filtered by the rule's conditions.

Several rules share one statement (their measures side by side, each rule's conditions a 0/1
column): nightly all active rules are judged over every active customer in one pass over the
order lines, and after a sale the same statement narrowed to a few customers. One rule alone is
the preview (its members as ``pk__in`` of the user's visible customers). Python only turns each
matching row's values into the reason parameters (``explain``).

What counts as a purchase here is what insights counts: lines of orders that are not cancelled
or fully returned, at their line total (after the line's discount). Partial refunds are not
netted out of line totals (a return records the refund per returned line, not per window).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

from toolcrm.catalog.models import Brand, Category, Product
from toolcrm.customers.models import Customer
from toolcrm.insights.models import CustomerScore
from toolcrm.insights.purchases import NOT_PURCHASES, as_decimal, fetch
from toolcrm.sales.models import Order, OrderLine
from toolcrm.stores.models import Store
from toolcrm.tags.reasons import bilingual
from toolcrm.tags.schema import (
    DiscountShareCondition,
    ProfileCondition,
    PurchaseCondition,
    RuleDefinition,
)

CENT = Decimal("0.01")
# Profile fields: (table alias, model, field name). "s" is the customer's insights score row.
PROFILE_COLUMNS: dict[str, tuple[str, Any, str]] = {
    "kind": ("c", Customer, "kind"),
    "province": ("c", Customer, "province"),
    "city": ("c", Customer, "city"),
    "home_store": ("c", Customer, "home_store"),
    "source_channel": ("c", Customer, "source_channel"),
    "company_type": ("c", Customer, "company_type"),
    "lifecycle_stage": ("s", CustomerScore, "lifecycle_stage"),
    "rfm_segment": ("s", CustomerScore, "rfm_segment"),
}


@dataclass(frozen=True)
class Lookups:
    """Names of the rows a definition refers to, and the category tree (a small table, read
    once) for "a category with its descendants"."""

    categories: dict[int, tuple[str, str, int | None]]
    brands: dict[int, tuple[str, str]]
    stores: dict[int, str]

    @cached_property
    def fingerprint(self) -> int:
        """Changes when any name or the category tree changes (a key for cached rules); worked
        out once per ``Lookups``."""
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


# --- SQL pieces ----------------------------------------------------------------------------


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _column(alias: str, model: Any, name: str) -> str:
    return f"{alias}.{connection.ops.quote_name(model._meta.get_field(name).column)}"


def _number(value: Decimal | float) -> Any:
    """A threshold as a query parameter: exact on PostgreSQL; a float on SQLite, whose driver
    would send a Decimal as text (which compares as greater than any number)."""
    return value if connection.vendor == "postgresql" else float(value)


def placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


@dataclass(frozen=True)
class _Measure:
    """One aggregate column: ``kind`` amount / orders / quantity / discount_share over the lines
    of orders placed in [start, end) that pass ``filters`` (SQL with its params)."""

    name: str
    kind: str
    start: date
    end: date
    filters: tuple[tuple[str, tuple[Any, ...]], ...] = ()

    def sql(self) -> tuple[list[str], str, list[Any]]:
        """The measure in two steps: per order (``SUM``/``MAX`` over the order's lines, named
        after the measure) and per customer (over those order columns). Counting orders as the
        sum of a per-order 0/1 flag keeps both steps hash aggregates, where one ``COUNT(DISTINCT
        …)`` over the lines made PostgreSQL sort every line by customer."""
        ordered_at = _column("o", Order, "ordered_at")
        clauses = [f"{ordered_at} >= %s", f"{ordered_at} < %s"]
        params: list[Any] = [_datetime(self.start), _datetime(self.end)]
        for clause, clause_params in self.filters:
            clauses.append(clause)
            params += clause_params
        when = " AND ".join(clauses)
        total = _column("l", OrderLine, "line_total")
        name = self.name
        if self.kind == "discount_share":
            discounted = f"{when} AND {_column('l', OrderLine, 'discount')} > 0"
            return (
                [
                    f"SUM(CASE WHEN {discounted} THEN {total} ELSE 0 END) AS {name}_d",
                    f"SUM(CASE WHEN {when} THEN {total} ELSE 0 END) AS {name}_t",
                ],
                f"CAST(SUM({name}_d) AS DOUBLE PRECISION)"
                f" / NULLIF(CAST(SUM({name}_t) AS DOUBLE PRECISION), 0)",
                params + params,
            )
        if self.kind == "orders":
            return ([f"MAX(CASE WHEN {when} THEN 1 ELSE 0 END) AS {name}"], f"SUM({name})", params)
        value = total if self.kind == "amount" else _column("l", OrderLine, "quantity")
        return (
            [f"SUM(CASE WHEN {when} THEN {value} ELSE 0 END) AS {name}"],
            f"SUM({name})",
            params,
        )


def _datetime(day: date) -> Any:
    return connection.ops.adapt_datetimefield_value(_start_of(day))


def money(value: Any) -> Decimal:
    """A sum of money read with a plain cursor (``purchases.as_decimal``), as a Decimal of
    cents; no rows is zero."""
    return as_decimal(0 if value is None else value).quantize(CENT)


def _convert(kind: str, value: Any) -> Any:
    """A measure as the reasons store it: money a Decimal of cents, counts an int, a share a
    float or None (no spend in the window)."""
    if kind == "discount_share":
        return None if value is None else float(value)
    if kind == "amount":
        return money(value)
    return int(value or 0)


@dataclass(eq=False)  # identity: a compiled rule is a key in services
class CompiledRule:
    definition: RuleDefinition
    measures: list[_Measure] = field(default_factory=list)
    profile: dict[str, str] = field(default_factory=dict)  # value name → profile field
    where: tuple[str, list[Any]] = ("1 = 1", [])
    parts: list[dict[str, Any]] = field(default_factory=list)  # per condition: how to explain

    @property
    def names(self) -> list[str]:
        """The names of the values a row carries besides ``pk``: measures, then profile."""
        return [measure.name for measure in self.measures] + list(self.profile)

    def sql(self, customer_ids: Sequence[int] | None = None) -> tuple[str, list[Any]]:
        """The matching customers (every active one, or among ``customer_ids``) with the rule's
        values: one statement, the rule's conditions in its ``WHERE``."""
        return _statement([self], customer_ids)

    def rows(self, customer_ids: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """The matching customers with their values (``pk`` and one key per value name)."""
        if customer_ids is not None and not customer_ids:
            return []  # ``IN ()`` is an error on PostgreSQL
        sql, params = self.sql(customer_ids)
        return [row for row, _matched in _fetch(sql, params, [self])]

    def members(self, within: QuerySet[Customer] | None = None) -> RawSQL:
        """The matching customer ids, for ``pk__in`` on a customer queryset. ``within`` (the
        user's visible customers, for the preview) is pushed into the statement, down to the
        aggregate over the lines, so a store's preview reads only that store's orders."""
        sql, params = _statement([self], None, within=within)
        return RawSQL(f"SELECT id FROM ({sql}) m", params)

    def apply(self, customers: QuerySet[Customer]) -> QuerySet[Customer]:
        """``customers`` that match the rule (computed among them only)."""
        return customers.filter(pk__in=self.members(within=customers))

    def explain(self, row: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """Reason parameters and evidence of one matching row."""
        parts, evidence = [], []
        for spec in self.parts:
            values = [_plain(row[name]) for name in spec["names"]]
            evidence.append(values if spec["key"] == "purchase_each_month" else values[0])
            if self.definition.match == "any" and not _holds(spec, [row[n] for n in spec["names"]]):
                continue
            params = dict(spec["params"])
            if spec["key"] == "purchase_each_month":
                params["values"] = values
            elif spec["key"] != "profile":
                params["value"] = values[0]
            parts.append({"key": spec["key"], "params": params})
        return {"match": self.definition.match, "parts": parts}, {"conditions": evidence}


def _statement(
    rules: Sequence[CompiledRule],
    customer_ids: Sequence[int] | None,
    *,
    within: QuerySet[Customer] | None = None,
) -> tuple[str, list[Any]]:
    """``SELECT c.id, measures…, profile values…, one 0/1 column per rule FROM customers LEFT
    JOIN (the grouped aggregate of every measure of ``rules``) … WHERE <any rule holds>``: the
    customers who match at least one of ``rules`` (every active one, or among
    ``customer_ids``), in one pass over the order lines for all the rules. Value names must
    differ between the rules (``compile_rule``'s ``prefix``)."""
    measures = [measure for rule in rules for measure in rule.measures]
    profile = [field_name for rule in rules for field_name in rule.profile.values()]
    selects = ["c.id"]
    params: list[Any] = []
    joins = ""
    if measures:
        aggregate, aggregate_params = _aggregate(measures, customer_ids, within)
        joins += f" LEFT JOIN ({aggregate}) a ON a.customer_id = c.id"
        params += aggregate_params
        selects += [
            f"a.{m.name}" if m.kind == "discount_share" else f"COALESCE(a.{m.name}, 0)"
            for m in measures
        ]
    if any(PROFILE_COLUMNS[name][0] == "s" for name in profile):
        score_customer = _column("s", CustomerScore, "customer")
        joins += f" LEFT JOIN {_table(CustomerScore)} s ON {score_customer} = c.id"
    selects += [_column(*PROFILE_COLUMNS[name]) for name in profile]
    select_params: list[Any] = []
    for rule in rules:
        selects.append(f"CASE WHEN {rule.where[0]} THEN 1 ELSE 0 END")
        select_params += rule.where[1]
    where_params: list[Any] = [True]
    for rule in rules:
        where_params += rule.where[1]
    conditions = [
        f"{_column('c', Customer, 'is_active')} = %s",
        "(" + " OR ".join(f"({rule.where[0]})" for rule in rules) + ")",
    ]
    if customer_ids is not None:
        conditions.append(f"c.id IN ({placeholders(customer_ids)})")
        where_params += list(customer_ids)
    if within is not None:
        within_sql, within_params = _ids_of(within)
        conditions.append(f"c.id IN ({within_sql})")
        where_params += within_params
    sql = (
        f"SELECT {', '.join(selects)} FROM {_table(Customer)} c{joins}"
        f" WHERE {' AND '.join(conditions)}"
    )
    # Parameters in the order of their placeholders: the select list's 0/1 columns, the
    # aggregate (in FROM), the WHERE.
    return sql, select_params + params + where_params


def _ids_of(customers: QuerySet[Customer]) -> tuple[str, list[Any]]:
    """The SQL of a customer queryset's ids (the ORM writes it, scoping included)."""
    sql, params = customers.order_by().values("pk").query.sql_with_params()
    return sql, list(params)


def _aggregate(
    measures: Sequence[_Measure],
    customer_ids: Sequence[int] | None,
    within: QuerySet[Customer] | None = None,
) -> tuple[str, list[Any]]:
    """One pass over the order lines of the widest window: grouped by order, then by customer."""
    per_order: list[str] = []
    per_customer: list[str] = []
    params: list[Any] = []
    for measure in measures:
        order_columns, customer_column, measure_params = measure.sql()
        per_order += order_columns
        per_customer.append(f"{customer_column} AS {measure.name}")
        params += measure_params
    customer = _column("o", Order, "customer")
    ordered_at = _column("o", Order, "ordered_at")
    status = _column("o", Order, "status")
    where = [
        f"{customer} IS NOT NULL",
        f"{status} NOT IN ({placeholders(NOT_PURCHASES)})",
        f"{ordered_at} >= %s",
        f"{ordered_at} < %s",
    ]
    params += [str(value) for value in NOT_PURCHASES]
    params += [_datetime(min(m.start for m in measures)), _datetime(max(m.end for m in measures))]
    if customer_ids is not None:
        where.append(f"{customer} IN ({placeholders(customer_ids)})")
        params += list(customer_ids)
    if within is not None:
        within_sql, within_params = _ids_of(within)
        where.append(f"{customer} IN ({within_sql})")
        params += within_params
    product_join = ""
    if any(clause.startswith("p.") for m in measures for clause, _params in m.filters):
        product = _column("l", OrderLine, "product")
        product_join = f" JOIN {_table(Product)} p ON p.id = {product}"
    orders = (
        f"SELECT {customer} AS customer_id, {', '.join(per_order)}"
        f" FROM {_table(OrderLine)} l"
        f" JOIN {_table(Order)} o ON o.id = {_column('l', OrderLine, 'order')}{product_join}"
        f" WHERE {' AND '.join(where)} GROUP BY {customer}, o.id"
    )
    sql = (
        f"SELECT customer_id, {', '.join(per_customer)} FROM ({orders}) per_order"
        " GROUP BY customer_id"
    )
    return sql, params


def _fetch(
    sql: str, params: list[Any], rules: Sequence[CompiledRule]
) -> Iterator[tuple[dict[str, Any], list[bool]]]:
    """Each result row as ``{"pk": id, value name: value…}`` (measures converted as the reasons
    store them) and, when the statement has them, the rules' 0/1 columns as booleans."""
    kinds = [m.kind for rule in rules for m in rule.measures]
    names = [m.name for rule in rules for m in rule.measures]
    names += [name for rule in rules for name in rule.profile]  # the order ``_statement`` selects
    for record in fetch(sql, params):
        row: dict[str, Any] = {"pk": record[0]}
        for index, name in enumerate(names):
            value = record[index + 1]
            row[name] = _convert(kinds[index], value) if index < len(kinds) else value
        yield row, [bool(flag) for flag in record[len(names) + 1 :]]


def judge(
    rules: Sequence[CompiledRule], customer_ids: Sequence[int] | None = None
) -> Iterator[tuple[int, CompiledRule, dict[str, Any]]]:
    """Which of ``rules`` each customer matches (every active customer, or among
    ``customer_ids``), in one statement for all the rules (a few when they are very wide):
    ``(customer id, rule, row)`` per match."""
    if not rules or (customer_ids is not None and not customer_ids):
        return
    for group in _groups(rules):
        sql, params = _statement(group, customer_ids)
        for row, matched in _fetch(sql, params, group):
            for rule, is_member in zip(group, matched, strict=True):
                if is_member:
                    yield row["pk"], rule, row


# One statement carries each measure three times (per order, per customer, selected) and the
# rules' 0/1 columns; PostgreSQL refuses more than 1,664 columns in a select list. Rules are
# judged in groups that stay well under it (ten rules of ten 24-month conditions would not fit
# in one statement).
MAX_COLUMNS = 800


def _width(rule: CompiledRule) -> int:
    measures = sum(2 if m.kind == "discount_share" else 1 for m in rule.measures)
    return measures + len(rule.profile) + 1


def _groups(rules: Sequence[CompiledRule]) -> Iterator[list[CompiledRule]]:
    group: list[CompiledRule] = []
    width = 0
    for rule in rules:
        if group and width + _width(rule) > MAX_COLUMNS:
            yield group
            group, width = [], 0
        group.append(rule)
        width += _width(rule)
    if group:
        yield group


def _plain(value: Any) -> Any:
    """Values as stable JSON: money as a 2-place string, shares to 4 places."""
    if isinstance(value, Decimal):
        return str(value.quantize(CENT))
    if isinstance(value, float):
        return round(value, 4)
    return value


def _holds(spec: dict[str, Any], values: list[Any]) -> bool:
    """Whether one condition holds on a row (only needed to leave out of an "any" rule's reason
    the conditions that did not hold; which customers match is decided by the SQL)."""
    if spec["key"] == "profile":
        return values[0] is not None and str(values[0]) in spec["params"]["values"]
    if spec["key"] == "discount_share":
        return values[0] is not None and float(values[0]) > float(spec["params"]["percent"]) / 100
    minimum = Decimal(spec["params"]["minimum"])
    if spec["params"]["comparison"] == "at_least":
        return all(Decimal(str(value)) >= minimum for value in values)
    return all(Decimal(str(value)) < minimum for value in values)


def _line_filters(
    condition: PurchaseCondition, lookups: Lookups
) -> tuple[tuple[str, tuple[Any, ...]], ...]:
    filters: list[tuple[str, tuple[Any, ...]]] = []
    if condition.category_id:
        ids = lookups.descendants(condition.category_id)
        column = _column("p", Product, "category")
        filters.append((f"{column} IN ({placeholders(ids)})", tuple(ids)))
    if condition.brand_id:
        filters.append((f"{_column('p', Product, 'brand')} = %s", (condition.brand_id,)))
    if condition.channel:
        filters.append((f"{_column('o', Order, 'channel')} = %s", (condition.channel,)))
    if condition.store_id:
        filters.append((f"{_column('o', Order, 'store')} = %s", (condition.store_id,)))
    return tuple(filters)


def _reason_filters(condition: PurchaseCondition, lookups: Lookups) -> dict[str, Any]:
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


def _comparison(name: str, condition: PurchaseCondition) -> tuple[str, list[Any]]:
    """``at_least`` compares the raw aggregate (NULL, no purchase, is not at least anything,
    which lets the database drop customers without lines early); ``less_than`` counts no
    purchase as zero. Money is compared to the cent on both databases."""
    value = f"a.{name}"
    if condition.measure == "amount":
        value = f"ROUND({value}, 2)"
    minimum = _number(condition.minimum)
    if condition.comparison == "at_least":
        return f"{value} >= %s", [minimum]
    return f"COALESCE({value}, 0) < %s", [minimum]


def compile_rule(
    definition: RuleDefinition, *, lookups: Lookups, now: datetime, prefix: str = ""
) -> CompiledRule:
    """``prefix`` keeps value names of several rules apart where they are cached together."""
    compiled = CompiledRule(definition=definition)
    end = window_end(now)
    clauses: list[tuple[str, list[Any]]] = []
    for index, condition in enumerate(definition.conditions):
        name = f"{prefix}c{index}"
        if isinstance(condition, ProfileCondition):
            alias, model, field_name = PROFILE_COLUMNS[condition.field]
            values: list[Any] = (
                [int(v) for v in condition.values]
                if condition.field == "home_store"
                else list(condition.values)
            )
            compiled.profile[name] = condition.field
            clauses.append(
                (f"{_column(alias, model, field_name)} IN ({placeholders(values)})", values)
            )
            params: dict[str, Any] = {"field": condition.field, "values": list(condition.values)}
            if condition.field == "home_store":
                params["labels"] = [
                    bilingual(lookups.stores.get(int(v), v)) for v in condition.values
                ]
            compiled.parts.append({"key": "profile", "names": [name], "params": params})
        elif isinstance(condition, PurchaseCondition):
            filters = _line_filters(condition, lookups)
            params = {
                "measure": condition.measure,
                "comparison": condition.comparison,
                "minimum": str(condition.minimum),
                "filters": _reason_filters(condition, lookups),
            }
            if condition.window.mode == "days":
                start = end - timedelta(days=condition.window.length)
                compiled.measures.append(_Measure(name, condition.measure, start, end, filters))
                clauses.append(_comparison(name, condition))
                params["days"] = condition.window.length
                compiled.parts.append({"key": "purchase_days", "names": [name], "params": params})
            else:
                names, month_sql, month_params = [], [], []
                for month in range(condition.window.length):
                    month_name = f"{name}_m{month}"
                    compiled.measures.append(
                        _Measure(
                            month_name,
                            condition.measure,
                            subtract_months(end, month + 1),
                            subtract_months(end, month),
                            filters,
                        )
                    )
                    sql, sql_params = _comparison(month_name, condition)
                    month_sql.append(sql)
                    month_params += sql_params
                    names.append(month_name)
                clauses.append((" AND ".join(month_sql), month_params))
                params["months"] = condition.window.length
                compiled.parts.append(
                    {"key": "purchase_each_month", "names": names, "params": params}
                )
        elif isinstance(condition, DiscountShareCondition):
            start = end - timedelta(days=condition.window_days)
            compiled.measures.append(_Measure(name, "discount_share", start, end))
            clauses.append((f"a.{name} > %s", [float(condition.percent) / 100]))
            compiled.parts.append(
                {
                    "key": "discount_share",
                    "names": [name],
                    "params": {"days": condition.window_days, "percent": str(condition.percent)},
                }
            )
    joiner = " AND " if definition.match == "all" else " OR "
    compiled.where = (
        joiner.join(f"({sql})" for sql, _params in clauses),
        [param for _sql, clause_params in clauses for param in clause_params],
    )
    return compiled
