"""Mining on a hand-built basket set: support, confidence and lift computed by hand (below)
and asserted exactly, cancelled / returned orders and returned lines left out, customer-level
baskets, thresholds from settings, and the atomic replacement of the stored rules."""

from __future__ import annotations

import pytest

from tests.factories import CustomerFactory, ProductFactory
from toolcrm.recommendations import mining
from toolcrm.recommendations.choices import BasketScope, RuleLevel
from toolcrm.recommendations.conf import MiningThresholds
from toolcrm.recommendations.models import AssociationRule, RuleMiningRun
from toolcrm.recommendations.services import mine_rules

LOOSE = MiningThresholds(min_support=0.1, min_pair_count=2, min_confidence=0.5, min_lift=1.2)


@pytest.fixture
def baskets(world, buy, return_line, store_a):  # type: ignore[no-untyped-def]
    """Ten kept orders (walk-ins), A = drill, B = bits, C = discs, D = grinder:

    {A,B} ×4 (one of them also had C, returned in full; one also had a second bit set B'),
    {A} ×2, {B} ×1, {D,C} ×2, {C} ×1 — plus a cancelled {A,C} and a fully returned {B,D}.

    N = 10; n_A = 6, n_B = 5, n_C = 3, n_D = 2; n_AB = 4, n_CD = 2.
      A→B: support 4/10 = 0.4, confidence 4/6, lift (4/6)/(5/10) = 4/3
      B→A: support 0.4,        confidence 4/5, lift (4/5)/(6/10) = 4/3
      D→C: support 2/10 = 0.2, confidence 2/2, lift 1/(3/10)     = 10/3
      C→D: support 0.2,        confidence 2/3, lift (2/3)/(2/10) = 10/3
    """
    w = world
    second_bits = ProductFactory(category=w.bits.category, brand=w.bits.brand, name="钻头 B'")
    for _ in range(2):
        buy(None, [w.drill, w.bits], store=store_a)
    buy(None, [w.drill, w.bits, second_bits], store=store_a)
    with_returned = buy(None, [w.drill, w.bits, w.discs], store=store_a)
    return_line(with_returned, w.discs)
    for _ in range(2):
        buy(None, [w.drill], store=store_a)
    buy(None, [w.bits], store=store_a)
    for _ in range(2):
        buy(None, [w.grinder, w.discs], store=store_a)
    buy(None, [w.discs], store=store_a)
    buy(None, [w.drill, w.discs], status="cancelled", store=store_a)
    buy(None, [w.bits, w.grinder], status="returned", store=store_a)
    return w


def _measures(rules, antecedent, consequent):  # type: ignore[no-untyped-def]
    (rule,) = [r for r in rules if (r.antecedent, r.consequent) == (antecedent, consequent)]
    return rule


@pytest.mark.django_db
def test_counts_are_set_based_and_skip_cancelled_returned_orders_and_returned_lines(baskets):
    w = baskets

    counts = mining.count_baskets(
        scope=BasketScope.ORDER, level=RuleLevel.PRODUCT, thresholds=LOOSE
    )

    assert counts.baskets == 10
    assert counts.item_counts[w.drill.pk] == 6
    assert counts.item_counts[w.bits.pk] == 5
    assert counts.item_counts[w.discs.pk] == 3  # the returned disc line does not count
    assert counts.item_counts[w.grinder.pk] == 2
    assert sorted(counts.item_counts.values()) == [1, 2, 3, 5, 6]  # B' once
    assert sorted(counts.pair_counts) == sorted(
        [
            (min(w.drill.pk, w.bits.pk), max(w.drill.pk, w.bits.pk), 4),
            (min(w.grinder.pk, w.discs.pk), max(w.grinder.pk, w.discs.pk), 2),
        ]
    )


@pytest.mark.django_db
def test_support_confidence_and_lift_match_the_hand_computation(baskets):
    w = baskets
    counts = mining.count_baskets(
        scope=BasketScope.ORDER, level=RuleLevel.PRODUCT, thresholds=LOOSE
    )

    rules = mining.rules_from_counts(counts, thresholds=LOOSE)

    assert len(rules) == 4
    a_b = _measures(rules, w.drill.pk, w.bits.pk)
    assert (a_b.support, a_b.confidence, a_b.lift) == pytest.approx((0.4, 4 / 6, 4 / 3))
    assert (a_b.pair_count, a_b.antecedent_count, a_b.consequent_count) == (4, 6, 5)
    b_a = _measures(rules, w.bits.pk, w.drill.pk)
    assert (b_a.support, b_a.confidence, b_a.lift) == pytest.approx((0.4, 0.8, 4 / 3))
    d_c = _measures(rules, w.grinder.pk, w.discs.pk)
    assert (d_c.support, d_c.confidence, d_c.lift) == pytest.approx((0.2, 1.0, 10 / 3))
    c_d = _measures(rules, w.discs.pk, w.grinder.pk)
    assert (c_d.support, c_d.confidence, c_d.lift) == pytest.approx((0.2, 2 / 3, 10 / 3))


@pytest.mark.django_db
def test_thresholds_filter_rules(baskets):
    w = baskets
    counts = mining.count_baskets(
        scope=BasketScope.ORDER, level=RuleLevel.PRODUCT, thresholds=LOOSE
    )

    strict_lift = MiningThresholds(
        min_support=0.1, min_pair_count=2, min_confidence=0.5, min_lift=1.5
    )
    kept = mining.rules_from_counts(counts, thresholds=strict_lift)
    assert {(r.antecedent, r.consequent) for r in kept} == {
        (w.grinder.pk, w.discs.pk),
        (w.discs.pk, w.grinder.pk),
    }
    strict_confidence = MiningThresholds(
        min_support=0.1, min_pair_count=2, min_confidence=0.75, min_lift=1.2
    )
    kept = mining.rules_from_counts(counts, thresholds=strict_confidence)
    assert {(r.antecedent, r.consequent) for r in kept} == {
        (w.bits.pk, w.drill.pk),
        (w.grinder.pk, w.discs.pk),
    }
    # support 0.3 means 3 baskets: the grinder-disc pair (2) is not counted at all
    strict_support = MiningThresholds(
        min_support=0.3, min_pair_count=1, min_confidence=0.0, min_lift=0.0
    )
    counted = mining.count_baskets(
        scope=BasketScope.ORDER, level=RuleLevel.PRODUCT, thresholds=strict_support
    )
    assert [pair[2] for pair in counted.pair_counts] == [4]


@pytest.mark.django_db
def test_category_level_counts_a_category_once_per_order(baskets):
    w = baskets

    counts = mining.count_baskets(
        scope=BasketScope.ORDER, level=RuleLevel.CATEGORY, thresholds=LOOSE
    )

    # B and B' share the bits category: that order still counts once for bits
    assert counts.item_counts[w.bits.category_id] == 5
    assert (
        min(w.drill.category_id, w.bits.category_id),
        max(w.drill.category_id, w.bits.category_id),
        4,
    ) in counts.pair_counts


@pytest.mark.django_db
def test_customer_baskets_pair_what_one_customer_bought_in_separate_orders(world, buy, store_a):
    w = world
    first, second, third, fourth = (CustomerFactory(home_store=store_a) for _ in range(4))
    for customer in (first, second):
        buy(customer, [w.drill], days_ago=300)
        buy(customer, [w.bits], days_ago=100)
    buy(third, [w.drill])
    buy(fourth, [w.tape])
    buy(None, [w.drill, w.tape], store=store_a)  # a walk-in: no customer basket

    by_customer = mining.count_baskets(
        scope=BasketScope.CUSTOMER, level=RuleLevel.CATEGORY, thresholds=LOOSE
    )
    by_order = mining.count_baskets(
        scope=BasketScope.ORDER, level=RuleLevel.CATEGORY, thresholds=LOOSE
    )

    # N = 4 customers; n_drill = 3, n_bits = 2, n_both = 2
    rules = mining.rules_from_counts(by_customer, thresholds=LOOSE)
    drill_bits = _measures(rules, w.drill.category_id, w.bits.category_id)
    assert (drill_bits.support, drill_bits.confidence, drill_bits.lift) == pytest.approx(
        (0.5, 2 / 3, (2 / 3) / (2 / 4))
    )
    bits_drill = _measures(rules, w.bits.category_id, w.drill.category_id)
    assert (bits_drill.confidence, bits_drill.lift) == pytest.approx((1.0, 1 / (3 / 4)))
    assert by_order.pair_counts == []  # never in one order


@pytest.mark.django_db
def test_mine_rules_stores_every_kind_and_replaces_the_previous_set(baskets, settings):
    w = baskets
    settings.RECOMMENDATIONS_MIN_SUPPORT = 0.1
    settings.RECOMMENDATIONS_MIN_PAIR_COUNT = 2
    settings.RECOMMENDATIONS_MIN_CONFIDENCE = 0.5
    settings.RECOMMENDATIONS_MIN_LIFT = 1.5

    first = mine_rules()
    second = mine_rules()

    assert first.rules == second.rules == AssociationRule.objects.count()
    assert set(AssociationRule.objects.values_list("run_id", flat=True)) == {second.run_id}
    assert RuleMiningRun.objects.count() == 2
    stored = AssociationRule.objects.get(
        scope=BasketScope.ORDER, level=RuleLevel.PRODUCT, antecedent_product=w.grinder
    )
    assert stored.consequent_product == w.discs
    assert (stored.support, stored.confidence, stored.lift) == pytest.approx((0.2, 1.0, 10 / 3))
    assert (stored.basket_count, stored.pair_count) == (10, 2)
    category_rule = AssociationRule.objects.get(
        scope=BasketScope.ORDER,
        level=RuleLevel.CATEGORY,
        antecedent_category=w.grinder.category,
    )
    # the suggested product of a category rule is the category's best seller
    assert category_rule.suggested_product == w.discs
    run = RuleMiningRun.objects.get(pk=second.run_id)
    assert run.thresholds["min_lift"] == 1.5 and run.order_baskets == 10


@pytest.mark.django_db
def test_nothing_to_mine_gives_no_rules(db):
    result = mine_rules()

    assert result.rules == 0 and AssociationRule.objects.count() == 0
