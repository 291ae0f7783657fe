"""Orders from every channel (idempotent on channel + external id), their lines, payments,
serial numbers of power tools, and returns."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from toolcrm.sales.choices import OrderChannel, OrderStatus, PaymentMethod


class Order(models.Model):
    channel = models.CharField(_("渠道"), max_length=12, choices=OrderChannel.choices)
    external_id = models.CharField(_("外部单号"), max_length=64)
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="orders")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="orders",
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.COMPLETED
    )
    ordered_at = models.DateTimeField(_("下单时间"))
    subtotal = models.DecimalField(_("商品金额"), max_digits=14, decimal_places=2)
    discount_total = models.DecimalField(
        _("优惠金额"), default=Decimal("0"), max_digits=14, decimal_places=2
    )
    total = models.DecimalField(_("实付金额"), max_digits=14, decimal_places=2)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("订单")
        verbose_name_plural = _("订单")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"], name="order_unique_channel_external_id"
            ),
            models.CheckConstraint(
                condition=models.Q(total__gte=Decimal("0")), name="order_total_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-ordered_at"], name="order_customer_idx"),
            models.Index(fields=["store", "-ordered_at"], name="order_store_idx"),
            models.Index(fields=["-ordered_at"], name="order_ordered_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.external_id}"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))
    unit_price = models.DecimalField(_("单价"), max_digits=14, decimal_places=2)
    discount = models.DecimalField(_("优惠"), default=Decimal("0"), max_digits=14, decimal_places=2)
    line_total = models.DecimalField(_("小计"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("订单明细")
        verbose_name_plural = _("订单明细")
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="line_quantity_pos"),
        ]
        indexes = [models.Index(fields=["product", "order"], name="line_product_idx")]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"


class SerialNumber(models.Model):
    """One unit of a power tool sold on an order line (warranty is counted from the order)."""

    line = models.ForeignKey(OrderLine, on_delete=models.CASCADE, related_name="serials")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    serial = models.CharField(_("序列号"), max_length=40)
    is_returned = models.BooleanField(_("已退回"), default=False)

    class Meta:
        verbose_name = _("序列号")
        verbose_name_plural = _("序列号")
        constraints = [
            models.UniqueConstraint(fields=["product", "serial"], name="serial_unique_product")
        ]
        indexes = [models.Index(fields=["serial"], name="serial_lookup_idx")]

    def __str__(self) -> str:
        return self.serial


class Payment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="payments")
    method = models.CharField(_("支付方式"), max_length=20, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    paid_at = models.DateTimeField(_("支付时间"))

    class Meta:
        verbose_name = _("支付")
        verbose_name_plural = _("支付")

    def __str__(self) -> str:
        return f"{self.method} {self.amount}"


class Return(models.Model):
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=200)
    refund_amount = models.DecimalField(_("退款金额"), max_digits=14, decimal_places=2)
    returned_at = models.DateTimeField(_("退货时间"))

    class Meta:
        verbose_name = _("退货")
        verbose_name_plural = _("退货")
        indexes = [models.Index(fields=["order"], name="return_order_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.refund_amount}"


class ReturnLine(models.Model):
    return_record = models.ForeignKey(Return, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField(_("数量"))
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("退货明细")
        verbose_name_plural = _("退货明细")

    def __str__(self) -> str:
        return f"{self.line_id} × {self.quantity}"
