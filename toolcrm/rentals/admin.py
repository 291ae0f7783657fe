"""Admin for rentals: rental prices and fleet units are edited here by admins; agreements are
read-only (they change only through the services, which audit-log every action)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from toolcrm.rentals.models import RentalAgreement, RentalPrice, RentalUnit


@admin.register(RentalPrice)
class RentalPriceAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("product", "daily_rate", "min_deposit")
    search_fields = ("product__sku", "product__name")
    raw_id_fields = ("product",)


@admin.register(RentalUnit)
class RentalUnitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("asset_tag", "product", "home_store", "condition", "status")
    list_filter = ("status", "condition", "home_store")
    search_fields = ("asset_tag", "serial", "product__sku", "product__name")
    raw_id_fields = ("product",)


@admin.register(RentalAgreement)
class RentalAgreementAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("__str__", "kind", "status", "customer", "unit", "store", "due_on")
    list_filter = ("status", "kind", "store")
    raw_id_fields = ("customer", "unit", "converted_order")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
