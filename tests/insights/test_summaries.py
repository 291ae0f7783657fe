"""Customer summaries two ways: PostgreSQL aggregates them in one query (``summaries_sql``),
SQLite runs ``scoring.summarise`` per customer over raw purchase-day rows
(``summaries_python``). On PostgreSQL both run on the same history and must agree field for field
(same quantisation, half-day medians, refunds, local days across UTC midnight, the RFM window and
the rolling year), and a whole recompute must write the same rows either way."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from tests.factories import CustomerFactory, OrderFactory
from tests.insights.test_services import NOW, buy, chain  # noqa: F401 (fixture)
from toolcrm.insights import purchases, services, summaries
from toolcrm.insights.models import CategoryCycle, CustomerScore, ScoringRun
from toolcrm.sales.models import Return

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 30)
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


@pytest.fixture
def history(chain, store_a, clerk):  # noqa: F811
    """The hand-checked chain plus customers whose figures need care: several orders on one local
    day (one of them 00:30 in Shanghai, still the day before in UTC), an even number of gaps (a
    half-day median), refunds on two orders of one day, purchases exactly on the window edges, an
    inactive customer and a cancelled-only one."""
    people = dict(chain)
    people["same_day"] = CustomerFactory(home_store=store_a, name="same day")
    for hour, minute, total in ((0, 30, "10.10"), (9, 0, "20.20"), (23, 59, "30.30")):
        OrderFactory(
            customer=people["same_day"],
            ordered_at=datetime(2026, 6, 20, hour, minute, tzinfo=SHANGHAI),
            total=Decimal(total),
            subtotal=Decimal(total),
        )
    buy(people["same_day"], 33, "5.55")
    people["even"] = CustomerFactory(home_store=store_a, name="even")
    for days_ago in (0, 3, 10, 21):
        buy(people["even"], days_ago, "3.33")
    buy(people["even"], 26, "3.34")  # gaps 5, 11, 7, 3: median 6.0
    people["odd_half"] = CustomerFactory(home_store=store_a, name="odd half")
    for days_ago in (0, 4, 11):  # gaps 7, 4: median 5.5
        buy(people["odd_half"], days_ago, "7.77")
    people["refunded"] = CustomerFactory(home_store=store_a, name="refunded")
    for total, refund in (("100.00", "33.33"), ("50.00", "0.01")):
        order = buy(people["refunded"], 2, total, status="partially_returned")
        for part in (refund, "1.00"):
            Return.objects.create(
                order=order,
                store=store_a,
                staff=clerk,
                reason="退一件",
                refund_amount=Decimal(part),
                returned_at=NOW,
            )
    people["edges"] = CustomerFactory(home_store=store_a, name="edges")
    buy(people["edges"], 364, "1.00")  # inside the 365-day window and year
    buy(people["edges"], 365, "2.00")  # outside both
    buy(people["edges"], 366, "4.00")
    people["inactive"] = CustomerFactory(home_store=store_a, name="inactive", is_active=False)
    buy(people["inactive"], 3, "9.00")
    people["cancelled"] = CustomerFactory(home_store=store_a, name="cancelled only")
    buy(people["cancelled"], 3, "9.00", status="cancelled")
    return people


def test_python_summaries_read_local_days_and_net_spend(history):
    found, rolling = summaries.summaries_python(None, today=TODAY, window_days=365)
    by_id = {s.customer_id: (s, spend) for s, spend in zip(found, rolling, strict=True)}

    assert history["inactive"].pk not in by_id and history["cancelled"].pk not in by_id
    same_day, same_day_rolling = by_id[history["same_day"].pk]
    assert (same_day.purchase_days, same_day.frequency, same_day.monetary) == (
        2,
        4,
        Decimal("66.15"),
    )
    assert same_day.last_day == date(2026, 6, 20) and same_day_rolling == Decimal("66.15")
    assert by_id[history["even"].pk][0].purchase_cycle_days == Decimal("6.0")
    assert by_id[history["odd_half"].pk][0].purchase_cycle_days == Decimal("5.5")
    refunded = by_id[history["refunded"].pk][0]
    assert (refunded.purchase_days, refunded.frequency, refunded.monetary) == (
        1,
        2,
        Decimal("114.66"),
    )
    edges, edges_rolling = by_id[history["edges"].pk]
    assert (edges.frequency, edges.monetary, edges_rolling) == (1, Decimal("1.00"), Decimal("1.00"))
    assert (edges.purchase_cycle_days, edges.last_gap_days) == (Decimal("1.0"), 1)
    assert edges.repeat_spend_mean == Decimal("1.50") and edges.mean_spend == Decimal("2.33")


def test_purchase_day_rows_are_plain_tuples_of_dates_and_decimals(history):
    rows = list(purchases.purchase_day_rows([history["same_day"].pk]))

    assert rows == [
        (history["same_day"].pk, date(2026, 5, 28), Decimal("5.55"), 1),
        (history["same_day"].pk, date(2026, 6, 20), Decimal("60.60"), 3),
    ]


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the summaries are aggregated in SQL on PostgreSQL only")


def test_sql_and_python_summaries_agree(history, postgres_only):
    for window_days in (365, 30, 1):
        for customer_ids in (None, [history["even"].pk, history["refunded"].pk, 10**9]):
            by_sql = summaries.summaries_sql(customer_ids, today=TODAY, window_days=window_days)
            by_python = summaries.summaries_python(
                customer_ids, today=TODAY, window_days=window_days
            )
            assert by_sql == by_python
            # equal Decimals can still differ in exponent ("0" and "0.00"): compare the text too
            assert repr(by_sql) == repr(by_python)


def snapshot() -> tuple[dict[int, tuple[Any, ...]], Any, list[tuple[Any, ...]]]:
    scores = {
        row.customer_id: tuple(getattr(row, name) for name in services.SCORE_FIELDS)
        for row in CustomerScore.objects.all()
    }
    run = ScoringRun.objects.order_by("-pk").values_list("breakpoints", "clv_parameters").first()
    cycles = sorted(
        CategoryCycle.objects.values_list(
            "customer_id", "category_id", "median_days", "orders", "next_due_on", "is_overdue"
        )
    )
    return scores, run, cycles


def test_recompute_writes_the_same_rows_on_either_path(history, postgres_only, monkeypatch):
    by_sql_result = services.recompute_scores(now=NOW)
    by_sql = snapshot()
    CustomerScore.objects.all().delete()
    ScoringRun.objects.all().delete()

    monkeypatch.setattr(summaries, "summaries_sql", summaries.summaries_python)
    by_python_result = services.recompute_scores(now=NOW)

    assert snapshot() == by_sql
    assert by_python_result.customers == by_sql_result.customers == len(by_sql[0])
