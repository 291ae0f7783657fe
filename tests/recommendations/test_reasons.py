"""Reasons are stored as a key plus parameters and put into words in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.translation import override, trans_real

from tests.factories import CustomerFactory
from tests.recommendations.helpers import category_rule
from toolcrm.recommendations import reasons
from toolcrm.recommendations.choices import BasketScope
from toolcrm.recommendations.selectors import recommendations_for

# What the English catalogue will hold for the three messages (the lead compiles it).
ENGLISH = {
    reasons.MESSAGES[reasons.ACCESSORY]: "Accessory for your %(tool)s (bought %(purchased)s)",
    reasons.MESSAGES[reasons.CO_PURCHASE]: (
        "%(percent)s%% of orders with %(antecedent)s also had %(consequent)s (lift %(lift)s)"
    ),
    reasons.MESSAGES[reasons.PROPENSITY]: (
        "%(percent)s%% of customers who bought %(antecedent)s also bought %(consequent)s "
        "(lift %(lift)s)"
    ),
}


@pytest.fixture
def english(monkeypatch):  # type: ignore[no-untyped-def]
    catalog = trans_real.translation("en")._catalog._catalogs[0]
    for source, text in ENGLISH.items():
        monkeypatch.setitem(catalog, source, text)


@pytest.mark.django_db
def test_reasons_render_in_chinese_and_english(world, buy, clerk, store_a, english):
    customer = CustomerFactory(home_store=store_a)
    order = buy(customer, [world.drill, world.tape], days_ago=200)
    month = timezone.localtime(order.ordered_at).strftime("%Y-%m")
    category_rule(
        world.tape.category,
        world.grinder.category,
        suggested=world.grinder,
        confidence=0.38,
        lift=4.24,
        scope=BasketScope.CUSTOMER,
    )
    category_rule(
        world.drill.category, world.discs.category, suggested=world.discs, confidence=0.25, lift=3
    )

    items = recommendations_for(user=clerk, customer_id=customer.pk).items
    by_source = {item.source: item.reason for item in items}

    with override("zh-hans"):
        assert by_source["accessory"].render() == f"您的 东成 DCJZ23 电钻（{month} 购买）的配件"
        assert by_source["co_purchase"].render() == (
            "买 电钻 的订单中 25% 同时买了 切割片（提升度 3.0）"
        )
        assert by_source["propensity"].render() == (
            "买过 卷尺 的客户 38% 也买了 角磨机（提升度 4.2）"
        )
    with override("en"):
        assert by_source["accessory"].render() == (
            f"Accessory for your Dongcheng DCJZ23 电钻 (bought {month})"
        )
        assert by_source["co_purchase"].render() == (
            "25% of orders with Drill drivers also had Cutting discs (lift 3.0)"
        )
        assert by_source["propensity"].render() == (
            "38% of customers who bought Tape measures also bought Angle grinders (lift 4.2)"
        )


def test_label_falls_back_to_chinese_without_an_english_name():
    label = reasons.Label(zh="碳刷", en="")

    with override("en"):
        assert str(label) == "碳刷"
    with override("zh-hans"):
        assert str(reasons.Label(zh="碳刷", en="Carbon brushes")) == "碳刷"
