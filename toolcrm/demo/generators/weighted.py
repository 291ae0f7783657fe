"""Drawing from a fixed list of values with weights (surnames, phone prefixes, channels …):
cumulative weights are computed once, so each draw is one bisection."""

from __future__ import annotations

import random
from collections.abc import Iterable
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        pairs = list(pairs)
        self.values = [value for value, _ in pairs]
        self.cum_weights = list(accumulate(weight for _, weight in pairs))

    def draw(self, rng: random.Random) -> T:
        return rng.choices(self.values, cum_weights=self.cum_weights)[0]
