"""What a buyer puts in the basket: product choice by kind of buyer (a household buys a drill and
a tool set, a plumber drill bits and anchors, a property company gloves and helmets), by season
(mowers in spring, pressure washers and fans in summer) and by price (the cheaper kit sells more),
and how many of each."""

from __future__ import annotations

import random
from collections import Counter
from itertools import accumulate

from toolcrm.demo.data.catalog import SEASONAL_DEMAND
from toolcrm.demo.generators.catalog import MACHINE_KINDS, ProductInfo

HOUSEHOLD, TRADE, COMPANY = 0, 1, 2

GROUP_WEIGHTS: dict[int, dict[str, float]] = {
    HOUSEHOLD: {"PT": 1.0, "HT": 1.3, "CS": 0.9, "GD": 0.6, "MS": 0.35, "PP": 0.3, "HW": 0.9,
                "BT": 0.25, "CL": 0.4},
    TRADE: {"PT": 0.9, "HT": 0.7, "CS": 2.6, "GD": 0.2, "MS": 0.5, "PP": 1.0, "HW": 1.6,
            "BT": 0.5, "CL": 0.3},
    COMPANY: {"PT": 0.7, "HT": 0.6, "CS": 2.6, "GD": 0.3, "MS": 0.4, "PP": 1.8, "HW": 1.8,
              "BT": 0.4, "CL": 0.5},
}  # fmt: skip


class ProductPicker:
    def __init__(self, products: tuple[ProductInfo, ...]) -> None:
        self.products = products
        self.by_id = {info.id: info for info in products}
        leaves_per_group = Counter(group for group, _ in {(p.group, p.category) for p in products})
        products_per_leaf = Counter(p.category for p in products)
        price_factor = [float(p.price) ** -0.4 for p in products]
        mean_factor: Counter[str] = Counter()
        for info, factor in zip(products, price_factor, strict=True):
            mean_factor[info.category] += factor / products_per_leaf[info.category]
        self.cum_weights: dict[tuple[int, int], list[float]] = {}
        for buyer, group_weights in GROUP_WEIGHTS.items():
            base = [
                group_weights[p.group]
                / leaves_per_group[p.group]
                / products_per_leaf[p.category]
                * factor
                / mean_factor[p.category]
                for p, factor in zip(products, price_factor, strict=True)
            ]
            for month in range(1, 13):
                weights = [
                    weight * SEASONAL_DEMAND.get(p.category, (1.0,) * 12)[month - 1]
                    for p, weight in zip(products, base, strict=True)
                ]
                self.cum_weights[(buyer, month)] = list(accumulate(weights))

    def pick(self, rng: random.Random, *, buyer: int, month: int, count: int) -> list[ProductInfo]:
        """``count`` products (fewer if a draw repeats), each line of an order distinct."""
        drawn = rng.choices(self.products, cum_weights=self.cum_weights[(buyer, month)], k=count)
        unique: dict[int, ProductInfo] = {}
        for info in drawn:
            unique.setdefault(info.id, info)
        return list(unique.values())


def quantity(rng: random.Random, *, info: ProductInfo, buyer: int) -> int:
    """Units of one product on one order line."""
    if info.kind in MACHINE_KINDS:
        if buyer == COMPANY:
            return rng.choice((1, 1, 2, 2, 3, 4))
        return 2 if rng.random() < 0.04 else 1
    if info.kind == "hand":
        if buyer == COMPANY:
            return rng.randint(2, 10)
        return 2 if rng.random() < (0.25 if buyer == TRADE else 0.08) else 1
    if buyer == COMPANY:
        return rng.choice((5, 10, 10, 20, 20, 30, 50))
    if buyer == TRADE:
        return rng.choice((1, 2, 2, 3, 5, 5, 10, 10, 20))
    return rng.choice((1, 1, 1, 2, 2, 3))
