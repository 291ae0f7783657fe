"""Admin for tags: definitions are edited through the tag pages (validated there); the admin
shows them and the computed customer tags read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from toolcrm.tags.models import CustomerTag, TagDefinition


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TagDefinition)
class TagDefinitionAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "system_code", "is_active", "updated_at"]
    list_filter = ["kind", "is_active"]


@admin.register(CustomerTag)
class CustomerTagAdmin(ReadOnlyAdmin):
    list_display = ["customer", "tag", "reason_key", "computed_at"]
    list_filter = ["tag"]
    raw_id_fields = ["customer"]
