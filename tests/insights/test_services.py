"""Recomputing scores: exact RFM quintiles, segments, stages and purchase cycles on hand-built
customers, won-back customers, one-customer refresh, idempotence, tasks and the command."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from tests.factories import CustomerFactory, OrderFactory
from toolcrm.insights import services, tasks
from toolcrm.insights.models import CustomerScore, ScoringRun
from toolcrm.sales.models import Order, Return

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def buy(customer, days_ago, total, **kwargs):
    return OrderFactory(
        customer=customer,
        ordered_at=NOW - timedelta(days=days_ago),
        total=Decimal(total),
        subtotal=Decimal(total),
        **kwargs,
    )


@pytest.fixture
def chain(store_a, clerk):
    """Six customers whose scores are worked out by hand in the tests below."""
    people = {name: CustomerFactory(home_store=store_a, name=name) for name in "ABCDEW"}
    refunded = buy(people["A"], 10, "500.00", status="partially_returned")
    Return.objects.create(
        order=refunded,
        store=store_a,
        staff=clerk,
        reason="少一件",
        refund_amount=Decimal("50.00"),
        returned_at=NOW - timedelta(days=9),
    )
    buy(people["A"], 40, "300.00")
    buy(people["A"], 400, "200.00")  # outside the 365-day RFM window
    buy(people["A"], 1, "999.00", status="cancelled")  # not a purchase
    buy(people["B"], 30, "1000.00")
    buy(people["C"], 200, "100.00")
    buy(people["C"], 100, "100.00")
    buy(people["D"], 250, "80.00")
    buy(people["E"], 500, "70.00")
    buy(people["W"], 400, "900.00")
    buy(people["W"], 5, "600.00")
    CustomerFactory(home_store=store_a, name="no orders")
    return people


def scores_by_name():
    return {
        score.customer.name: score for score in CustomerScore.objects.select_related("customer")
    }


def values(score):
    return tuple(getattr(score, name) for name in services.SCORE_FIELDS)


@pytest.mark.django_db
def test_recompute_scores_hand_checked_chain(chain):
    result = services.recompute_scores(now=NOW)

    scores = scores_by_name()
    assert (result.customers, result.created, result.is_full) == (6, 6, True)
    assert set(scores) == set("ABCDEW")  # a customer without purchases gets no row
    expected = {
        # name: recency, frequency, monetary, R, F, M, segment, stage, cycle
        "A": (10, 2, "750.00", 4, 4, 4, "important_value", "active", "195.0"),
        "B": (30, 1, "1000.00", 3, 1, 5, "important_develop", "new", None),
        "C": (100, 2, "200.00", 2, 4, 2, "general_retain", "at_risk", "100.0"),
        "D": (250, 1, "80.00", 1, 1, 1, "general_winback", "dormant", None),
        "E": (500, 0, "0.00", 1, 1, 1, "general_winback", "lost", None),
        "W": (5, 1, "600.00", 5, 1, 3, "important_develop", "won_back", "395.0"),
    }
    for name, row in expected.items():
        score = scores[name]
        assert (
            score.recency_days,
            score.frequency,
            score.monetary,
            score.r_score,
            score.f_score,
            score.m_score,
            score.rfm_segment,
            score.lifecycle_stage,
            score.purchase_cycle_days,
        ) == (
            row[0],
            row[1],
            Decimal(row[2]),
            *row[3:8],
            Decimal(row[8]) if row[8] else None,
        ), name
        assert score.computed_at == NOW
        # too few customers for a CLV fit: no prediction rather than a wrong one
        assert score.clv_12m is None and score.predicted_purchases_12m is None
    run = ScoringRun.objects.get()
    assert run.breakpoints == {
        "recency": [250, 100, 30, 10],
        "frequency": [1, 1, 1, 2],
        "monetary": ["80.00", "200.00", "600.00", "750.00"],
    }
    assert run.clv_parameters is None


@pytest.mark.django_db
def test_second_recompute_changes_nothing(chain):
    services.recompute_scores(now=NOW)
    before = {name: values(score) for name, score in scores_by_name().items()}

    result = services.recompute_scores(now=NOW)

    assert (result.created, result.updated, result.unchanged, result.deleted) == (0, 0, 6, 0)
    assert {name: values(score) for name, score in scores_by_name().items()} == before


@pytest.mark.django_db
def test_thresholds_are_configurable(chain, settings):
    settings.INSIGHTS_AT_RISK_DAYS = 120

    services.recompute_scores(now=NOW)

    assert scores_by_name()["C"].lifecycle_stage == "active"


@pytest.mark.django_db
def test_refresh_customer_wins_back_a_dormant_customer_and_touches_no_one_else(chain):
    services.recompute_scores(now=NOW)
    others = {name: values(s) for name, s in scores_by_name().items() if name != "D"}
    buy(chain["D"], 1, "120.00")

    score = services.refresh_customer(customer_id=chain["D"].pk, now=NOW)

    assert score is not None
    assert (score.lifecycle_stage, score.recency_days, score.frequency, score.monetary) == (
        "won_back",
        1,
        2,
        Decimal("200.00"),
    )
    # scored against the nightly run's cut values: R beats all four, F 2 > 1, M 200 > 80
    assert (score.r_score, score.f_score, score.m_score, score.rfm_segment) == (
        5,
        4,
        2,
        "general_value",
    )
    assert score.purchase_cycle_days == Decimal("249.0")
    assert {name: values(s) for name, s in scores_by_name().items() if name != "D"} == others
    assert ScoringRun.objects.count() == 1


@pytest.mark.django_db
def test_won_back_turns_active_after_a_regular_purchase(chain):
    buy(chain["W"], 2, "100.00")

    services.recompute_scores(now=NOW)

    assert scores_by_name()["W"].lifecycle_stage == "active"


@pytest.mark.django_db
def test_refresh_before_any_nightly_run_runs_the_full_recompute(chain):
    score = services.refresh_customer(customer_id=chain["B"].pk, now=NOW)

    assert score is not None and score.m_score == 5
    assert CustomerScore.objects.count() == 6 and ScoringRun.objects.count() == 1


@pytest.mark.django_db
def test_customer_without_purchases_any_more_loses_the_row(chain):
    services.recompute_scores(now=NOW)
    Order.objects.filter(customer=chain["E"]).update(status="cancelled")

    result = services.refresh_customer(customer_id=chain["E"].pk, now=NOW)

    assert result is None
    assert not CustomerScore.objects.filter(customer=chain["E"]).exists()
    assert CustomerScore.objects.count() == 5


@pytest.mark.django_db
def test_clv_is_predicted_for_every_buyer_when_the_chain_has_enough_history(store_a, settings):
    settings.INSIGHTS_CLV_MIN_CUSTOMERS = 40
    orders = []
    for index in range(60):
        customer = CustomerFactory(home_store=store_a)
        purchases = index % 6  # 0..5 repeat purchases
        first = 300 + index
        for repeat in range(purchases + 1):
            orders.append(
                Order(
                    channel="pos",
                    external_id=f"CLV-{index}-{repeat}",
                    customer=customer,
                    store=store_a,
                    ordered_at=NOW - timedelta(days=first - repeat * (40 + index % 7)),
                    subtotal=Decimal(100 + 10 * (index % 9) + repeat),
                    total=Decimal(100 + 10 * (index % 9) + repeat),
                )
            )
    Order.objects.bulk_create(orders)

    result = services.recompute_scores(now=NOW)

    assert result.is_clv_fitted
    scores = list(CustomerScore.objects.all())
    assert len(scores) == 60
    assert all(s.clv_12m is not None and s.clv_12m > 0 for s in scores)
    assert all(s.predicted_purchases_12m is not None for s in scores)
    parameters = ScoringRun.objects.get().clv_parameters
    assert set(parameters) == {"r", "alpha", "a", "b", "p", "q", "v"}


@pytest.mark.django_db
def test_tasks_recompute_all_and_refresh_one(chain):
    with time_machine.travel(NOW, tick=False):
        result = tasks.recompute_all_scores.enqueue()

        assert result.return_value == {
            "customers": 6,
            "created": 6,
            "updated": 0,
            "new_vips": 0,
            "overdue_cycles": 0,
        }
        buy(chain["B"], 0, "10.00")
        tasks.refresh_customer_scores.enqueue(chain["B"].pk)

    score = CustomerScore.objects.get(customer=chain["B"])
    assert (score.recency_days, score.frequency, score.computed_at) == (0, 2, NOW)


@pytest.mark.django_db
def test_compute_insights_command_prints_counts_and_timing(chain):
    out = StringIO()

    call_command("compute_insights", stdout=out)

    text = out.getvalue()
    assert "full recompute: 6 customers scored, 6 created" in text
    assert text.rstrip().endswith(" s")
    assert timezone.is_aware(CustomerScore.objects.first().computed_at)


@pytest.mark.django_db
def test_full_recompute_drops_customers_without_purchases_and_inactive_ones(chain):
    services.recompute_scores(now=NOW)
    Order.objects.filter(customer=chain["E"]).update(status="returned")
    chain["D"].is_active = False
    chain["D"].save(update_fields=["is_active"])

    result = services.recompute_scores(now=NOW)

    assert (result.customers, result.deleted) == (4, 2)
    assert set(scores_by_name()) == set("ABCW")


@pytest.mark.django_db
def test_an_empty_list_of_customers_is_nothing_to_do():
    """Readers build their SQL from the ORM, which cannot write ``IN ()``: an empty batch must
    return before it reaches them."""
    from toolcrm.insights import churn, cycles
    from toolcrm.tags.behaviour import behaviour_as_of
    from toolcrm.tags.conf import thresholds as tag_thresholds

    result = services.refresh_customers(customer_ids=[])

    assert (result.customers, result.created, result.deleted) == (0, 0, 0)
    assert churn.score([], today=date(2026, 6, 1), horizon_days=90) == {}
    assert cycles.category_days([]) == []
    assert behaviour_as_of([], now=timezone.now(), limits=tag_thresholds()).members == {}
