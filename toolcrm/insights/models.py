"""Stored insights: one ``CustomerScore`` row per customer who has bought, and one ``ScoringRun``
per full recompute (the chain's quintile cut values and CLV parameters, which a one-customer
refresh reuses so that it scores exactly as the nightly run would)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from toolcrm.insights.choices import LifecycleStage, RfmSegment


class ScoringRun(models.Model):
    computed_at = models.DateTimeField(_("计算时间"), db_index=True)
    customers = models.PositiveIntegerField(_("客户数"))
    # {"recency": [4 ints], "frequency": [4 ints], "monetary": [4 decimal strings]}
    breakpoints = models.JSONField(_("五分位切点"))
    # ClvParameters.as_dict() (alpha in days), or null when the data were too thin to fit
    clv_parameters = models.JSONField(_("CLV 模型参数"), null=True, blank=True)
    duration_seconds = models.FloatField(_("耗时（秒）"))

    class Meta:
        verbose_name = _("评分批次")
        verbose_name_plural = _("评分批次")

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M} ({self.customers})"


class CustomerScore(models.Model):
    customer = models.OneToOneField(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="insight_score",
    )
    recency_days = models.PositiveIntegerField(_("距最近购买天数"))
    frequency = models.PositiveIntegerField(_("购买次数"))
    monetary = models.DecimalField(_("消费金额"), max_digits=14, decimal_places=2)
    r_score = models.PositiveSmallIntegerField(_("R 分"))
    f_score = models.PositiveSmallIntegerField(_("F 分"))
    m_score = models.PositiveSmallIntegerField(_("M 分"))
    rfm_segment = models.CharField(_("RFM 分群"), max_length=20, choices=RfmSegment.choices)
    lifecycle_stage = models.CharField(
        _("生命周期阶段"), max_length=10, choices=LifecycleStage.choices
    )
    first_purchase_on = models.DateField(_("首次购买日"))
    last_purchase_on = models.DateField(_("最近购买日"))
    purchase_cycle_days = models.DecimalField(
        _("购买周期（天）"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    predicted_purchases_12m = models.DecimalField(
        _("预计12个月购买次数"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    clv_12m = models.DecimalField(
        _("预计12个月价值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("客户评分")
        verbose_name_plural = _("客户评分")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(r_score__range=(1, 5))
                & models.Q(f_score__range=(1, 5))
                & models.Q(m_score__range=(1, 5)),
                name="score_rfm_in_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["lifecycle_stage"], name="score_stage_idx"),
            models.Index(fields=["rfm_segment"], name="score_segment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} R{self.r_score}F{self.f_score}M{self.m_score}"
