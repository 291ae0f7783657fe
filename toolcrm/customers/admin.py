"""Admin for customers. Encrypted columns are not shown: the admin is for configuration and
support, and reading a phone goes through the audited reveal in the customer 360 page."""

from django.contrib import admin

from toolcrm.customers.models import CompanyContact, Consent, Customer, Interaction


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["id", "name", "kind", "member_card_no", "home_store", "source_channel"]
    list_filter = ["kind", "home_store", "source_channel", "is_active"]
    list_select_related = ["home_store"]
    search_fields = ["name", "member_card_no"]
    exclude = ["phone", "phone_secondary", "id_card_no"]
    readonly_fields = ["phone_index", "phone_secondary_index", "id_card_index", "created_by"]
    raw_id_fields = ["account_manager"]


@admin.register(CompanyContact)
class CompanyContactAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "company", "title", "is_primary"]
    exclude = ["phone"]
    raw_id_fields = ["company"]


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["customer", "channel", "purpose", "is_granted", "source", "recorded_at"]
    list_filter = ["channel", "purpose", "is_granted"]
    raw_id_fields = ["customer"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False  # consent history is append-only


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["customer", "kind", "staff", "store", "occurred_at"]
    list_filter = ["kind", "store"]
    raw_id_fields = ["customer"]
