"""Stored insights: one ``CustomerScore`` row per customer who has bought, and one ``ScoringRun``
per full recompute (the chain's quintile cut values and CLV parameters, which a one-customer
refresh reuses so that it scores exactly as the nightly run would)."""

from __future__ import annotations

from decimal import Decimal

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
    rolling_spend_12m = models.DecimalField(
        _("近12个月消费"), max_digits=14, decimal_places=2, default=Decimal("0.00")
    )
    is_vip = models.BooleanField(_("VIP"), default=False)
    # The active ChurnModel's probability of no purchase in the next 90 days (null: no model yet)
    churn_probability = models.FloatField(_("流失概率"), null=True, blank=True)
    # Up to three reasons, strongest first, each {"key": ..., "params": {...}}; rendered in the
    # reader's language by ``churn.reason_text`` (stored as keys, never as words).
    churn_reasons = models.JSONField(_("流失原因"), default=list, blank=True)
    churn_model_version = models.PositiveIntegerField(_("流失模型版本"), null=True, blank=True)
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
            models.Index(fields=["is_vip"], name="score_vip_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} R{self.r_score}F{self.f_score}M{self.m_score}"


class CategoryCycle(models.Model):
    """A customer's repurchase cycle in one category they buy regularly (at least
    ``INSIGHTS_CYCLE_MIN_PURCHASE_DAYS`` purchase days in it). ``category`` is the product's
    category, or its ancestor one level below the root when the tree is deeper than two levels.
    """

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("客户"),
        on_delete=models.CASCADE,
        related_name="category_cycles",
    )
    category = models.ForeignKey(
        "catalog.Category", verbose_name=_("品类"), on_delete=models.CASCADE, related_name="+"
    )
    median_days = models.DecimalField(_("周期中位数（天）"), max_digits=8, decimal_places=1)
    orders = models.PositiveIntegerField(_("购买天数"))
    last_purchase_on = models.DateField(_("最近购买日"))
    next_due_on = models.DateField(_("预计下次购买日"))
    # today > last purchase + median × INSIGHTS_CYCLE_TOLERANCE
    is_overdue = models.BooleanField(_("已逾期"), default=False)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("品类复购周期")
        verbose_name_plural = _("品类复购周期")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "category"], name="category_cycle_unique_customer"
            ),
        ]
        indexes = [
            models.Index(
                fields=["category", "next_due_on"],
                condition=models.Q(is_overdue=True),
                name="cycle_overdue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.category_id} {self.median_days}d"


class ChurnModel(models.Model):
    """One trained version of the churn model. The fitted scikit-learn pipeline is stored in the
    row (joblib bytes, a few KB) so that it travels with the database to every web, worker and
    scheduler machine; it is loaded only by the scikit-learn version that wrote it."""

    version = models.PositiveIntegerField(_("版本"), unique=True)
    trained_at = models.DateTimeField(_("训练时间"))
    cutoff_on = models.DateField(_("截止日"))
    algorithm = models.CharField(_("算法"), max_length=80)
    features = models.JSONField(_("特征"))
    # {"evaluation": {...model and rule figures...}, "training": {...}}
    metrics = models.JSONField(_("评估指标"))
    sklearn_version = models.CharField(_("scikit-learn 版本"), max_length=20)
    model_blob = models.BinaryField(_("模型文件"))
    is_active = models.BooleanField(_("启用中"), default=False)

    class Meta:
        verbose_name = _("流失模型")
        verbose_name_plural = _("流失模型")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="churn_model_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version}"
