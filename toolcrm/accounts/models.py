"""Staff users: one role each, tied to a store or a region; API tokens for integrations."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from toolcrm.core.roles import Role


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.CLERK)
    store = models.ForeignKey(
        "stores.Store",
        verbose_name=_("所属门店"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )
    region = models.ForeignKey(
        "stores.Region",
        verbose_name=_("所属区域"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
    )

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role__in=["clerk", "store_manager", "technician"])
                | models.Q(store__isnull=False),
                name="user_store_roles_have_store",
            ),
            models.CheckConstraint(
                condition=~models.Q(role="regional_manager") | models.Q(region__isnull=False),
                name="user_regional_manager_has_region",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role


class ApiToken(models.Model):
    """A bearer token for an integration (POS, e-commerce). Only its SHA-256 is stored; the token
    acts as its ``user`` (whose role and store scope apply to every call)."""

    name = models.CharField(_("名称"), max_length=100)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
