"""Customer purchase summaries (``scoring.CustomerSummary`` plus the rolling 12-month spend),
from the purchase days of ``purchases``.

Two ways to the same figures. On PostgreSQL one query computes them for every customer at once
(window functions for the gaps between purchase days, ``percentile_cont`` for their median,
filtered sums for the RFM window and the rolling year), so the nightly run moves one row per
customer into Python instead of one per purchase day. Elsewhere (SQLite, the development and
test database) ``scoring.summarise`` runs per customer over the streamed purchase days. The
divisions and quantisations are done in Python on both paths, so the two agree to the cent (the
PostgreSQL tests compare them on the same data).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection

from toolcrm.insights import scoring
from toolcrm.insights.purchases import fetch, net_spend_days_sql, purchase_day_rows
from toolcrm.insights.scoring import CENT, TENTH, CustomerSummary, PurchaseDay

ROLLING_DAYS = 365
ZERO = Decimal("0")

Summaries = tuple[list[CustomerSummary], list[Decimal]]  # summaries, rolling spend (same order)


def summaries(customer_ids: Sequence[int] | None, *, today: date, window_days: int) -> Summaries:
    """The summaries of ``customer_ids`` (everyone who has bought when ``None``) who have a
    purchase, in customer order, and each one's net spend over the last ``ROLLING_DAYS``."""
    if connection.vendor == "postgresql":
        return summaries_sql(customer_ids, today=today, window_days=window_days)
    return summaries_python(customer_ids, today=today, window_days=window_days)


def summaries_python(
    customer_ids: Sequence[int] | None, *, today: date, window_days: int
) -> Summaries:
    """Per customer in Python, over the purchase days read by one query."""
    found: list[CustomerSummary] = []
    rolling: list[Decimal] = []
    for customer_id, group in itertools.groupby(
        purchase_day_rows(customer_ids), key=lambda row: row[0]
    ):
        days = [PurchaseDay(day=day, spend=spend, orders=orders) for _, day, spend, orders in group]
        found.append(scoring.summarise(customer_id, days, today=today, window_days=window_days))
        rolling.append(
            sum(
                (day.spend for day in days if (today - day.day).days < ROLLING_DAYS), ZERO
            ).quantize(CENT)
        )
    return found, rolling


# The purchase days (``net_spend_days_sql``), each with the gap since the customer's previous
# purchase day and whether it is their latest, then one row per customer. ``day > cut`` is
# ``(today - day).days < window``.
SUMMARY_SQL = """
WITH days AS ({days}),
gaps AS (
    SELECT customer_id, day, spend, orders,
           day - LAG(day) OVER w AS gap,
           LEAD(day) OVER w IS NULL AS is_last
    FROM days
    WINDOW w AS (PARTITION BY customer_id ORDER BY day)
)
SELECT customer_id,
       MIN(day),
       MAX(day),
       COUNT(*),
       COALESCE(SUM(orders) FILTER (WHERE day > %s), 0),
       COALESCE(SUM(spend) FILTER (WHERE day > %s), 0),
       PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY gap),
       MAX(gap) FILTER (WHERE is_last),
       SUM(spend),
       COALESCE(SUM(spend) FILTER (WHERE gap IS NOT NULL), 0),
       COALESCE(SUM(spend) FILTER (WHERE day > %s), 0)
FROM gaps
GROUP BY customer_id
ORDER BY customer_id
"""


def summaries_sql(
    customer_ids: Sequence[int] | None, *, today: date, window_days: int
) -> Summaries:
    """PostgreSQL: every figure of ``scoring.summarise`` aggregated in one query; Python only
    divides (the means) and quantises, as ``summarise`` does."""
    days_sql, days_params = net_spend_days_sql(customer_ids)
    params = (
        *days_params,
        today - timedelta(days=window_days),
        today - timedelta(days=window_days),
        today - timedelta(days=ROLLING_DAYS),
    )
    found: list[CustomerSummary] = []
    rolling: list[Decimal] = []
    for (
        customer_id,
        first,
        last,
        purchase_days,
        frequency,
        monetary,
        median_gap,
        last_gap,
        spend,
        repeat_spend,
        rolling_spend,
    ) in fetch(SUMMARY_SQL.format(days=days_sql), params):
        repeats = purchase_days - 1
        found.append(
            CustomerSummary(
                customer_id=customer_id,
                first_day=first,
                last_day=last,
                purchase_days=purchase_days,
                recency_days=(today - last).days,
                frequency=int(frequency),  # SUM of a count is numeric in PostgreSQL
                monetary=monetary.quantize(CENT),
                # statistics.median of whole days is a whole or half day: exact as a float
                purchase_cycle_days=(
                    Decimal(str(median_gap)).quantize(TENTH) if median_gap is not None else None
                ),
                last_gap_days=last_gap,
                age_days=(today - first).days,
                repeat_spend_mean=(
                    (repeat_spend / repeats).quantize(CENT) if repeats else Decimal("0.00")
                ),
                mean_spend=(spend / purchase_days).quantize(CENT),
            )
        )
        rolling.append(rolling_spend.quantize(CENT))
    return found, rolling
