"""Cross-cutting tables of the core: in-app notifications (any app sends them through
``core.notifications.notify``) and the scheduler's record of the last run of each daily or weekly
job (``core.scheduler``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # Set by senders that must notify once per event (e.g. "insights.vip:42:2026-06-30"): a
    # second notify() with the same key for the same recipient writes nothing.
    key = models.CharField(_("去重键"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="notification_unique_key_per_recipient",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class ScheduledRun(models.Model):
    """The last slot of a scheduled job that was enqueued (``settings.SCHEDULE``)."""

    name = models.CharField(_("任务名"), max_length=80, unique=True)
    task_path = models.CharField(_("任务"), max_length=200)
    last_slot_at = models.DateTimeField(_("最近一次计划时间"))
    # null while the job has only its baseline slot (never enqueued yet)
    enqueued_at = models.DateTimeField(_("入队时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("定时任务记录")
        verbose_name_plural = _("定时任务记录")

    def __str__(self) -> str:
        return f"{self.name} {self.last_slot_at:%Y-%m-%d %H:%M}"
