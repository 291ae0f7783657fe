"""Admin for orders, lines, serial numbers and returns (support and corrections)."""

from django.contrib import admin

from toolcrm.sales.models import Order, OrderLine, Payment, Return, SerialNumber


class OrderLineInline(admin.TabularInline):  # type: ignore[type-arg]
    model = OrderLine
    extra = 0
    raw_id_fields = ["product"]


class PaymentInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Payment
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["external_id", "channel", "store", "customer", "total", "status", "ordered_at"]
    list_filter = ["channel", "status", "store"]
    list_select_related = ["store", "customer"]
    search_fields = ["external_id"]
    raw_id_fields = ["customer", "staff"]
    inlines = [OrderLineInline, PaymentInline]
    date_hierarchy = "ordered_at"


@admin.register(SerialNumber)
class SerialNumberAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["serial", "product", "is_returned"]
    search_fields = ["serial"]
    raw_id_fields = ["line", "product"]


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["order", "store", "refund_amount", "returned_at"]
    raw_id_fields = ["order"]
