"""Rule tags match a hand-checked set of customers.

The fixture is ten customers whose purchases were written by hand around a fixed clock
(2026-06-15 12:00 Shanghai, so "each of the last 3 months" is the periods starting 2026-05-16,
2026-04-16 and 2026-03-16), and the expected members of 工程客户 and 价格敏感型 were worked out on
paper from the comments below.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from tests.tags.conftest import NOW, PRICE_SENSITIVE, at, engineering_definition
from toolcrm.core.roles import Role
from toolcrm.tags import services
from toolcrm.tags.models import CustomerTag, TagDefinition
from toolcrm.tags.reasons import render_reason


@pytest.fixture
def people(catalog, order, customer_factory) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    drill, impact, bits, hammer = (catalog[k] for k in ("drill", "impact", "bits", "hammer"))
    c: dict[str, Any] = {}
    # 1. Company, drill + bits in one order in each of the three months → 工程客户.
    c["site_crew"] = customer_factory("一号施工队", kind="company")
    for month in (6, 5, 4):
        order(c["site_crew"], at(2026, month, 1), [(drill, 1, "600", "0"), (bits, 4, "50", "0")])
    # 2. Company, but the oldest month (from 03-16) has no consumables: bits on 03-10 are
    #    before the window → not 工程客户.
    c["gap_month"] = customer_factory("二号装修公司", kind="company")
    order(c["gap_month"], at(2026, 6, 1), [(drill, 1, "600", "0"), (bits, 1, "50", "0")])
    order(c["gap_month"], at(2026, 5, 1), [(drill, 1, "600", "0"), (bits, 1, "50", "0")])
    order(c["gap_month"], at(2026, 4, 1), [(drill, 1, "600", "0")])
    order(c["gap_month"], at(2026, 3, 10), [(bits, 1, "50", "0")])
    # 3. A person with exactly site_crew's purchases → not 工程客户 (not a company).
    c["handyman"] = customer_factory("王师傅")
    for month in (6, 5, 4):
        order(c["handyman"], at(2026, month, 1), [(drill, 1, "600", "0"), (bits, 4, "50", "0")])
    # 4. Company, tools and bits in separate orders, an impact drill (another child of 电动工具)
    #    in one month → 工程客户 (categories include descendants).
    c["split_orders"] = customer_factory("四号物业", kind="company")
    order(c["split_orders"], at(2026, 6, 2), [(drill, 1, "600", "0")])
    order(c["split_orders"], at(2026, 6, 3), [(bits, 2, "50", "0")])
    order(c["split_orders"], at(2026, 5, 2), [(impact, 1, "800", "0"), (bits, 1, "50", "0")])
    order(c["split_orders"], at(2026, 4, 2), [(drill, 1, "600", "0"), (bits, 1, "50", "0")])
    # 5. Company, but the April order was cancelled → not 工程客户.
    c["cancelled"] = customer_factory("五号工厂", kind="company")
    order(c["cancelled"], at(2026, 6, 1), [(drill, 1, "600", "0"), (bits, 1, "50", "0")])
    order(c["cancelled"], at(2026, 5, 1), [(drill, 1, "600", "0"), (bits, 1, "50", "0")])
    order(
        c["cancelled"],
        at(2026, 4, 1),
        [(drill, 1, "600", "0"), (bits, 1, "50", "0")],
        status="cancelled",
    )
    # 6. 600 of 1000 spent on discounted lines (60%) → 价格敏感型.
    c["bargain"] = customer_factory("赵女士")
    order(c["bargain"], at(2026, 5, 20), [(drill, 1, "700", "100"), (hammer, 4, "100", "0")])
    # 7. Exactly half (500 of 1000) → not 价格敏感型 ("over half").
    c["half"] = customer_factory("钱先生")
    order(c["half"], at(2026, 5, 20), [(hammer, 5, "110", "50"), (hammer, 5, "100", "0")])
    # 8. Discounted buying was 400 days ago, outside the 365-day window; recent spend is full
    #    price → not 价格敏感型.
    c["old_bargain"] = customer_factory("孙先生")
    order(c["old_bargain"], at(2025, 5, 11), [(drill, 3, "600", "300")])
    order(c["old_bargain"], at(2026, 6, 1), [(hammer, 1, "100", "0")])
    # 9. No orders at all → nothing.
    c["no_orders"] = customer_factory("李女士")
    # 10. Discounted lines only in a fully returned order → not 价格敏感型.
    c["returned"] = customer_factory("周先生")
    order(c["returned"], at(2026, 5, 1), [(drill, 1, "600", "200")], status="returned")
    order(c["returned"], at(2026, 5, 2), [(hammer, 2, "100", "0")])
    return c


def _define(user, name, definition):  # type: ignore[no-untyped-def]
    return services.save_rule_tag(user=user, name=name, description="", definition=definition)


def _members(tag: TagDefinition, people: dict[str, Any]) -> set[str]:
    ids = set(CustomerTag.objects.filter(tag=tag).values_list("customer_id", flat=True))
    return {key for key, customer in people.items() if customer.pk in ids}


@pytest.mark.django_db
def test_engineering_and_price_sensitive_match_the_hand_checked_customers(
    people, catalog, make_user
):
    manager = make_user(Role.STORE_MANAGER)
    engineering = _define(manager, "工程客户", engineering_definition(catalog))
    price = _define(manager, "价格敏感型", PRICE_SENSITIVE)

    services.recompute_all_tags(now=NOW)

    assert _members(engineering, people) == {"site_crew", "split_orders"}
    assert _members(price, people) == {"bargain"}


@pytest.mark.django_db
def test_reason_and_evidence_of_a_rule_tag(people, catalog, make_user):
    manager = make_user(Role.STORE_MANAGER)
    engineering = _define(manager, "工程客户", engineering_definition(catalog))
    price = _define(manager, "价格敏感型", PRICE_SENSITIVE)
    services.recompute_all_tags(now=NOW)

    crew = CustomerTag.objects.get(tag=engineering, customer=people["site_crew"])
    with translation.override("zh-hans"):
        assert render_reason(crew.reason_key, crew.reason_params) == (
            "企业客户；近3个月每月都购买了电动工具；近3个月每月都购买了耗材"
        )
    assert crew.evidence == {"conditions": ["company", [1, 1, 1], [1, 1, 1]]}
    bargain = CustomerTag.objects.get(tag=price, customer=people["bargain"])
    assert bargain.evidence == {"conditions": [0.6]}
    with translation.override("zh-hans"):
        assert render_reason(bargain.reason_key, bargain.reason_params) == (
            "近365天 60% 的消费在折扣商品上（条件：超过 50%）"
        )


@pytest.mark.django_db
def test_any_match_and_amount_window(people, catalog, make_user):
    """OR of two conditions; the reason names only the condition that held."""
    manager = make_user(Role.STORE_MANAGER)
    definition = {
        "match": "any",
        "conditions": [
            {
                "type": "purchase",
                "brand_id": catalog["bosch"].pk,
                "measure": "amount",
                "minimum": "2000",
                "window": {"mode": "days", "length": 90},
            },
            {"type": "profile", "field": "kind", "values": ["company"]},
        ],
    }
    tag = _define(manager, "博世大户或企业", definition)
    services.recompute_all_tags(now=NOW)

    # Bosch in the last 90 days (from 03-17): site_crew 3×800, handyman 3×800, split 2250 …
    assert _members(tag, people) == {
        "site_crew",
        "gap_month",
        "handyman",
        "split_orders",
        "cancelled",
    }
    handyman = CustomerTag.objects.get(tag=tag, customer=people["handyman"])
    assert [part["key"] for part in handyman.reason_params["parts"]] == ["purchase_days"]
    with translation.override("en"):
        text = render_reason(handyman.reason_key, handyman.reason_params)
    assert "2400" in text.replace(",", "")
