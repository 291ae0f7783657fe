"""The rental fleet and its loans.

* ``RentalPrice``: a product's own daily rate and minimum deposit (optional; without one the
  rules in ``conf.py`` derive both from the list price).
* ``RentalUnit``: one physical tool of the fleet, with its asset tag, home store, condition and
  status (available, lent, maintenance, retired, sold).
* ``RentalAgreement``: one loan of one unit to one customer, a paid rental or a free trial, with
  its deposit, due date and, once closed, the charges and the deposit refund.

A unit can be on at most one outstanding (open or overdue) agreement: a partial unique
constraint enforces it in the database, beside the row lock the lending service takes.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from toolcrm.rentals.choices import (
    OUTSTANDING_STATUSES,
    AgreementKind,
    AgreementStatus,
    DepositMethod,
    UnitCondition,
    UnitStatus,
)

ZERO = Decimal("0")


class RentalPrice(models.Model):
    product = models.OneToOneField(
        "catalog.Product", on_delete=models.CASCADE, related_name="rental_price"
    )
    daily_rate = models.DecimalField(_("日租金"), max_digits=14, decimal_places=2)
    min_deposit = models.DecimalField(_("最低押金"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("租赁价格")
        verbose_name_plural = _("租赁价格")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(daily_rate__gt=ZERO) & models.Q(min_deposit__gte=ZERO),
                name="rental_price_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}: {self.daily_rate}"


class RentalUnit(models.Model):
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="rental_units"
    )
    asset_tag = models.CharField(_("资产编号"), max_length=30, unique=True)
    serial = models.CharField(_("序列号"), max_length=40, blank=True)
    home_store = models.ForeignKey(
        "stores.Store", on_delete=models.PROTECT, related_name="rental_units"
    )
    condition = models.CharField(
        _("成色"), max_length=10, choices=UnitCondition.choices, default=UnitCondition.GOOD
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=UnitStatus.choices, default=UnitStatus.AVAILABLE
    )
    acquired_on = models.DateField(_("入队日期"), null=True, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["asset_tag"]
        verbose_name = _("租赁工具")
        verbose_name_plural = _("租赁工具")
        indexes = [
            models.Index(fields=["home_store", "status"], name="rental_unit_store_status_idx"),
            models.Index(fields=["product", "status"], name="rental_unit_product_idx"),
        ]

    def __str__(self) -> str:
        return self.asset_tag


class RentalAgreement(models.Model):
    kind = models.CharField(
        _("类型"), max_length=10, choices=AgreementKind.choices, default=AgreementKind.RENTAL
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=AgreementStatus.choices, default=AgreementStatus.OPEN
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="rental_agreements"
    )
    unit = models.ForeignKey(RentalUnit, on_delete=models.PROTECT, related_name="agreements")
    store = models.ForeignKey("stores.Store", on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("借出时间"))
    due_on = models.DateField(_("应还日期"))
    original_due_on = models.DateField(_("原应还日期"))
    daily_rate = models.DecimalField(_("日租金"), max_digits=14, decimal_places=2)
    deposit_amount = models.DecimalField(_("押金"), max_digits=14, decimal_places=2)
    deposit_method = models.CharField(_("押金方式"), max_length=12, choices=DepositMethod.choices)
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("经办人"),
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # Set when the agreement closes (returned or converted).
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("收货人"),
    )
    return_condition = models.CharField(
        _("归还成色"), max_length=10, choices=UnitCondition.choices, blank=True
    )
    rental_charge = models.DecimalField(_("租金"), max_digits=14, decimal_places=2, default=ZERO)
    # Days not charged because of the member tier's yearly free rental days (loyalty benefit).
    free_days = models.PositiveSmallIntegerField(_("会员免租天数"), default=0)
    late_fee = models.DecimalField(_("逾期费"), max_digits=14, decimal_places=2, default=ZERO)
    damage_charge = models.DecimalField(
        _("损坏赔偿"), max_digits=14, decimal_places=2, default=ZERO
    )
    deposit_refund = models.DecimalField(
        _("退还押金"), max_digits=14, decimal_places=2, default=ZERO
    )
    amount_owed = models.DecimalField(_("欠款"), max_digits=14, decimal_places=2, default=ZERO)
    balance_settled_at = models.DateTimeField(_("欠款结清时间"), null=True, blank=True)
    converted_order = models.OneToOneField(
        "sales.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rental_agreement",
        verbose_name=_("转购订单"),
    )
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("租借单")
        verbose_name_plural = _("租借单")
        constraints = [
            models.UniqueConstraint(
                fields=["unit"],
                condition=models.Q(status__in=OUTSTANDING_STATUSES),
                name="rental_one_outstanding_per_unit",
            ),
            models.CheckConstraint(
                condition=models.Q(deposit_amount__gte=ZERO)
                & models.Q(daily_rate__gte=ZERO)
                & models.Q(rental_charge__gte=ZERO)
                & models.Q(late_fee__gte=ZERO)
                & models.Q(damage_charge__gte=ZERO)
                & models.Q(deposit_refund__gte=ZERO)
                & models.Q(amount_owed__gte=ZERO),
                name="rental_amounts_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "status", "due_on"], name="rental_store_status_due_idx"),
            models.Index(fields=["status", "due_on"], name="rental_status_due_idx"),
            models.Index(fields=["customer", "-started_at"], name="rental_customer_idx"),
            models.Index(fields=["unit", "-started_at"], name="rental_unit_history_idx"),
        ]

    def __str__(self) -> str:
        return f"R{self.pk:06d}" if self.pk else "R—"

    def get_absolute_url(self) -> str:
        return reverse("rentals:agreement", args=[self.pk])

    @property
    def number(self) -> str:
        return str(self)

    @property
    def is_outstanding(self) -> bool:
        return self.status in OUTSTANDING_STATUSES

    @property
    def total_charges(self) -> Decimal:
        return self.rental_charge + self.late_fee + self.damage_charge
