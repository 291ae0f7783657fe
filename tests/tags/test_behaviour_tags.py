"""Behaviour tags computed from orders, each against a customer who should get it and one who
should not (thresholds: the defaults — 365 days, 3 orders, 60% brand, 70% channel, over 50%
discounted, 30 consumable units, 60% of orders in one quarter over at least two years)."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from tests.tags.conftest import NOW, at
from toolcrm.tags import services
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
