"""Django admin for loyalty: benefits and templates are editable (also in the app's settings
pages); the ledger, its lot consumptions, tier history, coupons and merge transfers are
read-only here (ledger rows are append-only; coupons change only through redemption)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from toolcrm.loyalty.models import (
    Coupon,
    CouponTemplate,
    LotConsumption,
    LoyaltyAccount,
    MergeTransfer,
    PointsEntry,
    TierBenefit,
    TierChange,
)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TierBenefit)
class TierBenefitAdmin(admin.ModelAdmin[TierBenefit]):
    list_display = [
        "tier",
        "points_multiplier",
        "discount_percent",
        "free_rental_days",
        "has_priority_repair",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # the four tiers are seeded by a migration

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CouponTemplate)
class CouponTemplateAdmin(admin.ModelAdmin[CouponTemplate]):
    list_display = ["name", "code", "kind", "amount_off", "percent_off", "min_spend", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]


@admin.register(LoyaltyAccount)
class LoyaltyAccountAdmin(ReadOnlyAdmin):
    list_display = ["customer", "tier", "points_balance", "review_on", "pooled_into"]
    list_filter = ["tier"]
    raw_id_fields = ["customer", "referred_by", "pooled_into"]


@admin.register(PointsEntry)
class PointsEntryAdmin(ReadOnlyAdmin):
    list_display = ["account", "kind", "points", "created_at", "expires_at", "reason"]
    list_filter = ["kind"]
    raw_id_fields = ["account", "order", "member"]


@admin.register(LotConsumption)
class LotConsumptionAdmin(ReadOnlyAdmin):
    list_display = ["lot", "entry", "points"]


@admin.register(TierChange)
class TierChangeAdmin(ReadOnlyAdmin):
    list_display = ["customer", "from_tier", "to_tier", "reason", "spend_12m", "changed_at"]
    list_filter = ["reason", "to_tier"]


@admin.register(Coupon)
class CouponAdmin(ReadOnlyAdmin):
    list_display = ["code", "template", "customer", "status", "source", "valid_until"]
    list_filter = ["status", "source"]
    search_fields = ["code"]
    raw_id_fields = ["customer"]


@admin.register(MergeTransfer)
class MergeTransferAdmin(ReadOnlyAdmin):
    list_display = ["merge_id", "survivor", "merged", "points_moved", "undone_at"]
