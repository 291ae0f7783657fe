"""Django admin for staff accounts (with role, store and region) and integration API tokens.

API tokens are issued by ``accounts.services`` (the plaintext is shown once, only its SHA-256 is
stored), so the admin lists them and can deactivate one but never creates or edits a hash.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from toolcrm.accounts.models import ApiToken, User


@admin.register(User)
class StaffUserAdmin(DjangoUserAdmin):  # type: ignore[type-arg]
    list_display = (
        "username",
        "display_name",
        "role",
        "store",
        "region",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "is_active", "store__region", "store")
    list_select_related = ("store", "region")
    search_fields = ("username", "display_name", "email")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("岗位与权限范围"), {"fields": ("display_name", "role", "store", "region")}),
        (_("联系方式"), {"fields": ("first_name", "last_name", "email")}),
        (
            _("账号状态与后台权限"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "password1", "password2"),
            },
        ),
        (
            _("岗位与权限范围"),
            {
                "description": _("店员、店长和维修技师必须选择门店；区域经理必须选择区域。"),
                "fields": ("display_name", "role", "store", "region"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "user", "prefix", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    fields = ("name", "user", "prefix", "token_hash", "is_active", "created_at", "last_used_at")
    readonly_fields = ("name", "user", "prefix", "token_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # issued with accounts.services so the plaintext is shown exactly once
