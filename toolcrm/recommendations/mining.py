"""Mining association rules, set-based: the database counts, Python only divides.

For one basket scope (an order, or a customer's whole history) and one item level (product or
leaf category) three aggregate queries run over the order lines:

1. the number of baskets ``N``;
2. per item, the number of baskets holding it (``n_x``);
3. per pair of frequent items, the number of baskets holding both (``n_xy``): a self-join of the
   distinct (basket, item) rows on the basket, pairs counted once (``a.item < b.item``) and kept
   only with ``n_xy ≥ min_count`` (``HAVING``), items below that count pruned before the join
   (Apriori's rule: a pair is never more frequent than its rarer item).

No Python loop ever visits an order. Each surviving pair gives two rules, X → Y and Y → X:
support = n_xy / N, confidence = n_xy / n_x, lift = confidence / (n_y / N). What counts as a
purchase is the same everywhere in this app: lines of orders that are neither cancelled nor fully
returned, minus lines returned in full.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from toolcrm.catalog.models import Product
from toolcrm.recommendations.choices import BasketScope, RuleLevel
from toolcrm.recommendations.conf import MiningThresholds
from toolcrm.sales.choices import OrderStatus
from toolcrm.sales.models import Order, OrderLine, ReturnLine


@dataclass(frozen=True)
class BasketCounts:
    baskets: int
    item_counts: dict[int, int]
    pair_counts: list[tuple[int, int, int]]  # (x, y, n_xy) with x < y


@dataclass(frozen=True)
class MinedRule:
    antecedent: int
    consequent: int
    basket_count: int
    antecedent_count: int
    consequent_count: int
    pair_count: int
    support: float
    confidence: float
    lift: float


def minimum_count(*, baskets: int, thresholds: MiningThresholds) -> int:
    """The pair count a rule needs: the support threshold in baskets, never below the floor."""
    return max(thresholds.min_pair_count, math.ceil(thresholds.min_support * baskets), 1)


def rules_from_counts(counts: BasketCounts, *, thresholds: MiningThresholds) -> list[MinedRule]:
    """Both directions of every counted pair, kept when they pass every threshold."""
    total = counts.baskets
    if total == 0:
        return []
    floor = minimum_count(baskets=total, thresholds=thresholds)
    rules = []
    for x, y, together in counts.pair_counts:
        if together < floor:
            continue
        for antecedent, consequent in ((x, y), (y, x)):
            n_antecedent = counts.item_counts[antecedent]
            n_consequent = counts.item_counts[consequent]
            support = together / total
            confidence = together / n_antecedent
            lift = confidence / (n_consequent / total)
            if (
                support >= thresholds.min_support
                and confidence >= thresholds.min_confidence
                and lift >= thresholds.min_lift
            ):
                rules.append(
                    MinedRule(
                        antecedent=antecedent,
                        consequent=consequent,
                        basket_count=total,
                        antecedent_count=n_antecedent,
                        consequent_count=n_consequent,
                        pair_count=together,
                        support=support,
                        confidence=confidence,
                        lift=lift,
                    )
                )
    return rules


def _items_sql(*, scope: str, level: str) -> str:
    """Distinct (basket, item) rows of every kept purchase, as SQL text (no user input)."""
    line = OrderLine._meta.db_table
    order = Order._meta.db_table
    product = Product._meta.db_table
    returned = ReturnLine._meta.db_table
    basket = "l.order_id" if scope == BasketScope.ORDER else "o.customer_id"
    item = "l.product_id" if level == RuleLevel.PRODUCT else "p.category_id"
    join_product = f"JOIN {product} p ON p.id = l.product_id" if level == RuleLevel.CATEGORY else ""
    only_customers = "AND o.customer_id IS NOT NULL" if scope == BasketScope.CUSTOMER else ""
    # Returned units joined as one grouped relation (a hash join), not a subquery per line.
    return (
        f"SELECT DISTINCT {basket} AS basket, {item} AS item "
        f"FROM {line} l JOIN {order} o ON o.id = l.order_id {join_product} "
        f"LEFT JOIN (SELECT line_id, SUM(quantity) AS units FROM {returned} GROUP BY line_id) r "
        f"ON r.line_id = l.id "
        f"WHERE o.status NOT IN (%s, %s) {only_customers} "
        f"AND l.quantity > COALESCE(r.units, 0)"
    )


_EXCLUDED_STATUSES = (OrderStatus.CANCELLED.value, OrderStatus.RETURNED.value)


def count_baskets(*, scope: str, level: str, thresholds: MiningThresholds) -> BasketCounts:
    """The three aggregate queries for one scope and level (see the module docstring)."""
    items = _items_sql(scope=scope, level=level)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(DISTINCT basket) FROM ({items}) items", _EXCLUDED_STATUSES)
        baskets = int(cursor.fetchone()[0])
        cursor.execute(
            f"SELECT item, COUNT(*) FROM ({items}) items GROUP BY item", _EXCLUDED_STATUSES
        )
        item_counts = {int(item): int(count) for item, count in cursor.fetchall()}
        floor = minimum_count(baskets=baskets, thresholds=thresholds)
        cursor.execute(
            f"WITH items AS ({items}), "
            f"frequent AS (SELECT item FROM items GROUP BY item HAVING COUNT(*) >= %s), "
            f"kept AS (SELECT basket, item FROM items WHERE item IN (SELECT item FROM frequent)) "
            f"SELECT a.item, b.item, COUNT(*) FROM kept a "
            f"JOIN kept b ON a.basket = b.basket AND a.item < b.item "
            f"GROUP BY a.item, b.item HAVING COUNT(*) >= %s",
            (*_EXCLUDED_STATUSES, floor, floor),
        )
        pairs = [(int(x), int(y), int(n)) for x, y, n in cursor.fetchall()]
    return BasketCounts(baskets=baskets, item_counts=item_counts, pair_counts=pairs)


def best_sellers(
    *, product_counts: dict[int, int], products: Iterable[tuple[int, int, bool]]
) -> dict[int, int]:
    """Per category, its active product in the most order baskets (``products`` are
    (id, category id, is active) rows); ties go to the lower id, so runs are reproducible."""
    best: dict[int, tuple[int, int]] = {}
    for product_id, category_id, is_active in products:
        count = product_counts.get(product_id, 0)
        if not is_active or count == 0:
            continue
        current = best.get(category_id)
        if current is None or (count, -product_id) > (current[1], -current[0]):
            best[category_id] = (product_id, count)
    return {category_id: product_id for category_id, (product_id, _n) in best.items()}
