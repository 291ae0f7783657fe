"""Admin for mapping profiles and import jobs (support: look at a job's counts and errors)."""

from django.contrib import admin

from toolcrm.integrations.models import ImportJob, ImportRowError, MappingProfile


@admin.register(MappingProfile)
class MappingProfileAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ["name", "kind", "source_label", "created_by", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["name", "source_label"]
    raw_id_fields = ["created_by"]


class ImportRowErrorInline(admin.TabularInline):  # type: ignore[type-arg]
    model = ImportRowError
    extra = 0
    fields = ["row_number", "column", "value", "code", "message_zh"]
    readonly_fields = ["row_number", "column", "value", "code", "message_zh"]
    can_delete = False
    max_num = 0


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = [
        "original_filename",
        "kind",
        "status",
        "uploaded_by",
        "store",
        "processed_rows",
        "total_rows",
        "error_count",
        "created_at",
    ]
    list_filter = ["kind", "status", "is_dry_run"]
    list_select_related = ["uploaded_by", "store"]
    search_fields = ["original_filename", "sha256"]
    raw_id_fields = ["uploaded_by", "store", "mapping_profile"]
    inlines = [ImportRowErrorInline]
