"""Behaviour tags computed from orders, each against a customer who should get it and one who
should not (thresholds: the defaults — 365 days, 3 orders, 60% brand, 70% channel, over 50%
discounted, 30 consumable units, 60% of orders in one quarter over at least two years); the same
tags as of a past day, as the churn model takes them for features (``tags.features``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation

from tests.tags.conftest import NOW, at
from toolcrm.insights import churn
from toolcrm.tags import services
from toolcrm.tags.behaviour import compute_behaviour
from toolcrm.tags.conf import thresholds
from toolcrm.tags.features import BEHAVIOUR_TAG_FEATURES, behaviour_features
from toolcrm.tags.models import CustomerTag
from toolcrm.tags.reasons import render_reason


@pytest.fixture
def shoppers(catalog, order, customer_factory) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    drill, bits, hammer = catalog["drill"], catalog["bits"], catalog["hammer"]
    c: dict[str, Any] = {}
    # Bosch 1900 of 2000 (95%), four POS orders, two bits → brand, channel, DIY (Bosch is a
    # pro brand, but 2000 is under the 5000 minimum spend).
    c["bosch_fan"] = customer_factory("博世迷")
    for month in (2, 3, 4):
        order(c["bosch_fan"], at(2026, month, 3), [(drill, 1, "600", "0")])
    order(c["bosch_fan"], at(2026, 4, 4), [(hammer, 1, "100", "0"), (bits, 2, "50", "0")])
    # Bosch 600 vs Stanley 600 (50%), three channels → neither brand nor channel.
    c["mixed"] = customer_factory("随便买")
    order(c["mixed"], at(2026, 2, 1), [(drill, 1, "600", "0")], channel="pos")
    order(c["mixed"], at(2026, 3, 1), [(hammer, 3, "100", "0")], channel="ecommerce")
    order(c["mixed"], at(2026, 4, 1), [(hammer, 3, "100", "0")], channel="miniprogram")
    # Every line discounted → price sensitive; all Stanley, all POS → brand and channel too.
    c["bargain"] = customer_factory("抢购达人")
    for month in (1, 2, 3):
        order(c["bargain"], at(2026, month, 8), [(hammer, 2, "100", "20")])
    # Company → professional (company).
    c["company"] = customer_factory("装修公司", kind="company")
    order(c["company"], at(2026, 5, 1), [(hammer, 1, "100", "0")])
    # A person with one B2B order → professional (b2b).
    c["b2b_person"] = customer_factory("包工头老张")
    order(c["b2b_person"], at(2026, 5, 1), [(hammer, 1, "100", "0")], channel="b2b")
    # A person who bought 30 consumable units → professional (consumables); one order is too
    # few for brand or channel.
    c["bits_buyer"] = customer_factory("耗材大户")
    order(c["bits_buyer"], at(2026, 5, 1), [(bits, 30, "50", "0")])
    # Q4 in three of four orders over 2024–2026 → seasonal (Q4); two orders in the last 365
    # days are too few for a channel.
    c["winter"] = customer_factory("冬季客户")
    for when in (at(2024, 11, 5), at(2024, 12, 5), at(2025, 11, 20), at(2026, 3, 1)):
        order(c["winter"], when, [(hammer, 1, "100", "0")])
    # Orders spread over the quarters → not seasonal.
    c["all_year"] = customer_factory("全年客户")
    for when in (at(2025, 2, 1), at(2025, 5, 1), at(2025, 8, 1), at(2025, 11, 1)):
        order(c["all_year"], when, [(hammer, 1, "100", "0")])
    return c


def _tagged(code: str, shoppers: dict[str, Any]) -> set[str]:
    ids = set(
        CustomerTag.objects.filter(tag__system_code=code).values_list("customer_id", flat=True)
    )
    return {key for key, customer in shoppers.items() if customer.pk in ids}


@pytest.mark.django_db
def test_each_behaviour_tag_picks_exactly_the_expected_customers(shoppers):  # type: ignore[no-untyped-def]
    services.recompute_all_tags(now=NOW)

    assert _tagged("brand_preference", shoppers) == {"bosch_fan", "bargain"}
    assert _tagged("preferred_channel", shoppers) == {"bosch_fan", "bargain"}
    assert _tagged("price_sensitive", shoppers) == {"bargain"}
    assert _tagged("professional", shoppers) == {"company", "b2b_person", "bits_buyer"}
    assert _tagged("diy", shoppers) == {"bosch_fan", "mixed", "bargain", "winter", "all_year"}
    assert _tagged("seasonal", shoppers) == {"winter"}


@pytest.mark.django_db
def test_behaviour_reasons_in_both_languages(shoppers):  # type: ignore[no-untyped-def]
    services.recompute_all_tags(now=NOW)
    brand = CustomerTag.objects.get(
        tag__system_code="brand_preference", customer=shoppers["bosch_fan"]
    )
    seasonal = CustomerTag.objects.get(tag__system_code="seasonal", customer=shoppers["winter"])
    with translation.override("zh-hans"):
        assert render_reason(brand.reason_key, brand.reason_params) == "近365天 95% 的消费是博世"
        assert render_reason(seasonal.reason_key, seasonal.reason_params) == (
            "3 年间 75% 的订单在第4季度"
        )
    with translation.override("en"):
        assert "Bosch" in render_reason(brand.reason_key, brand.reason_params)
    assert brand.evidence["total"] == "2000.00"


@pytest.mark.django_db
def test_thresholds_come_from_settings(shoppers, settings):  # type: ignore[no-untyped-def]
    settings.TAGS_BRAND_SHARE = 0.5
    settings.TAGS_SEASONAL_SHARE = 0.8
    services.recompute_all_tags(now=NOW)

    assert "mixed" in _tagged("brand_preference", shoppers)
    assert _tagged("seasonal", shoppers) == set()


@pytest.mark.django_db
def test_orders_after_now_do_not_count(shoppers, order, catalog):  # type: ignore[no-untyped-def]
    limits = thresholds()
    before = compute_behaviour(None, now=NOW, limits=limits)
    # after NOW: a B2B order makes 随便买 professional; four Q2 orders would end 冬季客户's Q4
    order(
        shoppers["mixed"],
        NOW + timedelta(days=3),
        [(catalog["hammer"], 1, "100", "0")],
        channel="b2b",
    )
    for days in (1, 2, 3, 4):
        order(shoppers["winter"], NOW + timedelta(days=days), [(catalog["hammer"], 1, "100", "0")])

    assert compute_behaviour(None, now=NOW, limits=limits) == before
    later = compute_behaviour(None, now=NOW + timedelta(days=5), limits=limits)
    assert shoppers["mixed"].pk in later["professional"]
    assert shoppers["winter"].pk not in later["seasonal"]


@pytest.mark.django_db
def test_tag_features_as_of_a_cut_off_ignore_later_orders_and_stored_tags(  # type: ignore[no-untyped-def]
    shoppers, order, catalog
):
    bargain = shoppers["bargain"].pk
    cutoff = NOW.date()
    as_of_cutoff = {
        "tag_in_window": 1.0,
        "tag_judged": 1.0,
        "tag_price_sensitive": 1.0,
        "tag_price_sensitive_share": 1.0,
        "tag_brand_preference": 1.0,
        "tag_brand_preference_share": 1.0,
        "tag_preferred_channel": 1.0,
        "tag_preferred_channel_share": 1.0,
    }
    assert behaviour_features([bargain], cutoff)[bargain] == as_of_cutoff
    # The day after the cut-off: an undiscounted Bosch drill through B2B — no longer price
    # sensitive (540 of 1140 discounted), no brand (Bosch 53%), professional (B2B), channel 75%.
    order(
        shoppers["bargain"],
        NOW + timedelta(days=1),
        [(catalog["drill"], 1, "600", "0")],
        channel="b2b",
    )
    services.recompute_all_tags(now=NOW + timedelta(days=2))
    assert _tagged("professional", shoppers) >= {"bargain"}  # what the stored tags say today
    assert "bargain" not in _tagged("price_sensitive", shoppers)

    assert behaviour_features([bargain], cutoff)[bargain] == as_of_cutoff
    assert churn.extra_values(None, cutoff)[bargain] == {
        column: as_of_cutoff.get(column, 0.0) for column in BEHAVIOUR_TAG_FEATURES.columns
    }
    assert behaviour_features(None, cutoff + timedelta(days=1))[bargain] == {
        "tag_in_window": 1.0,
        "tag_judged": 1.0,
        "tag_professional": 1.0,
        "tag_preferred_channel": 1.0,
        "tag_preferred_channel_share": 0.75,
    }


@pytest.mark.django_db
def test_seasonal_feature_carries_its_quarter(shoppers):  # type: ignore[no-untyped-def]
    winter = shoppers["winter"].pk

    values = behaviour_features([winter], NOW.date())[winter]

    assert (values["tag_seasonal"], values["tag_seasonal_share"]) == (1.0, 0.75)
    assert values["tag_seasonal_quarter"] == 4.0
