"""The churn model on a generated history: ``train_churn`` prints sane ROC-AUC and top-decile
precision for the model and the 90-day rule side by side; versions are kept and the newest is
active; customers get a probability and reasons in words; thin history is refused; a model from
another scikit-learn version is not used."""

from __future__ import annotations

import random
import re
import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO

import numpy as np
import pytest
import time_machine
from django.core.management import CommandError, call_command

from toolcrm.customers.models import Customer
from toolcrm.insights import churn, services
from toolcrm.insights.models import ChurnModel, CustomerScore
from toolcrm.sales.models import Order

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
FIGURES = re.compile(r"^(model|rule)\b.*?(\d\.\d{3})\s+(\d\.\d{3})$", re.MULTILINE)


def generate(store, customers=120, seed=7, now=NOW):  # type: ignore[no-untyped-def]
    """Half the customers keep buying every 10–40 days; the other half buy the same way and then
    stop on a random day in the last 400 days. A mix of channels and order sizes."""
    rng = random.Random(seed)
    people = Customer.objects.bulk_create(
        Customer(name=f"客户{number}", home_store=store) for number in range(customers)
    )
    orders = []
    silent = {}
    for number, customer in enumerate(people):
        stops = number % 2 == 1
        stop = rng.randint(0, 400) if stops else -1
        silent[customer.pk] = stop
        days_ago = rng.randint(500, 700)
        while days_ago > stop and days_ago >= 0:
            total = Decimal(rng.randint(50, 3000))
            orders.append(
                Order(
                    channel=rng.choice(["pos", "pos", "ecommerce", "b2b"]),
                    external_id=f"GEN{len(orders):06d}",
                    customer=customer,
                    store=store,
                    ordered_at=now - timedelta(days=days_ago, hours=rng.randint(0, 8)),
                    subtotal=total,
                    total=total,
                )
            )
            days_ago -= rng.randint(10, 40)
    Order.objects.bulk_create(orders)
    return people, silent


@pytest.fixture
def generated(store_a):  # type: ignore[no-untyped-def]
    return generate(store_a)


@pytest.mark.django_db
def test_train_churn_prints_model_and_rule_and_versions(generated):
    people, silent = generated
    out = StringIO()

    with time_machine.travel(NOW, tick=False):
        call_command("train_churn", stdout=out)
        call_command("train_churn", "--no-rescore", stdout=StringIO())

    text = out.getvalue()
    figures = {name: (float(auc), float(top)) for name, auc, top in FIGURES.findall(text)}
    assert set(figures) == {"model", "rule"}, text
    for auc, precision in figures.values():
        assert 0.0 <= auc <= 1.0 and 0.0 <= precision <= 1.0
    assert figures["model"][0] > 0.6  # the generated churners are learnable
    evaluated = re.search(r"(\d+) customers, (\d+) churned \(base rate", text)
    assert evaluated is not None
    customers, positives = int(evaluated[1]), int(evaluated[2])
    assert 30 <= customers <= len(people) and 5 <= positives < customers
    assert "rescored" in text

    versions = list(ChurnModel.objects.order_by("version").values_list("version", "is_active"))
    assert versions == [(1, False), (2, True)]  # the old version is kept, inactive
    old = ChurnModel.objects.get(version=1)
    assert bytes(old.model_blob)
    assert round(old.metrics["evaluation"]["model"]["roc_auc"], 3) == figures["model"][0]
    assert old.features == churn.FEATURES and old.cutoff_on == (NOW - timedelta(days=90)).date()

    scores = CustomerScore.objects.exclude(churn_probability=None)
    assert scores.count() == CustomerScore.objects.count() > 0
    assert set(scores.values_list("churn_model_version", flat=True)) == {1}  # rescored by v1

    # long-silent customers score higher than steady buyers, and their reasons are words
    silent_for_long = [pk for pk, stop in silent.items() if stop > 200]
    steady = [pk for pk, stop in silent.items() if stop == -1]
    by_customer = dict(scores.values_list("customer_id", "churn_probability"))
    assert np.mean([by_customer[pk] for pk in silent_for_long]) > np.mean(
        [by_customer[pk] for pk in steady]
    )
    score = CustomerScore.objects.get(customer_id=silent_for_long[0])
    texts = [churn.reason_text(reason) for reason in score.churn_reasons]
    assert 1 <= len(texts) <= 3 and all(texts)
    assert any(f"已 {score.recency_days} 天未购买" == text or "倍" in text for text in texts)


@pytest.mark.django_db
def test_thin_history_is_refused_and_writes_nothing(store_a):
    generate(store_a, customers=10)

    with time_machine.travel(NOW, tick=False), pytest.raises(CommandError, match="need at least"):
        call_command("train_churn", stdout=StringIO())

    assert not ChurnModel.objects.exists()


@pytest.mark.django_db
def test_a_model_from_another_sklearn_version_is_not_used(generated):
    model = services.train_churn_model(now=NOW)
    ChurnModel.objects.filter(pk=model.pk).update(sklearn_version="0.0.1")

    services.recompute_scores(now=NOW)

    assert CustomerScore.objects.exclude(churn_probability=None).count() == 0


def test_evaluate_figures_by_hand():
    labels = np.array([1, 1, 0, 0, 1, 0, 0, 0, 0, 0])
    model = np.array([0.9, 0.8, 0.7, 0.1, 0.6, 0.2, 0.3, 0.1, 0.2, 0.1])
    recency = np.array([200, 95, 30, 10, 80, 100, 20, 5, 7, 3])

    figures = churn.evaluate(labels, model, recency, 90)

    assert figures["model"]["precision_top_decile"] == 1.0  # top 1 of 10: the 0.9
    assert figures["rule"]["precision_top_decile"] == 1.0  # the 200-day customer
    # rule verdicts: churn for 200, 95, 100 → TPR 2/3, FPR 1/7 → AUC (1 + 2/3 − 1/7) / 2
    assert figures["rule"]["roc_auc"] == round((1 + 2 / 3 - 1 / 7) / 2, 4)
    assert (figures["customers"], figures["positives"], figures["base_rate"]) == (10, 3, 0.3)


def test_reasons_are_worded_from_raw_values():
    raw = {
        "spend_trend_90": -0.5,
        "spend_prev_90": 1000.0,
        "spend_90": 400.0,
        "recency_days": 120.0,
        "cycle_ratio_unclipped": 4.0,
        "purchase_days_365": 0.0,
    }
    assert churn.reason_text(churn._reason("spend_trend_90", "low", raw)) == (
        "近 90 天消费较前 90 天下降 60%"
    )
    assert churn.reason_text(churn._reason("recency_days", "high", raw)) == "已 120 天未购买"
    assert churn._reason("recency_days", "low", raw) is None  # a recent purchase is no reason
    assert churn.reason_text(churn._reason("purchase_days_365", "low", raw)) == "过去一年没有购买"
    assert churn.reason_text({"key": "unknown", "params": {}}) == ""


@pytest.mark.django_db
def test_weekly_task_trains_a_version_and_rescores(generated):
    from toolcrm.insights.tasks import retrain_churn_model

    with time_machine.travel(NOW, tick=False):
        result = retrain_churn_model.enqueue()

    assert result.return_value == {"trained": True, "version": 1}
    assert CustomerScore.objects.filter(churn_model_version=1).count() > 0


@pytest.mark.django_db
def test_weekly_task_reports_thin_history_without_failing(store_a):
    from toolcrm.insights.tasks import retrain_churn_model

    with time_machine.travel(NOW, tick=False):
        result = retrain_churn_model.enqueue()

    assert (
        result.return_value["trained"] is False and "no purchases" in result.return_value["reason"]
    )
    assert not ChurnModel.objects.exists()


@pytest.mark.django_db
def test_python_and_pandas_features_agree(store_a, clerk):
    from tests.factories import InteractionFactory, OrderLineFactory
    from toolcrm.sales.models import Return

    people, _ = generate(store_a, customers=40)
    first, second, third = people[:3]
    InteractionFactory(customer=first, kind="complaint", occurred_at=NOW - timedelta(days=10))
    InteractionFactory(customer=first, occurred_at=NOW - timedelta(days=200))
    refunded = second.orders.order_by("-ordered_at").first()
    Return.objects.create(
        order=refunded,
        store=store_a,
        staff=clerk,
        reason="坏件",
        refund_amount=Decimal("40.00"),
        returned_at=refunded.ordered_at + timedelta(days=1),
    )
    for order in third.orders.order_by("-ordered_at")[:3]:
        OrderLineFactory(order=order)
    rows = churn.load_rows(None)
    pks = [person.pk for person in people]
    as_of = (NOW - timedelta(days=5)).date()

    python = churn.raw_features_python(rows, as_of, horizon_days=90, customers=pks)
    snap = churn.snapshot(
        churn.history_frames(rows), as_of, horizon_days=90, with_labels=False, customers=pks
    )

    assert sorted(python) == [int(pk) for pk in snap.features.index]
    assert python[first.pk]["complaints_365"] == 1 and python[first.pk]["interactions_90"] == 1
    assert python[third.pk]["category_breadth_365"] >= 1
    for pk, raw in python.items():
        assert churn.model_inputs(raw) == pytest.approx(snap.features.loc[pk].tolist())
        for name in (*churn.FEATURES, "spend_90", "spend_prev_90", "cycle_ratio_unclipped"):
            assert raw[name] == pytest.approx(float(snap.raw.loc[pk, name])), (pk, name)
