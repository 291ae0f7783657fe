"""Admin for regions, stores and stock levels (HQ IT configuration)."""

from django.contrib import admin

from toolcrm.stores.models import Region, StockLevel, Store


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name"]


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "region", "city", "district", "opening_hours", "is_active"]
    list_filter = ["region", "is_active"]
    search_fields = ["code", "name", "city"]


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["store", "product", "quantity", "reorder_point", "updated_at"]
    list_filter = ["store"]
    list_select_related = ["store", "product"]
    search_fields = ["product__sku", "product__name"]
    raw_id_fields = ["product"]
