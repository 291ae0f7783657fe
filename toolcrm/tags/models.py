"""Tag definitions and the tags customers carry.

A ``TagDefinition`` is either a rule tag a manager defined in the UI (``kind=rule``, its
conditions in ``definition`` as validated JSON, see ``schema``) or a computed tag registered in
code (``kind=behaviour`` / ``predictive``, identified by ``system_code``; created on first
compute). A ``CustomerTag`` says that one customer carries one tag now, with the reason as a
message key and parameters (rendered in the reader's language by ``reasons``) and the figures
behind it (``evidence``). Rows are written only by ``services`` and only when something changed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toolcrm.tags.choices import TagKind


class TagDefinition(models.Model):
    kind = models.CharField(_("类型"), max_length=12, choices=TagKind.choices)
    name = models.CharField(_("标签名称"), max_length=40)
    system_code = models.CharField(_("系统编码"), max_length=40, blank=True, default="")
    description = models.CharField(_("说明"), max_length=200, blank=True)
    definition = models.JSONField(_("条件"), null=True, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("标签定义")
        verbose_name_plural = _("标签定义")
        constraints = [
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(kind="rule"),
                name="tag_rule_name_unique",
            ),
            models.UniqueConstraint(
                fields=["system_code"],
                condition=~models.Q(kind="rule"),
                name="tag_system_code_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="rule", definition__isnull=False, system_code="")
                | (~models.Q(kind="rule") & ~models.Q(system_code="")),
                name="tag_rule_has_definition_system_has_code",
            ),
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """The name in the reader's language: computed tags' names are translatable strings."""
        if self.kind == TagKind.RULE:
            return self.name
        from toolcrm.tags.registry import system_tag_name

        return system_tag_name(self.system_code) or self.name


class CustomerTag(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="tags", verbose_name=_("客户")
    )
    tag = models.ForeignKey(TagDefinition, on_delete=models.CASCADE, related_name="customer_tags")
    reason_key = models.CharField(_("原因"), max_length=40)
    reason_params = models.JSONField(_("原因参数"), default=dict)
    evidence = models.JSONField(_("依据"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("客户标签")
        verbose_name_plural = _("客户标签")
        constraints = [
            models.UniqueConstraint(fields=["customer", "tag"], name="customer_tag_unique"),
        ]
        indexes = [models.Index(fields=["tag", "customer"], name="customer_tag_by_tag_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.tag_id}"
