"""Regions and stores of the chain, and how many of each product a store holds."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    code = models.CharField(_("编码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=50)

    class Meta:
        ordering = ["code"]
        verbose_name = _("区域")
        verbose_name_plural = _("区域")

    def __str__(self) -> str:
        return self.name


class Store(models.Model):
    code = models.CharField(_("门店编码"), max_length=20, unique=True)
    name = models.CharField(_("门店名称"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="stores")
    province = models.CharField(_("省"), max_length=20)
    city = models.CharField(_("市"), max_length=30)
    district = models.CharField(_("区/县"), max_length=30)
    address = models.CharField(_("详细地址"), max_length=200)
    adcode = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)
    phone = models.CharField(_("门店电话"), max_length=30, blank=True)
    opening_hours = models.CharField(_("营业时间"), max_length=100, default="08:30-20:00")
    is_active = models.BooleanField(_("营业中"), default=True)
    opened_on = models.DateField(_("开业日期"), null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("门店")
        verbose_name_plural = _("门店")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=Decimal("-90"), latitude__lte=Decimal("90"))
                & models.Q(longitude__gte=Decimal("-180"), longitude__lte=Decimal("180")),
                name="store_coordinates_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class StockLevel(models.Model):
    """Current on-hand quantity of one product in one store (set by stock imports/POS sync)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="stock_levels")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="stock_levels"
    )
    quantity = models.IntegerField(_("库存数量"), default=0)
    reorder_point = models.IntegerField(_("补货点"), default=0)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("门店库存")
        verbose_name_plural = _("门店库存")
        constraints = [
            models.UniqueConstraint(fields=["store", "product"], name="stock_unique_store_product"),
        ]
        indexes = [models.Index(fields=["product", "quantity"], name="stock_product_qty_idx")]

    def __str__(self) -> str:
        return f"{self.store_id}/{self.product_id}: {self.quantity}"
