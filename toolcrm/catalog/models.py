"""The catalog: a category tree, brands and products with their warranty and maintenance policy."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.Model):
    code = models.CharField(_("编码"), max_length=30, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("品类")
        verbose_name_plural = _("品类")

    def __str__(self) -> str:
        return self.name


class Brand(models.Model):
    name = models.CharField(_("品牌"), max_length=50, unique=True)
    name_en = models.CharField(_("英文名"), max_length=50, blank=True)
    country = models.CharField(_("国家/地区"), max_length=30, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("品牌")
        verbose_name_plural = _("品牌")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    barcode = models.CharField(_("条码"), max_length=20, blank=True, db_index=True)
    name = models.CharField(_("商品名称"), max_length=120)
    spec = models.CharField(_("规格"), max_length=120, blank=True)
    brand = models.ForeignKey(Brand, on_delete=models.PROTECT, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    unit = models.CharField(_("单位"), max_length=10, default="件")
    price = models.DecimalField(_("零售价"), max_digits=14, decimal_places=2)
    cost = models.DecimalField(_("成本价"), max_digits=14, decimal_places=2)
    is_power_tool = models.BooleanField(_("电动工具"), default=False)
    is_consumable = models.BooleanField(_("耗材"), default=False)
    warranty_months = models.PositiveSmallIntegerField(_("保修月数"), default=0)
    maintenance_interval_days = models.PositiveSmallIntegerField(
        _("保养周期（天）"), null=True, blank=True
    )
    accessories = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="accessory_of", verbose_name=_("配件")
    )
    is_active = models.BooleanField(_("在售"), default=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("商品")
        verbose_name_plural = _("商品")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(price__gte=Decimal("0")) & models.Q(cost__gte=Decimal("0")),
                name="product_price_cost_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["category", "brand"], name="product_category_brand_idx")]

    def __str__(self) -> str:
        return f"{self.brand.name} {self.name}" if self.brand_id else self.name
