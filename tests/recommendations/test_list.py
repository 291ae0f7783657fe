"""One customer's list: accessories of owned tools, co-purchase and propensity suggestions,
what is excluded (recent purchases, owned tools, returned tools), stock flags, and the query
count."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import CustomerFactory, ProductFactory, StockLevelFactory
from tests.recommendations.helpers import category_rule, product_rule
from toolcrm.recommendations.choices import BasketScope
from toolcrm.recommendations.selectors import recommendations_for
from toolcrm.stores.models import StockLevel


def _items(user, customer):  # type: ignore[no-untyped-def]
    return recommendations_for(user=user, customer_id=customer.pk).items


def _month(days_ago: int) -> str:
    return timezone.localtime(timezone.now() - timedelta(days=days_ago)).strftime("%Y-%m")


@pytest.mark.django_db
def test_accessories_of_an_owned_tool_with_their_reason(world, buy, clerk, store_a):
    customer = CustomerFactory(home_store=store_a)
    buy(customer, [world.drill], days_ago=200)

    items = _items(clerk, customer)

    assert [item.product for item in items] == [world.bits, world.brushes]
    assert {item.source for item in items} == {"accessory"}
    assert items[0].reason.render() == f"您的 东成 DCJZ23 电钻（{_month(200)} 购买）的配件"
    assert world.drill not in [item.product for item in items]  # they own it


@pytest.mark.django_db
def test_recently_bought_items_are_left_out(world, buy, clerk, store_a, settings):
    customer = CustomerFactory(home_store=store_a)
    buy(customer, [world.drill], days_ago=200)
    buy(customer, [world.bits], days_ago=10)

    assert [item.product for item in _items(clerk, customer)] == [world.brushes]

    settings.RECOMMENDATIONS_RECENT_DAYS = 5  # the window is a setting
    assert world.bits in [item.product for item in _items(clerk, customer)]


@pytest.mark.django_db
def test_consumables_bought_long_ago_are_offered_again(world, buy, clerk, store_a):
    customer = CustomerFactory(home_store=store_a)
    buy(customer, [world.drill, world.bits], days_ago=200)

    assert world.bits in [item.product for item in _items(clerk, customer)]


@pytest.mark.django_db
def test_returned_tools_bring_no_accessories(world, buy, return_line, clerk, store_a):
    returned_whole = CustomerFactory(home_store=store_a)
    buy(returned_whole, [world.drill], days_ago=200, status="returned")
    returned_line = CustomerFactory(home_store=store_a)
    order = buy(returned_line, [world.drill, world.tape], days_ago=200)
    return_line(order, world.drill)
    cancelled = CustomerFactory(home_store=store_a)
    buy(cancelled, [world.drill], days_ago=200, status="cancelled")

    for customer in (returned_whole, returned_line, cancelled):
        assert _items(clerk, customer) == []


@pytest.mark.django_db
def test_co_purchase_rules_at_product_and_category_level(world, buy, clerk, store_a):
    customer = CustomerFactory(home_store=store_a)
    buy(customer, [world.tape], days_ago=200)
    category_rule(
        world.tape.category, world.bits.category, suggested=world.bits, confidence=0.3, lift=2.5
    )
    product_rule(world.tape, world.discs, confidence=0.42, lift=3.04)

    items = _items(clerk, customer)

    assert [item.product for item in items] == [world.discs, world.bits]
    assert items[0].reason.render() == (
        "买 东成 钢卷尺 5m 的订单中 42% 同时买了 东成 树脂切割片（提升度 3.0）"
    )
    assert items[1].reason.render() == "买 卷尺 的订单中 30% 同时买了 钻头套装（提升度 2.5）"


@pytest.mark.django_db
def test_category_propensity_only_for_categories_never_bought(world, buy, clerk, store_a):
    customer = CustomerFactory(home_store=store_a)
    buy(customer, [world.tape], days_ago=200)
    category_rule(
        world.tape.category,
        world.grinder.category,
        suggested=world.grinder,
        confidence=0.5,
        lift=2.0,
        scope=BasketScope.CUSTOMER,
    )

    (item,) = _items(clerk, customer)
    assert item.product == world.grinder and item.source == "propensity"
    assert item.reason.render() == "买过 卷尺 的客户 50% 也买了 角磨机（提升度 2.0）"
    assert item.score == pytest.approx(0.5 * 0.8)

    buy(customer, [world.grinder], days_ago=400)  # now they have bought the category
    assert world.grinder not in [entry.product for entry in _items(clerk, customer)]


@pytest.mark.django_db
def test_out_of_stock_here_is_flagged_with_the_stores_that_have_it(
    world, buy, clerk, store_a, store_b, store_south
):
    customer = CustomerFactory(home_store=store_a)
    buy(customer, [world.drill], days_ago=200)
    StockLevel.objects.filter(store=store_a, product=world.bits).update(quantity=0)
    StockLevelFactory(store=store_b, product=world.bits, quantity=7)
    StockLevelFactory(store=store_south, product=world.bits, quantity=12)

    bits, brushes = _items(clerk, customer)

    assert (bits.is_in_stock, bits.stock_here) == (False, 0)
    assert [(s.store_name, s.quantity) for s in bits.stock_elsewhere] == [
        ("广州天河店", 12),
        ("杭州西湖店", 7),
    ]
    assert (brushes.is_in_stock, brushes.stock_here, brushes.stock_elsewhere) == (True, 10, ())


@pytest.mark.django_db
def test_one_customer_list_in_a_fixed_number_of_queries(
    world, buy, clerk, store_a, django_assert_max_num_queries
):
    customer = CustomerFactory(home_store=store_a)
    for days in (400, 300, 200, 150):
        buy(customer, [world.drill, world.grinder, world.tape], days_ago=days)
    StockLevel.objects.filter(product=world.bits).update(quantity=0)
    category_rule(
        world.tape.category, world.bits.category, suggested=world.bits, confidence=0.3, lift=2.5
    )
    product_rule(world.tape, world.discs, confidence=0.42, lift=3.04)

    # customer, kept purchases, accessory links, rules, products with stock, stock elsewhere
    with django_assert_max_num_queries(6):
        items = _items(clerk, customer)

    assert {item.product for item in items} == {world.bits, world.brushes, world.discs}


@pytest.mark.django_db
def test_list_size_and_per_category_cap_are_settings(world, buy, clerk, store_a, settings):
    customer = CustomerFactory(home_store=store_a)
    buy(customer, [world.drill, world.grinder], days_ago=200)
    settings.RECOMMENDATIONS_LIST_SIZE = 2

    assert len(_items(clerk, customer)) == 2


@pytest.mark.django_db
def test_inactive_products_are_skipped_even_beyond_the_first_batch(
    world, buy, clerk, store_a, settings, django_assert_max_num_queries
):
    settings.RECOMMENDATIONS_LIST_SIZE = 1  # products are read for the best 3 first
    world.drill.accessories.add(
        *(ProductFactory(category=world.bits.category, is_active=False) for _ in range(3))
    )
    world.bits.is_active = False
    world.bits.save(update_fields=["is_active"])
    customer = CustomerFactory(home_store=store_a)
    buy(customer, [world.drill, world.tape], days_ago=200)
    category_rule(
        world.tape.category,
        world.grinder.category,
        suggested=world.grinder,
        confidence=0.5,
        lift=2.0,
        scope=BasketScope.CUSTOMER,
    )

    with django_assert_max_num_queries(7):
        items = _items(clerk, customer)

    # the best three are read first: bits (inactive), brushes, one inactive set
    assert [item.product for item in items] == [world.brushes]
    world.brushes.is_active = False
    world.brushes.save(update_fields=["is_active"])
    # now all three are inactive: the rest is read, and the grinder found behind two more
    assert [item.product for item in _items(clerk, customer)] == [world.grinder]
