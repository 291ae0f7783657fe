"""Admin for the catalog: categories, brands, products and their accessories."""

from django.contrib import admin

from toolcrm.catalog.models import Brand, Category, Product


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["code", "name", "name_en", "parent"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "name_en", "country"]
    search_fields = ["name", "name_en"]


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "sku",
        "name",
        "brand",
        "category",
        "price",
        "is_power_tool",
        "warranty_months",
        "is_active",
    ]
    list_filter = ["is_power_tool", "is_consumable", "brand", "category", "is_active"]
    list_select_related = ["brand", "category"]
    search_fields = ["sku", "barcode", "name"]
    filter_horizontal = ["accessories"]
