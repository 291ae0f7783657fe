"""Admin for insights: read-only views of scores and scoring runs (they are computed, never
edited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from toolcrm.insights.models import CategoryCycle, ChurnModel, CustomerScore, ScoringRun


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CustomerScore)
class CustomerScoreAdmin(ReadOnlyAdmin):
    list_display = (
        "customer",
        "lifecycle_stage",
        "rfm_segment",
        "r_score",
        "f_score",
        "m_score",
        "clv_12m",
        "is_vip",
        "churn_probability",
        "computed_at",
    )
    list_filter = ("lifecycle_stage", "rfm_segment", "is_vip")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)


@admin.register(ScoringRun)
class ScoringRunAdmin(ReadOnlyAdmin):
    list_display = ("computed_at", "customers", "duration_seconds")


@admin.register(CategoryCycle)
class CategoryCycleAdmin(ReadOnlyAdmin):
    list_display = ("customer", "category", "median_days", "orders", "next_due_on", "is_overdue")
    list_filter = ("is_overdue",)
    list_select_related = ("customer", "category")
    raw_id_fields = ("customer",)


@admin.register(ChurnModel)
class ChurnModelAdmin(ReadOnlyAdmin):
    list_display = ("version", "trained_at", "cutoff_on", "is_active", "sklearn_version")
    exclude = ("model_blob",)
