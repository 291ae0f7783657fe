"""Pure scoring rules: summaries, quintile cut values, segments and stages."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from toolcrm.insights.conf import InsightThresholds
from toolcrm.insights.scoring import (
    PurchaseDay,
    lifecycle_stage,
    quintile_breakpoints,
    rfm_segment,
    score,
    summarise,
)

TODAY = date(2026, 6, 30)


def days_ago(*pairs):
    return [
        PurchaseDay(day=TODAY - timedelta(days=ago), spend=Decimal(spend), orders=orders)
        for ago, spend, orders in pairs
    ]


def test_summarise_counts_orders_but_cycles_on_purchase_days():
    summary = summarise(
        7,
        days_ago((400, "90.00", 1), (100, "30.00", 2), (10, "60.00", 1)),
        today=TODAY,
        window_days=365,
    )

    assert summary.recency_days == 10
    assert summary.frequency == 3  # two orders on one day are two orders
    assert summary.monetary == Decimal("90.00")  # the purchase 400 days ago is outside the window
    assert summary.purchase_cycle_days == Decimal("195.0")  # median of 300 and 90
    assert summary.last_gap_days == 90
    assert (summary.repeat_purchases, summary.repeat_span_days, summary.age_days) == (2, 390, 400)
    assert summary.repeat_spend_mean == Decimal("45.00")  # first purchase day left out
    assert summary.mean_spend == Decimal("60.00")


def test_quintiles_split_five_values_one_per_score_and_ties_share_the_lower_score():
    assert quintile_breakpoints([10, 20, 30, 40, 50]) == [10, 20, 30, 40]
    assert [score(v, [10, 20, 30, 40]) for v in (10, 20, 30, 40, 50)] == [1, 2, 3, 4, 5]
    recency = quintile_breakpoints([10, 20, 30, 40, 50], lower_is_better=True)
    assert [score(v, recency, lower_is_better=True) for v in (10, 50)] == [5, 1]
    assert [score(v, quintile_breakpoints([7, 7, 7])) for v in (7, 7, 7)] == [1, 1, 1]


@given(st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=200))
def test_quintile_score_is_one_plus_five_times_the_share_beaten(values):
    cuts = quintile_breakpoints(values)
    for value in values:
        beaten = sum(1 for other in values if other < value)
        assert score(value, cuts) == 1 + (5 * beaten) // len(values)


def test_segments():
    assert rfm_segment(5, 5, 5) == "important_value"
    assert rfm_segment(2, 2, 3) == "important_winback"
    assert rfm_segment(3, 1, 1) == "general_develop"
    assert rfm_segment(1, 1, 1) == "general_winback"


def test_stages_follow_the_thresholds():
    limits = InsightThresholds()

    def stage(*pairs):
        return lifecycle_stage(summarise(1, days_ago(*pairs), today=TODAY, window_days=365), limits)

    assert stage((30, "1", 1)) == "new"
    assert stage((200, "1", 1), (89, "1", 1)) == "active"
    assert stage((90, "1", 1)) == "at_risk"
    assert stage((180, "1", 1)) == "dormant"
    assert stage((365, "1", 1)) == "lost"
    assert stage((400, "1", 1), (220, "1", 1), (40, "1", 1)) == "won_back"
    assert stage((400, "1", 1), (219, "1", 1), (40, "1", 1)) == "active"  # gap of 179 days
