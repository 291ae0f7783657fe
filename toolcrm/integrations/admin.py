"""Admin for mapping profiles and import jobs (support: look at a job's counts and errors), and
a read-only view of identity resolution: merge records and duplicate candidates are history
written by the merge and scan services (audit-logged, undoable only through ``merge.undo_merge``
on the merge history page), so the admin may look but never add, edit or delete them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from toolcrm.integrations.models import (
    ImportJob,
    ImportRowError,
    MappingProfile,
    MatchCandidate,
    MergeRecord,
)


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


class _ReadOnlyHistoryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Viewable by staff with the view permission; every write goes through the services."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MergeRecord)
class MergeRecordAdmin(_ReadOnlyHistoryAdmin):
    list_display = ["id", "survivor", "merged", "performed_by", "performed_at", "undone_at"]
    list_filter = [("undone_at", admin.EmptyFieldListFilter)]
    list_select_related = ["survivor", "merged", "performed_by"]
    search_fields = ["survivor__name", "merged__name", "=survivor__id", "=merged__id"]
    date_hierarchy = "performed_at"
    # Snapshots hold PII ciphertext only (never plaintext), see MergeRecord.
    fields = [
        "survivor",
        "merged",
        "performed_by",
        "performed_at",
        "field_choices",
        "moved_rows",
        "survivor_snapshot",
        "merged_snapshot",
        "undone_at",
        "undone_by",
    ]


@admin.register(MatchCandidate)
class MatchCandidateAdmin(_ReadOnlyHistoryAdmin):
    list_display = ["id", "customer", "other", "kind", "score", "status", "found_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["customer", "other"]
    search_fields = ["customer__name", "other__name", "=customer__id", "=other__id"]
    fields = [
        "customer",
        "other",
        "kind",
        "score",
        "evidence",
        "status",
        "found_at",
        "reviewed_by",
        "reviewed_at",
    ]
