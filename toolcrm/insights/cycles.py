"""Per-category repurchase cycles: for each customer and each category they bought on at least
``cycle_min_purchase_days`` purchase days, the median number of days between those days, when the
next purchase is due, and whether it is overdue (today is past the last purchase plus the cycle ×
``cycle_tolerance``). A contractor's drill bits come back every few weeks, a drill every few years;
the reminder journeys of the marketing module trigger on ``is_overdue``.

Set-based: one query gives the distinct (customer, category, local day) triples of purchasing
order lines, pandas groups them, and rows are written in chunks (changed rows only), so the nightly
run over every customer and the refresh of a few after a sale share one code path.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db.models.functions import TruncDate

from toolcrm.catalog.models import Category
from toolcrm.insights.conf import InsightThresholds
from toolcrm.insights.models import CategoryCycle
from toolcrm.insights.purchases import as_date, fetch_rows, purchasing_orders
from toolcrm.sales.models import OrderLine

CHUNK_SIZE = 1000
TENTH = Decimal("0.1")
CYCLE_FIELDS = ["median_days", "orders", "last_purchase_on", "next_due_on", "is_overdue"]


@dataclass(frozen=True)
class CycleResult:
    cycles: int
    overdue: int
    created: int
    updated: int
    deleted: int


def cycle_category_map() -> dict[int, int]:
    """Each category's id → the id of the level its cycle is counted at: the category itself in
    a two-level tree (钻头套装 under 耗材), the ancestor just below the root in a deeper one (so a
    third level such as "SDS-plus bits" joins its siblings under 钻头套装)."""
    parents = dict(Category.objects.values_list("id", "parent_id"))
    mapping: dict[int, int] = {}
    for category_id in parents:
        path = [category_id]
        while (parent := parents.get(path[-1])) is not None and len(path) <= len(parents):
            path.append(parent)
        # path: leaf … root; the level below the root is path[-2] (or the category at the root)
        mapping[category_id] = path[-2] if len(path) >= 2 else path[-1]
    return mapping


def category_days(customer_ids: Sequence[int] | None) -> list[tuple[int, int, date]]:
    """The distinct (customer, product category, local day) of purchasing order lines, read on a
    raw cursor (``purchases.fetch_rows``): millions of lines nightly, where the ORM's converters
    cost more than the query."""
    rows = fetch_rows(
        OrderLine.objects.filter(order__in=purchasing_orders(customer_ids))
        .annotate(day=TruncDate("order__ordered_at"))
        .values_list("order__customer_id", "product__category_id", "day")
        .distinct()
    )
    return [(customer_id, category_id, as_date(day)) for customer_id, category_id, day in rows]


SMALL_INPUT = 2000  # below this many triples plain Python beats pandas' per-call overhead

Stats = tuple[int, int, int, date, float]  # customer, category, purchase days, last day, median


def _stats_python(
    triples: Sequence[tuple[int, int, date]], level: dict[int, int], minimum: int
) -> list[Stats]:
    """The same figures as ``_stats_pandas`` for a few customers (a refresh after a sale)."""
    days: dict[tuple[int, int], set[date]] = defaultdict(set)
    for customer_id, category_id, day in triples:
        days[(customer_id, level.get(category_id, category_id))].add(day)
    stats = []
    for (customer_id, category_id), found in sorted(days.items()):
        if len(found) < minimum:
            continue
        ordered = sorted(found)
        gaps = [(later - earlier).days for earlier, later in itertools.pairwise(ordered)]
        stats.append(
            (customer_id, category_id, len(ordered), ordered[-1], float(statistics.median(gaps)))
        )
    return stats


def _stats_pandas(
    triples: Sequence[tuple[int, int, date]], level: dict[int, int], minimum: int
) -> list[Stats]:
    """Set-based over every customer (the nightly run)."""
    import pandas as pd  # imported here: a web process that never computes cycles skips ~0.5 s

    frame = pd.DataFrame(triples, columns=["customer", "category", "day"])
    # a dict lookup per row through ``map`` (unknown ids keep their own id, as ``level.get``)
    frame["category"] = frame["category"].map(level).fillna(frame["category"])
    frame["day"] = pd.to_datetime(frame["day"])
    frame = frame.drop_duplicates().sort_values(["customer", "category", "day"])
    keys = ["customer", "category"]
    frame["gap"] = frame.groupby(keys)["day"].diff().dt.days
    grouped = frame.groupby(keys).agg(
        orders=("day", "size"), last=("day", "max"), median=("gap", "median")
    )
    grouped = grouped[grouped["orders"] >= minimum].reset_index()
    return [
        (int(customer_id), int(category_id), int(orders), last.date(), float(median))
        for customer_id, category_id, orders, last, median in zip(
            grouped["customer"],
            grouped["category"],
            grouped["orders"],
            grouped["last"],
            grouped["median"],
            strict=True,
        )
    ]


# A cycle as computed: (customer id, category id, the values of ``CYCLE_FIELDS`` in order). Plain
# tuples: the nightly run compares some 100,000 of them with the stored rows and builds model
# instances only for the few that changed.
CycleRow = tuple[int, int, tuple[Any, ...]]


def _cycle_rows(
    customer_ids: Sequence[int] | None,
    *,
    today: date,
    limits: InsightThresholds,
    triples: list[tuple[int, int, date]] | None,
) -> list[CycleRow]:
    if triples is None:
        triples = category_days(customer_ids)
    if not triples:
        return []
    level = cycle_category_map()
    compute = _stats_python if len(triples) < SMALL_INPUT else _stats_pandas
    minimum = max(2, limits.cycle_min_purchase_days)  # a cycle needs at least one gap
    return [
        (
            customer_id,
            category_id,
            (
                Decimal(str(median)).quantize(TENTH),
                orders,
                last,
                last + timedelta(days=math.ceil(median)),
                (today - last).days > median * limits.cycle_tolerance,
            ),
        )
        for customer_id, category_id, orders, last, median in compute(triples, level, minimum)
    ]


def _cycle(row: CycleRow, **extra: Any) -> CategoryCycle:
    customer_id, category_id, values = row
    return CategoryCycle(
        customer_id=customer_id,
        category_id=category_id,
        **dict(zip(CYCLE_FIELDS, values, strict=True)),
        **extra,
    )


def compute_cycles(
    customer_ids: Sequence[int] | None,
    *,
    today: date,
    limits: InsightThresholds,
    triples: list[tuple[int, int, date]] | None = None,
) -> list[CategoryCycle]:
    """The cycles of ``customer_ids`` (or of everyone), unsaved. ``triples``: the customers'
    ``category_days`` when the caller has read them already (the recompute shares them with the
    churn features)."""
    return [
        _cycle(row)
        for row in _cycle_rows(customer_ids, today=today, limits=limits, triples=triples)
    ]


def write_cycles(
    customer_ids: Sequence[int] | None,
    *,
    now: datetime,
    today: date,
    limits: InsightThresholds,
    triples: list[tuple[int, int, date]] | None = None,
) -> CycleResult:
    """Compute and store the cycles of ``customer_ids`` (everyone when ``None``): insert new
    rows, replace changed ones, delete those that no longer qualify. Idempotent."""
    rows = _cycle_rows(customer_ids, today=today, limits=limits, triples=triples)
    existing_rows = CategoryCycle.objects.all()
    if customer_ids is not None:
        existing_rows = existing_rows.filter(customer_id__in=list(customer_ids))
    existing = {
        (customer_id, category_id): (pk, tuple(values))
        for pk, customer_id, category_id, *values in existing_rows.values_list(
            "pk", "customer_id", "category_id", *CYCLE_FIELDS
        ).iterator(chunk_size=5000)
    }
    new: list[CategoryCycle] = []
    changed_pks: list[int] = []
    changed: list[CategoryCycle] = []
    for row in rows:
        found = existing.pop((row[0], row[1]), None)
        if found is None:
            new.append(_cycle(row, computed_at=now))
        elif found[1] != row[2]:
            changed_pks.append(found[0])
            changed.append(_cycle(row, computed_at=now))
    stale_pks = [pk for pk, _ in existing.values()]
    doomed = changed_pks + stale_pks
    for start in range(0, len(doomed), CHUNK_SIZE):
        CategoryCycle.objects.filter(pk__in=doomed[start : start + CHUNK_SIZE]).delete()
    CategoryCycle.objects.bulk_create(new + changed, batch_size=CHUNK_SIZE)
    overdue = CYCLE_FIELDS.index("is_overdue")
    return CycleResult(
        cycles=len(rows),
        overdue=sum(1 for row in rows if row[2][overdue]),
        created=len(new),
        updated=len(changed),
        deleted=len(stale_pks),
    )
