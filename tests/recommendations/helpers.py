"""Building stored rules by hand for the list tests (the mining itself is tested separately)."""

from __future__ import annotations

from django.utils import timezone

from toolcrm.catalog.models import Category, Product
from toolcrm.recommendations.choices import BasketScope, RuleLevel
from toolcrm.recommendations.models import AssociationRule, RuleMiningRun


def _run() -> RuleMiningRun:
    run = RuleMiningRun.objects.order_by("-pk").first()
    return run or RuleMiningRun.objects.create(
        mined_at=timezone.now(),
        order_baskets=100,
        customer_baskets=50,
        rule_count=0,
        thresholds={},
        duration_seconds=0.1,
    )


def category_rule(
    antecedent: Category,
    consequent: Category,
    *,
    suggested: Product,
    confidence: float,
    lift: float,
    scope: str = BasketScope.ORDER,
) -> AssociationRule:
    return AssociationRule.objects.create(
        run=_run(),
        scope=scope,
        level=RuleLevel.CATEGORY,
        antecedent_category=antecedent,
        consequent_category=consequent,
        suggested_product=suggested,
        basket_count=100,
        antecedent_count=20,
        consequent_count=10,
        pair_count=round(20 * confidence),
        support=20 * confidence / 100,
        confidence=confidence,
        lift=lift,
    )


def product_rule(
    antecedent: Product, consequent: Product, *, confidence: float, lift: float
) -> AssociationRule:
    return AssociationRule.objects.create(
        run=_run(),
        scope=BasketScope.ORDER,
        level=RuleLevel.PRODUCT,
        antecedent_product=antecedent,
        consequent_product=consequent,
        basket_count=100,
        antecedent_count=20,
        consequent_count=10,
        pair_count=round(20 * confidence),
        support=20 * confidence / 100,
        confidence=confidence,
        lift=lift,
    )
