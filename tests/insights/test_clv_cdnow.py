"""CLV models reproduce the published CDNOW results (Fader, Hardie & Lee 2005).

Given the CDNOW 1/10 sample (tests/data/cdnow/README.md), when it is summarised by our own
``scoring.summarise`` over the calibration period 1997-01-01 .. 1997-09-30 and fitted by
``clv``, then the summary equals the published one and every parameter is within 2 % of the
published BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, v).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from toolcrm.insights import clv
from toolcrm.insights.scoring import CustomerSummary, PurchaseDay, summarise

DATA = Path(__file__).resolve().parent.parent / "data" / "cdnow"
CALIBRATION_END = date(1997, 9, 30)
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


@cache
def calibration_summaries() -> dict[int, CustomerSummary]:
    spend_by_day: dict[int, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    with (DATA / "CDNOW_sample.txt").open(encoding="ascii") as rows:
        for row in rows:
            _master_id, sample_id, day, _cds, dollars = row.split()
            bought = datetime.strptime(day, "%Y%m%d").date()
            if bought <= CALIBRATION_END:
                spend_by_day[int(sample_id)][bought] += Decimal(dollars)
    return {
        customer: summarise(
            customer,
            [PurchaseDay(day=d, spend=spend, orders=1) for d, spend in sorted(days.items())],
            today=CALIBRATION_END,
            window_days=10_000,
        )
        for customer, days in spend_by_day.items()
    }


def weeks(days: int) -> float:
    return round(days / 7, 2)


def test_summary_equals_the_published_calibration_summary():
    summaries = calibration_summaries()
    with (DATA / "cdnow_customers_summary_with_transactions.csv").open(encoding="ascii") as file:
        published = [
            {key.strip(): value for key, value in row.items()} for row in csv.DictReader(file)
        ]

    assert len(summaries) == len(published) == 2357
    for row in published:
        summary = summaries[int(row["ID"])]
        assert summary.repeat_purchases == int(row["x"])
        assert weeks(summary.repeat_span_days) == pytest.approx(float(row["t_x"]), abs=0.005)
        assert weeks(summary.age_days) == pytest.approx(float(row["T"]), abs=0.005)
        assert summary.repeat_spend_mean == pytest.approx(Decimal(row["zbar"]), abs=Decimal("0.01"))


def test_bgnbd_and_gamma_gamma_reproduce_the_published_parameters_within_2_percent():
    summaries = list(calibration_summaries().values())
    repeaters = [s for s in summaries if s.repeat_purchases > 0]

    r, alpha, a, b = clv.fit_bgnbd(
        [s.repeat_purchases for s in summaries],
        [weeks(s.repeat_span_days) for s in summaries],
        [weeks(s.age_days) for s in summaries],
    )
    p, q, v = clv.fit_gamma_gamma(
        [s.repeat_purchases for s in repeaters], [float(s.repeat_spend_mean) for s in repeaters]
    )

    fitted = {"r": r, "alpha": alpha, "a": a, "b": b, "p": p, "q": q, "v": v}
    for name, expected in (PUBLISHED_BGNBD | PUBLISHED_GAMMA_GAMMA).items():
        assert fitted[name] == pytest.approx(expected, rel=0.02), name
    assert len(repeaters) == 946


def test_prediction_in_days_matches_hardies_spreadsheet():
    """x=2, t_x=30.43, T=38.86 weeks expects 1.226 purchases in the next 39 weeks; the chain
    fits in days, so alpha is scaled by 7 and every duration is in days."""
    parameters = clv.ClvParameters(
        r=0.242593, alpha=4.413532 * 7, a=0.792886, b=2.425752, p=6.25, q=3.74, v=15.44
    )
    customer = CustomerSummary(
        customer_id=1,
        first_day=date(1997, 1, 1),
        last_day=date(1997, 8, 2),  # 213 days = 30.43 weeks
        purchase_days=3,
        recency_days=59,
        frequency=3,
        monetary=Decimal("73.98"),
        purchase_cycle_days=None,
        last_gap_days=None,
        age_days=272,  # 38.86 weeks
        repeat_spend_mean=Decimal("22.35"),
        mean_spend=Decimal("24.66"),
    )

    [(purchases, value)] = clv.predict(parameters, [customer], horizon_days=39 * 7)

    assert float(purchases) == pytest.approx(1.226, abs=0.01)
    # Gamma-Gamma expected spend for x=2, zbar=22.35 is 24.65 (Hardie's note 025).
    assert float(value) == pytest.approx(float(purchases) * 24.65, rel=0.01)
