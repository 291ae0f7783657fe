"""The behaviour tags as churn features: registered by the tags app, computed as of the snapshot's
cut-off (a later order changes nothing), stored with the trained version, worded as reasons; a
version trained before the tag features keeps scoring on its own columns until retrained."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

import numpy as np
import pytest
import sklearn
from django.utils import translation

from tests.insights.test_churn import NOW, generate
from toolcrm.insights import churn, services
from toolcrm.insights.models import ChurnModel, CustomerScore
from toolcrm.sales.models import Order

TAG_FEATURES = [
    "tag_price_sensitive",
    "tag_professional",
    "tag_seasonal",
    "tag_brand_preference",
    "tag_preferred_channel",
]


def base_features() -> list[str]:
    return [name for name in churn.FEATURES if not name.startswith("tag_")]


def test_the_tags_app_registers_its_features_with_labels_and_texts():
    assert [*base_features(), *TAG_FEATURES] == churn.FEATURES
    assert len(base_features()) == 12 and "tag_diy" not in churn.FEATURES
    for name in churn.FEATURES:
        assert churn.FEATURE_LABELS[name]
    with translation.override("zh-hans"):
        assert str(churn.FEATURE_LABELS["tag_professional"]) == "标签：专业用户"


@pytest.mark.django_db
def test_tag_features_of_a_snapshot_ignore_orders_after_its_cut_off(store_a):
    generate(store_a, customers=40)
    cutoff = (NOW - timedelta(days=180)).date()
    before = churn.snapshot(churn.load_history(None), cutoff, horizon_days=90, with_labels=True)
    diy = [pk for pk in before.features.index if before.features.loc[pk, "tag_professional"] == 0]
    assert diy and before.raw[TAG_FEATURES].to_numpy().any()
    # a B2B order the day after the cut-off would make the customer professional
    Order.objects.create(
        channel="b2b",
        external_id="AFTER-CUTOFF",
        customer_id=diy[0],
        store=store_a,
        ordered_at=NOW - timedelta(days=179),
        subtotal=Decimal("500"),
        total=Decimal("500"),
    )

    after = churn.snapshot(churn.load_history(None), cutoff, horizon_days=90, with_labels=True)

    assert after.raw.equals(before.raw)
    assert after.features.equals(before.features)
    assert after.labels is not None and after.labels[diy[0]] == 0  # only the label sees it
    later = churn.snapshot(
        churn.load_history(None), cutoff + timedelta(days=1), horizon_days=90, with_labels=False
    )
    assert later.features.loc[diy[0], "tag_professional"] == 1.0


@pytest.mark.django_db
def test_python_and_pandas_agree_on_the_tag_features(store_a):
    people, _ = generate(store_a, customers=40)
    rows = churn.load_rows(None)
    pks = [person.pk for person in people]
    as_of = (NOW - timedelta(days=5)).date()

    python = churn.raw_features_python(rows, as_of, horizon_days=90, customers=pks)
    snap = churn.snapshot(
        churn.history_frames(rows), as_of, horizon_days=90, with_labels=False, customers=pks
    )

    assert {python[pk]["tag_professional"] for pk in python} == {0.0, 1.0}
    for pk, raw in python.items():
        assert churn.model_inputs(raw) == pytest.approx(snap.features.loc[pk].tolist())
        for column in ("tag_judged", "tag_in_window", "tag_preferred_channel_share", *TAG_FEATURES):
            assert raw[column] == float(snap.raw.loc[pk, column]), (pk, column)


@pytest.mark.django_db
def test_the_trained_version_carries_the_tag_features(store_a):
    generate(store_a)

    model = services.train_churn_model(now=NOW)
    services.recompute_scores(now=NOW)

    assert model.features == churn.FEATURES and model.features[-5:] == TAG_FEATURES
    assert list(model.metrics["coefficients"]) == churn.FEATURES
    assert churn.load(model).n_features_in_ == len(churn.FEATURES)
    scored = CustomerScore.objects.exclude(churn_probability=None)
    assert set(scored.values_list("churn_model_version", flat=True)) == {model.version}


def test_tag_reasons_are_worded_from_the_raw_values():
    member = {
        "tag_price_sensitive": 1.0,
        "tag_price_sensitive_share": 0.625,
        "tag_seasonal": 1.0,
        "tag_seasonal_share": 0.75,
        "tag_seasonal_quarter": 4.0,
        "tag_professional": 1.0,
        "tag_judged": 1.0,
    }
    judged = {"tag_judged": 1.0, "tag_in_window": 1.0}
    too_few_orders = {"tag_judged": 0.0, "tag_in_window": 1.0}
    silent_for_a_year = {"tag_judged": 0.0, "tag_in_window": 0.0}

    def text(name: str, direction: str, raw: dict[str, float]) -> str | None:
        reason = churn._reason(name, direction, raw)
        return None if reason is None else churn.reason_text(reason)

    with translation.override("zh-hans"):
        assert text("tag_price_sensitive", "high", member) == "价格敏感：近一年 62% 的消费有折扣"
        assert text("tag_seasonal", "high", member) == "季节性购买：75% 的订单在第4季度"
        assert text("tag_professional", "high", member) == "专业用户"
        assert text("tag_professional", "low", too_few_orders) == "DIY 用户（非专业用户）"
        assert text("tag_brand_preference", "low", judged) == "近一年没有偏好的品牌"
        assert text("tag_preferred_channel", "low", judged) == "近一年在多个渠道购买，没有固定渠道"
    assert text("tag_brand_preference", "low", too_few_orders) is None  # not judged at all
    assert text("tag_seasonal", "low", judged) is None  # not seasonal explains nothing
    assert text("tag_professional", "low", member) is None  # a member is not "low"
    # no order in the window: neither professional nor DIY, so no "DIY user" reason
    assert text("tag_professional", "low", silent_for_a_year) is None


def test_a_tag_feature_can_be_among_the_top_reasons():
    rng = np.random.default_rng(3)
    count = 400
    matrix = rng.normal(size=(count, len(churn.FEATURES)))
    professional = churn.FEATURES.index("tag_professional")
    matrix[:, professional] = rng.integers(0, 2, size=count)
    labels = (matrix[:, professional] == 0).astype(int)  # DIY customers churn
    labels[:20] = 1 - labels[:20]
    pipeline = churn._pipeline().fit(matrix, labels)
    diy = int(np.flatnonzero(matrix[:, professional] == 0)[0])
    raw = dict(zip(churn.FEATURES, matrix[diy], strict=True)) | {
        "tag_judged": 1.0,
        "tag_in_window": 1.0,
    }

    reasons = churn.reasons_for(pipeline, matrix[diy : diy + 1], [raw])[0]

    assert reasons[0] == {"key": "tag_professional:low", "params": {}}
    with translation.override("zh-hans"):
        assert churn.reason_text(reasons[0]) == "DIY 用户（非专业用户）"


def _store_base_model(now_snapshot: churn.Snapshot, *, version: int, features: list[str]) -> None:
    assert now_snapshot.labels is not None
    pipeline = churn._pipeline().fit(
        now_snapshot.features[base_features()].to_numpy(), now_snapshot.labels.to_numpy()
    )
    ChurnModel.objects.create(
        version=version,
        trained_at=NOW,
        cutoff_on=NOW.date(),
        algorithm=churn.ALGORITHM,
        features=features,
        metrics={},
        sklearn_version=sklearn.__version__,
        model_blob=churn.dump(pipeline),
        is_active=True,
    )


@pytest.mark.django_db
def test_a_version_from_before_the_tag_features_keeps_scoring_until_retrained(store_a):
    generate(store_a)
    cutoff = (NOW - timedelta(days=90)).date()
    snap = churn.snapshot(churn.load_history(None), cutoff, horizon_days=90, with_labels=True)
    _store_base_model(snap, version=1, features=base_features())

    services.recompute_scores(now=NOW)

    scored = CustomerScore.objects.exclude(churn_probability=None)
    assert scored.count() == CustomerScore.objects.count() > 0
    assert set(scored.values_list("churn_model_version", flat=True)) == {1}
    keys = {
        reason["key"]
        for reasons in scored.values_list("churn_reasons", flat=True)
        for reason in reasons
    }
    assert keys and not any(key.startswith("tag_") for key in keys)

    services.train_churn_model(now=NOW)  # the weekly retraining
    services.recompute_scores(now=NOW)

    assert set(scored.values_list("churn_model_version", flat=True)) == {2}


@pytest.mark.django_db
def test_a_version_needing_a_feature_no_longer_computed_scores_nobody(store_a, caplog):
    generate(store_a)
    cutoff = (NOW - timedelta(days=90)).date()
    snap = churn.snapshot(churn.load_history(None), cutoff, horizon_days=90, with_labels=True)
    _store_base_model(snap, version=1, features=[*base_features()[:-1], "tickets_open"])

    with caplog.at_level(logging.WARNING, logger="toolcrm.insights.churn"):
        services.recompute_scores(now=NOW)

    assert CustomerScore.objects.count() > 0
    assert not CustomerScore.objects.exclude(churn_probability=None).exists()
    assert "tickets_open" in caplog.text
