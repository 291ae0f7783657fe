"""Admin for recommendations: read-only views of the mined rules and mining runs (computed
nightly, never edited by hand)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from toolcrm.recommendations.models import AssociationRule, RuleMiningRun


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RuleMiningRun)
class RuleMiningRunAdmin(ReadOnlyAdmin):
    list_display = (
        "mined_at",
        "order_baskets",
        "customer_baskets",
        "rule_count",
        "duration_seconds",
    )


@admin.register(AssociationRule)
class AssociationRuleAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "scope", "level", "support", "confidence", "lift", "pair_count")
    list_filter = ("scope", "level")
    list_select_related = ("antecedent_category", "consequent_category")
