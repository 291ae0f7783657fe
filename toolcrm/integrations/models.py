"""Imports: saved column mappings per source (``MappingProfile``), one ``ImportJob`` per uploaded
file with its progress and outcome counts, and one ``ImportRowError`` per rejected row (with the
row's original cells, so the error report can be corrected and imported again). Identity
resolution: one ``MatchCandidate`` per pair of customers that may be one person or company (the
review queue), and one ``MergeRecord`` per merge of two customers, holding what its undo needs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toolcrm.integrations.choices import (
    ImportKind,
    ImportPath,
    ImportStatus,
    MatchKind,
    MatchStatus,
)


class MappingProfile(models.Model):
    """How one source's columns map onto an import kind's fields: ``{target field: column}``."""

    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("导入类型"), max_length=12, choices=ImportKind.choices)
    source_label = models.CharField(_("数据来源"), max_length=60, blank=True)
    mapping = models.JSONField(_("列对应关系"), default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("列对应方案")
        verbose_name_plural = _("列对应方案")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="mapping_profile_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ImportJob(models.Model):
    """One uploaded file and what importing it did. ``processed_rows`` advances in the same
    transaction as each chunk's writes, so an interrupted job resumes exactly where it stopped."""

    kind = models.CharField(_("导入类型"), max_length=12, choices=ImportKind.choices)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_filename = models.CharField(_("原文件名"), max_length=255)
    sha256 = models.CharField(_("文件摘要"), max_length=64)
    mapping = models.JSONField(_("列对应关系"), default=dict)
    mapping_profile = models.ForeignKey(
        MappingProfile, on_delete=models.SET_NULL, null=True, blank=True, related_name="jobs"
    )
    store = models.ForeignKey(
        "stores.Store",
        verbose_name=_("默认门店"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.DRAFT
    )
    is_dry_run = models.BooleanField(_("仅校验"), default=False)
    # Chosen when the job starts (kept on resume): see ``bulk_orders.uses_bulk_path``.
    import_path = models.CharField(
        _("导入方式"), max_length=10, choices=ImportPath.choices, blank=True
    )
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    processed_rows = models.PositiveIntegerField(_("已处理行数"), default=0)
    created_count = models.PositiveIntegerField(_("新建"), default=0)
    updated_count = models.PositiveIntegerField(_("更新"), default=0)
    skipped_count = models.PositiveIntegerField(_("未变化"), default=0)
    error_count = models.PositiveIntegerField(_("错误行"), default=0)
    failure_zh = models.TextField(_("失败原因"), blank=True)
    failure_en = models.TextField(_("失败原因（英文）"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        indexes = [
            models.Index(fields=["uploaded_by", "-created_at"], name="import_job_user_idx"),
            models.Index(fields=["store", "-created_at"], name="import_job_store_idx"),
            models.Index(fields=["-created_at"], name="import_job_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.original_filename}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("integrations:job_detail", args=[self.pk])

    @property
    def percent_done(self) -> int:
        if not self.total_rows:
            return 100 if self.status == ImportStatus.DONE else 0
        return min(100, self.processed_rows * 100 // self.total_rows)

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class ImportRowError(models.Model):
    """One problem with one row; ``row_data`` keeps the row's cells ([[column, text], …], a list
    because PostgreSQL's jsonb does not keep the order of an object's keys) so that the error
    report carries the original columns and can be corrected and imported again."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("原始行号"))
    column = models.CharField(_("列"), max_length=100, blank=True)
    value = models.TextField(_("值"), blank=True)
    code = models.CharField(_("错误代码"), max_length=40)
    message_zh = models.TextField(_("原因"))
    message_en = models.TextField(_("原因（英文）"))
    row_data = models.JSONField(default=list)

    class Meta:
        verbose_name = _("导入错误")
        verbose_name_plural = _("导入错误")
        ordering = ["job", "row_number", "pk"]
        indexes = [models.Index(fields=["job", "row_number"], name="import_error_job_row_idx")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.row_number} {self.code}"


class MergeRecord(models.Model):
    """One merge of ``merged`` into ``survivor``: both records' fields as they were before
    (``*_snapshot``; PII values re-encrypted with the active key, never plaintext), the chosen
    source of each field, and the ids of the rows moved per table (``{"orders": [..], …}``), so
    that an undo restores both records and moves exactly those rows back."""

    survivor = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("保留客户"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    merged = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("被合并客户"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    performed_at = models.DateTimeField(_("合并时间"))
    field_choices = models.JSONField(_("字段取值来源"), default=dict, blank=True)
    survivor_snapshot = models.JSONField(_("保留客户原值"), default=dict, blank=True)
    merged_snapshot = models.JSONField(_("被合并客户原值"), default=dict, blank=True)
    moved_rows = models.JSONField(_("转移的记录"), default=dict, blank=True)
    undone_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("客户合并记录")
        verbose_name_plural = _("客户合并记录")
        indexes = [
            models.Index(fields=["survivor", "-performed_at"], name="merge_survivor_idx"),
            models.Index(fields=["merged", "-performed_at"], name="merge_merged_idx"),
            models.Index(fields=["-performed_at"], name="merge_performed_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(survivor=models.F("merged")), name="merge_two_customers"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.merged_id} → #{self.survivor_id}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None

    def moved_count(self, table: str) -> int:
        return len(self.moved_rows.get(table, []))


class MatchCandidate(models.Model):
    """Two customers that may be the same person or company, with the evidence (a list of
    ``{"code": …, "detail": …}``; ``identity.EVIDENCE_LABELS`` turns it into sentences). The pair
    is stored in id order (``customer`` < ``other``), so each pair exists once; a dismissed pair
    stays dismissed when a later scan finds it again."""

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("客户"), on_delete=models.CASCADE, related_name="+"
    )
    other = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("疑似重复客户"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    kind = models.CharField(_("匹配类型"), max_length=14, choices=MatchKind.choices)
    evidence = models.JSONField(_("依据"), default=list, blank=True)
    score = models.PositiveSmallIntegerField(_("匹配分"))
    status = models.CharField(
        _("状态"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.OPEN
    )
    found_at = models.DateTimeField(_("发现时间"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("疑似重复客户")
        verbose_name_plural = _("疑似重复客户")
        constraints = [
            models.UniqueConstraint(fields=["customer", "other"], name="match_unique_pair"),
            models.CheckConstraint(
                condition=models.Q(customer__lt=models.F("other")), name="match_pair_ordered"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-score"], name="match_status_score_idx"),
            models.Index(fields=["other"], name="match_other_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.customer_id} ~ #{self.other_id}"
