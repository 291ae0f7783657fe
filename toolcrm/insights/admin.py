"""Admin for insights: read-only views of scores and scoring runs (they are computed, never
edited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from toolcrm.insights.models import CustomerScore, ScoringRun


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
        "computed_at",
    )
    list_filter = ("lifecycle_stage", "rfm_segment")
    list_select_related = ("customer",)
    raw_id_fields = ("customer",)


@admin.register(ScoringRun)
class ScoringRunAdmin(ReadOnlyAdmin):
    list_display = ("computed_at", "customers", "duration_seconds")
