"""``manage.py mine_rules``: mine the association rules now (what the nightly task does) and
print the strongest ones."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from toolcrm.recommendations.choices import BasketScope, RuleLevel
from toolcrm.recommendations.models import AssociationRule
from toolcrm.recommendations.services import mine_rules


class Command(BaseCommand):
    help = "Mine co-purchase rules from all orders and replace the stored rules."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--top", type=int, default=10, help="rules to print per kind")

    def handle(self, *args: Any, **options: Any) -> None:
        result = mine_rules()
        self.stdout.write(
            f"{result.rules} rules from {result.order_baskets} orders and "
            f"{result.customer_baskets} customers in {result.seconds:.2f} s"
        )
        for scope, level in (
            (BasketScope.ORDER, RuleLevel.CATEGORY),
            (BasketScope.ORDER, RuleLevel.PRODUCT),
            (BasketScope.CUSTOMER, RuleLevel.CATEGORY),
        ):
            self.stdout.write(f"\n{scope} / {level} (top {options['top']} by lift):")
            rules = (
                AssociationRule.objects.filter(scope=scope, level=level)
                .select_related(
                    "antecedent_category",
                    "consequent_category",
                    "antecedent_product",
                    "consequent_product",
                )
                .order_by("-lift", "-confidence")[: options["top"]]
            )
            for rule in rules:
                left = rule.antecedent_category or rule.antecedent_product
                right = rule.consequent_category or rule.consequent_product
                self.stdout.write(
                    f"  {left} → {right}: support {rule.support:.4f} "
                    f"confidence {rule.confidence:.3f} lift {rule.lift:.2f} "
                    f"({rule.pair_count}/{rule.antecedent_count})"
                )
