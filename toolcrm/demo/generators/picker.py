"""What a buyer puts in the basket: product choice by kind of buyer (a household buys a drill and
a tool set, a plumber drill bits and anchors, a property company gloves and helmets), by season
(mowers in spring, pressure washers and fans in summer) and by price (the cheaper kit sells more),
and how many of each; and what a building site orders every month (``site_order``)."""

from __future__ import annotations

import random
from collections import Counter
from itertools import accumulate

from toolcrm.demo.data.catalog import SEASONAL_DEMAND
from toolcrm.demo.generators.catalog import MACHINE_KINDS, ProductInfo

HOUSEHOLD, TRADE, COMPANY = 0, 1, 2
SITE_GROUPS = ("PT", "CS", "PP", "HW", "BT")
SITE_LINE_BUDGET = 16_000  # CNY: above this a site line buys fewer units of a dear product

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
        self.site_weights: dict[tuple[str, int], tuple[tuple[ProductInfo, ...], list[float]]] = {}
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
                if buyer == COMPANY:
                    self._add_site_weights(month, weights)

    def _add_site_weights(self, month: int, weights: list[float]) -> None:
        """A company's weights within each group a building site orders from, so a site order
        can ask for "some power tools" and "some consumables" specifically."""
        for group in SITE_GROUPS:
            members = [
                (p, w) for p, w in zip(self.products, weights, strict=True) if p.group == group
            ]
            self.site_weights[(group, month)] = (
                tuple(info for info, _ in members),
                list(accumulate(weight for _, weight in members)),
            )

    def pick(self, rng: random.Random, *, buyer: int, month: int, count: int) -> list[ProductInfo]:
        """``count`` products (fewer if a draw repeats), each line of an order distinct."""
        drawn = rng.choices(self.products, cum_weights=self.cum_weights[(buyer, month)], k=count)
        unique: dict[int, ProductInfo] = {}
        for info in drawn:
            unique.setdefault(info.id, info)
        return list(unique.values())

    def site_order(self, rng: random.Random, *, month: int, is_large: bool) -> list[ProductInfo]:
        """What a building site orders for the month: power tools (replacing worn-out and stolen
        machines, equipping a new crew), the consumables they eat (discs, bits, blades), and
        often safety gear, fasteners or batteries; at most six lines."""
        products = self._from_group(rng, "PT", month, rng.randint(1, 2))
        products += self._from_group(rng, "CS", month, rng.randint(1, 2))
        extras = rng.choices(("PP", "HW", "BT"), weights=(4, 4, 2), k=rng.randint(0, 1 + is_large))
        for group in dict.fromkeys(extras):
            products += self._from_group(rng, group, month, 1)
        return products

    def _from_group(
        self, rng: random.Random, group: str, month: int, count: int
    ) -> list[ProductInfo]:
        members, cum_weights = self.site_weights[(group, month)]
        drawn = rng.choices(members, cum_weights=cum_weights, k=count)
        return list({info.id: info for info in drawn}.values())


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


def site_quantity(rng: random.Random, *, info: ProductInfo, is_large: bool) -> int:
    """Units of one product on a site order: a construction firm running several sites orders
    machines by the half-dozen and discs by the hundred, a renovation company a few of each;
    fewer of the dearer products (ten rotary hammers, not forty; thirty respirators, not three
    hundred)."""
    price = float(info.price)
    if info.kind in MACHINE_KINDS:
        units = rng.randint(3, 12) if is_large else rng.randint(1, 3)
        return min(units, max(2, int(SITE_LINE_BUDGET / price)))
    if info.kind == "hand":
        units = rng.randint(5, 20) if is_large else rng.randint(2, 6)
    elif is_large:
        units = rng.choice((50, 100, 100, 150, 200, 300))
    else:
        units = rng.choice((10, 20, 20, 30, 50))
    return min(units, max(10, int(SITE_LINE_BUDGET / 2 / price) // 10 * 10))
