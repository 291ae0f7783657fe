"""Pure scoring rules: a customer's purchase summary, chain-wide quintile breakpoints, the RFM
segment and the lifecycle stage.

No database access here: ``services`` streams purchase days in and writes what these functions
return, and the CDNOW test feeds the same ``summarise`` from a text file. A "purchase day" is one
customer's orders on one local calendar day taken together (as Fader and Hardie count them), so
two tickets at the counter on one afternoon are one purchase occasion.
"""

from __future__ import annotations

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TypeVar

from toolcrm.insights.choices import LifecycleStage, RfmSegment
from toolcrm.insights.conf import InsightThresholds

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
HIGH_SCORE = 3  # a quintile score of 3..5 counts as "high" for the RFM segment

Value = TypeVar("Value", int, Decimal)


@dataclass(frozen=True)
class PurchaseDay:
    day: date
    spend: Decimal
    orders: int


@dataclass(frozen=True)
class CustomerSummary:
    """What scoring needs of one customer's history, as of ``today``."""

    customer_id: int
    first_day: date
    last_day: date
    purchase_days: int
    recency_days: int
    frequency: int  # orders inside the RFM window
    monetary: Decimal  # net spend inside the RFM window
    purchase_cycle_days: Decimal | None  # median gap between purchase days
    last_gap_days: int | None  # gap before the latest purchase day
    age_days: int  # today - first purchase day (the BG/NBD "T")
    repeat_spend_mean: Decimal  # mean spend per repeat purchase day, first day excluded
    mean_spend: Decimal  # mean spend per purchase day, first day included

    @property
    def repeat_purchases(self) -> int:
        """BG/NBD frequency: purchase days after the first."""
        return self.purchase_days - 1

    @property
    def repeat_span_days(self) -> int:
        """BG/NBD recency: first to last purchase day."""
        return (self.last_day - self.first_day).days


def summarise(
    customer_id: int, days: Sequence[PurchaseDay], *, today: date, window_days: int
) -> CustomerSummary:
    """Summarise one customer's purchase days (sorted ascending, at least one)."""
    first, last = days[0].day, days[-1].day
    gaps = [(later.day - earlier.day).days for earlier, later in itertools.pairwise(days)]
    in_window = [day for day in days if (today - day.day).days < window_days]
    repeat_spend = sum((day.spend for day in days[1:]), Decimal("0"))
    return CustomerSummary(
        customer_id=customer_id,
        first_day=first,
        last_day=last,
        purchase_days=len(days),
        recency_days=(today - last).days,
        frequency=sum(day.orders for day in in_window),
        monetary=sum((day.spend for day in in_window), Decimal("0")).quantize(CENT),
        purchase_cycle_days=(
            Decimal(str(statistics.median(gaps))).quantize(TENTH) if gaps else None
        ),
        last_gap_days=gaps[-1] if gaps else None,
        age_days=(today - first).days,
        repeat_spend_mean=(repeat_spend / len(gaps)).quantize(CENT) if gaps else Decimal("0.00"),
        mean_spend=((days[0].spend + repeat_spend) / len(days)).quantize(CENT),
    )


def quintile_breakpoints(values: Sequence[Value], *, lower_is_better: bool = False) -> list[Value]:
    """Four cut values that split ``values`` into chain-wide quintiles.

    A value's score is 1 + the number of cut values it beats (``score``); equivalently 1 +
    ⌊5 × (share of customers it strictly beats)⌋, so ties always share one score, on the low side.
    """
    ordered = sorted(values, reverse=lower_is_better)
    count = len(ordered)
    return [ordered[math.ceil((k - 1) * count / 5) - 1] for k in range(2, 6)] if count else []


def score(value: Value, breakpoints: Sequence[Value], *, lower_is_better: bool = False) -> int:
    if lower_is_better:
        return 1 + sum(1 for cut in breakpoints if value < cut)
    return 1 + sum(1 for cut in breakpoints if value > cut)


_SEGMENTS = {
    (True, True, True): RfmSegment.IMPORTANT_VALUE,
    (True, False, True): RfmSegment.IMPORTANT_DEVELOP,
    (False, True, True): RfmSegment.IMPORTANT_RETAIN,
    (False, False, True): RfmSegment.IMPORTANT_WINBACK,
    (True, True, False): RfmSegment.GENERAL_VALUE,
    (True, False, False): RfmSegment.GENERAL_DEVELOP,
    (False, True, False): RfmSegment.GENERAL_RETAIN,
    (False, False, False): RfmSegment.GENERAL_WINBACK,
}


def rfm_segment(r_score: int, f_score: int, m_score: int) -> RfmSegment:
    return _SEGMENTS[(r_score >= HIGH_SCORE, f_score >= HIGH_SCORE, m_score >= HIGH_SCORE)]


def lifecycle_stage(summary: CustomerSummary, limits: InsightThresholds) -> LifecycleStage:
    """The stage follows from the purchase history alone (never from the stored stage), so a
    recompute is idempotent and a missed nightly run changes nothing.

    Days since the last purchase decide at-risk / dormant / lost; a recent buyer whose previous
    purchase was a dormant gap or more earlier is won back; otherwise a recent first purchase
    makes a new customer, anything else an active one.
    """
    recency = summary.recency_days
    if recency >= limits.lost_days:
        return LifecycleStage.LOST
    if recency >= limits.dormant_days:
        return LifecycleStage.DORMANT
    if recency >= limits.at_risk_days:
        return LifecycleStage.AT_RISK
    if summary.last_gap_days is not None and summary.last_gap_days >= limits.dormant_days:
        return LifecycleStage.WON_BACK
    if summary.age_days < limits.new_customer_days:
        return LifecycleStage.NEW
    return LifecycleStage.ACTIVE
