"""Mined co-purchase rules: one ``RuleMiningRun`` per nightly mining and its ``AssociationRule``
rows (the previous run's rules are replaced in the same transaction, so readers see one whole
set or the other, never a mix).

A rule reads "baskets holding the antecedent also hold the consequent": a basket is one order
(``BasketScope.ORDER``, the co-purchase rules) or one customer's whole history
(``BasketScope.CUSTOMER``, the category propensity), and the items are products or leaf
categories (``RuleLevel``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from toolcrm.recommendations.choices import BasketScope, RuleLevel


class RuleMiningRun(models.Model):
    mined_at = models.DateTimeField(_("挖掘时间"), db_index=True)
    order_baskets = models.PositiveIntegerField(_("订单篮数"))
    customer_baskets = models.PositiveIntegerField(_("客户篮数"))
    rule_count = models.PositiveIntegerField(_("规则数"))
    # MiningThresholds as a dict: what these rules were filtered with
    thresholds = models.JSONField(_("阈值"))
    duration_seconds = models.FloatField(_("耗时（秒）"))

    class Meta:
        verbose_name = _("规则挖掘批次")
        verbose_name_plural = _("规则挖掘批次")

    def __str__(self) -> str:
        return f"{self.mined_at:%Y-%m-%d %H:%M} ({self.rule_count})"


class AssociationRule(models.Model):
    run = models.ForeignKey(RuleMiningRun, on_delete=models.CASCADE, related_name="rules")
    scope = models.CharField(_("购物篮"), max_length=10, choices=BasketScope.choices)
    level = models.CharField(_("粒度"), max_length=10, choices=RuleLevel.choices)
    antecedent_product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("前项商品"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    consequent_product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("后项商品"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    antecedent_category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("前项品类"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    consequent_category = models.ForeignKey(
        "catalog.Category",
        verbose_name=_("后项品类"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # Category rules: the consequent category's most bought active product, what a list offers
    suggested_product = models.ForeignKey(
        "catalog.Product",
        verbose_name=_("推荐商品"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    basket_count = models.PositiveIntegerField(_("购物篮总数"))
    antecedent_count = models.PositiveIntegerField(_("含前项的购物篮"))
    consequent_count = models.PositiveIntegerField(_("含后项的购物篮"))
    pair_count = models.PositiveIntegerField(_("同时含两项的购物篮"))
    support = models.FloatField(_("支持度"))
    confidence = models.FloatField(_("置信度"))
    lift = models.FloatField(_("提升度"))

    class Meta:
        verbose_name = _("关联规则")
        verbose_name_plural = _("关联规则")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        level="product",
                        antecedent_product__isnull=False,
                        consequent_product__isnull=False,
                        antecedent_category__isnull=True,
                        consequent_category__isnull=True,
                    )
                    | models.Q(
                        level="category",
                        antecedent_product__isnull=True,
                        consequent_product__isnull=True,
                        antecedent_category__isnull=False,
                        consequent_category__isnull=False,
                    )
                ),
                name="rule_items_match_level",
            ),
            models.CheckConstraint(
                condition=models.Q(support__gte=0, support__lte=1)
                & models.Q(confidence__gte=0, confidence__lte=1)
                & models.Q(lift__gte=0),
                name="rule_measures_in_range",
            ),
            models.UniqueConstraint(
                fields=["scope", "antecedent_product", "consequent_product"],
                condition=models.Q(level="product"),
                name="rule_unique_product_pair",
            ),
            models.UniqueConstraint(
                fields=["scope", "antecedent_category", "consequent_category"],
                condition=models.Q(level="category"),
                name="rule_unique_category_pair",
            ),
        ]
        indexes = [
            # one customer's list: rules whose antecedent is something they bought
            models.Index(fields=["antecedent_product", "scope"], name="rule_by_product_idx"),
            models.Index(fields=["antecedent_category", "scope"], name="rule_by_category_idx"),
            # the rules page: strongest first within a scope and level
            models.Index(fields=["scope", "level", "-lift"], name="rule_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.antecedent_id_label} → {self.consequent_id_label} ({self.lift:.2f})"

    @property
    def antecedent_id_label(self) -> str:
        if self.level == RuleLevel.PRODUCT:
            return f"p{self.antecedent_product_id}"
        return f"c{self.antecedent_category_id}"

    @property
    def consequent_id_label(self) -> str:
        if self.level == RuleLevel.PRODUCT:
            return f"p{self.consequent_product_id}"
        return f"c{self.consequent_category_id}"
