"""Every write of the rentals app: lend, extend, return, convert to a purchase, cancel, settle a
balance, change a unit's status, and the daily overdue marking.

Each action is one transaction that first locks the rows it changes (``select_for_update``: the
unit when lending, the agreement otherwise), re-checks the state under the lock, writes, and
records a ``core.audit.log_event`` entry. A rejected action raises ``ValidationError`` (keyed by
the input field when there is one) before anything is written. The money rules are the pure
function ``compute_charges``; the percentages and limits are in ``conf.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from toolcrm.catalog.models import Product
from toolcrm.core.audit import log_event
from toolcrm.core.pii import to_halfwidth
from toolcrm.core.roles import Capability, require_capability
from toolcrm.core.scoping import restrict_to_stores
from toolcrm.customers.models import Customer
from toolcrm.loyalty.selectors import tier_benefit_for
from toolcrm.rentals import selectors
from toolcrm.rentals.choices import (
    OUTSTANDING_STATUSES,
    AgreementKind,
    AgreementStatus,
    DepositMethod,
    UnitCondition,
    UnitStatus,
)
from toolcrm.rentals.conf import RentalRules, rules
from toolcrm.rentals.models import RentalAgreement, RentalPrice, RentalUnit
from toolcrm.sales.choices import OrderChannel, PaymentMethod
from toolcrm.sales.models import SerialNumber
from toolcrm.sales.services import OrderInput, OrderLineInput, PaymentInput, create_order
from toolcrm.stores.models import Store

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
HUNDRED = Decimal("100")
MAX_AMOUNT = Decimal("999999999999.99")
NOTE_MAX_LENGTH = 200


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _own_price(product: Product) -> RentalPrice | None:
    """The product's rental price (no query when selected with ``product__rental_price``)."""
    try:
        return product.rental_price
    except RentalPrice.DoesNotExist:
        return None


def daily_rate_for(product: Product, *, rental_rules: RentalRules | None = None) -> Decimal:
    """The product's own rental price, else the configured percentage of its list price."""
    price = _own_price(product)
    if price is not None:
        return price.daily_rate
    percent = (rental_rules or rules()).daily_rate_percent
    return max(CENT, _cents(product.price * percent / HUNDRED))


def minimum_deposit_for(product: Product, *, rental_rules: RentalRules | None = None) -> Decimal:
    price = _own_price(product)
    if price is not None:
        return price.min_deposit
    return _cents(product.price * (rental_rules or rules()).deposit_percent / HUNDRED)


@dataclass(frozen=True)
class Charges:
    """What closing a loan on ``returned_on`` costs and what goes back to the customer."""

    used_days: int
    late_days: int
    rental_charge: Decimal
    late_fee: Decimal
    damage_charge: Decimal
    deposit_refund: Decimal
    amount_owed: Decimal
    free_days: int = 0

    @property
    def total(self) -> Decimal:
        return self.rental_charge + self.late_fee + self.damage_charge


def compute_charges(
    *,
    kind: str,
    started_on: date,
    due_on: date,
    returned_on: date,
    daily_rate: Decimal,
    deposit: Decimal,
    damage_charge: Decimal = ZERO,
    rental_rules: RentalRules | None = None,
    free_days_allowance: int = 0,
) -> Charges:
    """Rent is charged per calendar day used (a same-day return is one day; an early return
    pays only the days used); a trial is free until its due date. Every day after the due date
    also costs the late fee (a percentage of the daily rate). The deposit pays the charges; the
    rest of the deposit is refunded, never below zero, and what the deposit does not cover is
    owed. A rental's billable days are first paid from the member tier's free rental days left
    this year (``free_days_allowance``); late fees never are."""
    current = rental_rules or rules()
    used_days = max(1, (returned_on - started_on).days)
    late_days = max(0, (returned_on - due_on).days)
    billable_days = late_days if kind == AgreementKind.TRIAL else used_days
    free_days = 0 if kind == AgreementKind.TRIAL else min(max(0, free_days_allowance), used_days)
    rental_charge = _cents(daily_rate * (billable_days - free_days))
    late_fee = _cents(daily_rate * current.late_fee_percent / HUNDRED * late_days)
    total = rental_charge + late_fee + damage_charge
    return Charges(
        used_days=used_days,
        late_days=late_days,
        rental_charge=rental_charge,
        late_fee=late_fee,
        damage_charge=damage_charge,
        deposit_refund=max(ZERO, deposit - total),
        amount_owed=max(ZERO, total - deposit),
        free_days=free_days,
    )


def free_days_left(*, customer_id: int, year: int) -> int:
    """The member tier's free rental days per year (loyalty benefit) less those already used by
    this customer's loans closed in ``year``."""
    benefit = tier_benefit_for(customer_id=customer_id)
    allowance = benefit.free_rental_days if benefit is not None else 0
    if allowance <= 0:
        return 0
    used = (
        RentalAgreement.objects.filter(customer_id=customer_id, returned_at__year=year)
        .aggregate(total=Sum("free_days"))
        .get("total")
        or 0
    )
    return max(0, allowance - used)


def charges_if_closed_on(
    agreement: RentalAgreement, returned_on: date, *, damage_charge: Decimal = ZERO
) -> Charges:
    return compute_charges(
        kind=agreement.kind,
        started_on=timezone.localdate(agreement.started_at),
        due_on=agreement.due_on,
        returned_on=returned_on,
        daily_rate=agreement.daily_rate,
        deposit=agreement.deposit_amount,
        damage_charge=damage_charge,
        free_days_allowance=free_days_left(
            customer_id=agreement.customer_id, year=returned_on.year
        ),
    )


def conversion_credit(*, rental_charge: Decimal, list_price: Decimal) -> Decimal:
    """Rent credited against the price when a loan becomes a purchase (late fees never are)."""
    current = rules()
    credit = _cents(rental_charge * current.conversion_credit_percent / HUNDRED)
    cap = _cents(list_price * current.conversion_credit_cap_percent / HUNDRED)
    return max(ZERO, min(credit, cap, list_price))


def _money(value: Any, field: str, errors: dict[str, list[str]]) -> Decimal | None:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("金额格式不正确。"))
        return None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        errors.setdefault(field, []).append(_("金额最多保留两位小数。"))
        return None
    if amount < 0:
        errors.setdefault(field, []).append(_("金额不能为负数。"))
        return None
    if amount > MAX_AMOUNT:
        errors.setdefault(field, []).append(_("金额过大。"))
        return None
    return amount.quantize(CENT)


def is_customer_blocked(customer: Customer, *, today: date) -> bool:
    """A customer with a loan past its due date, or an unpaid balance from a closed loan, may
    not borrow again until it is settled."""
    return RentalAgreement.objects.filter(
        Q(status__in=OUTSTANDING_STATUSES, due_on__lt=today)
        | Q(amount_owed__gt=ZERO, balance_settled_at__isnull=True),
        customer=customer,
    ).exists()


def _max_days(kind: str) -> int:
    current = rules()
    return current.max_trial_days if kind == AgreementKind.TRIAL else current.max_rental_days


def _check_due_on(
    due_on: date | None, *, today: date, started_on: date, kind: str, errors: dict[str, list[str]]
) -> None:
    if due_on is None:
        errors.setdefault("due_on", []).append(_("请填写应还日期。"))
    elif due_on <= today:
        errors.setdefault("due_on", []).append(_("应还日期必须晚于今天。"))
    elif (due_on - started_on).days > _max_days(kind):
        errors.setdefault("due_on", []).append(
            _("借期最长 %(days)s 天。") % {"days": _max_days(kind)}
        )


@transaction.atomic
def lend(
    *,
    user: Any,
    customer_id: int,
    unit_id: int,
    due_on: date | None,
    deposit_amount: Any,
    deposit_method: str,
    kind: str = AgreementKind.RENTAL,
    note: str = "",
    now: datetime | None = None,
) -> RentalAgreement:
    """Lend one available unit of the user's stores to a visible customer."""
    require_capability(user, Capability.MANAGE_RENTALS)
    now = now or timezone.now()
    today = timezone.localdate(now)
    errors: dict[str, list[str]] = {}
    if kind not in AgreementKind.values:
        errors.setdefault("kind", []).append(_("未知类型。"))
    if deposit_method not in DepositMethod.values:
        errors.setdefault("deposit_method", []).append(_("请选择押金方式。"))
    note = (note or "").strip()
    if len(note) > NOTE_MAX_LENGTH:
        errors.setdefault("note", []).append(_("备注不超过 200 个字符。"))
    deposit = _money(deposit_amount, "deposit_amount", errors)
    customer = selectors.find_customer(user=user, customer_id=customer_id)
    if customer is None:
        errors.setdefault("customer_id", []).append(_("客户不存在或不在您的权限范围内。"))
    elif is_customer_blocked(customer, today=today):
        errors.setdefault("customer_id", []).append(
            _("该客户有逾期未还的工具或未结清的欠款，结清后才能再借。")
        )
    elif (
        kind == AgreementKind.TRIAL
        and RentalAgreement.objects.filter(
            customer=customer, kind=AgreementKind.TRIAL, status__in=OUTSTANDING_STATUSES
        ).exists()
    ):
        errors.setdefault("customer_id", []).append(_("每位客户同时只能试用一件工具。"))
    _check_due_on(due_on, today=today, started_on=today, kind=kind, errors=errors)
    # The lock: a second clerk lending the same unit waits here, then sees it lent.
    unit = selectors.units_visible_to(user).select_for_update().filter(pk=unit_id).first()
    if unit is None:
        errors.setdefault("unit_id", []).append(_("工具不存在或不在您的门店。"))
    elif unit.status != UnitStatus.AVAILABLE:
        errors.setdefault("unit_id", []).append(
            _("该工具当前不可出借（%(status)s）。") % {"status": unit.get_status_display()}
        )
    product = Product.objects.get(pk=unit.product_id) if unit is not None else None
    if product is not None and deposit is not None:
        minimum = minimum_deposit_for(product)
        if deposit < minimum:
            errors.setdefault("deposit_amount", []).append(
                _("押金不能低于 ¥%(amount)s。") % {"amount": f"{minimum:,.2f}"}
            )
    if errors:
        raise ValidationError(errors)
    assert unit is not None and customer is not None and product is not None
    assert deposit is not None and due_on is not None
    agreement = RentalAgreement(
        kind=kind,
        status=AgreementStatus.OPEN,
        customer=customer,
        unit=unit,
        store_id=unit.home_store_id,
        started_at=now,
        due_on=due_on,
        original_due_on=due_on,
        daily_rate=daily_rate_for(product),
        deposit_amount=deposit,
        deposit_method=deposit_method,
        lent_by=user,
        note=note,
    )
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError as exc:  # the partial unique constraint: lent meanwhile
        raise ValidationError({"unit_id": [_("该工具刚刚已被借出。")]}) from exc
    unit.status = UnitStatus.LENT
    unit.save(update_fields=["status"])
    log_event(
        actor=user,
        obj=agreement,
        event="rental_lend",
        data={
            "kind": kind,
            "unit": unit.asset_tag,
            "customer_id": customer.pk,
            "due_on": due_on.isoformat(),
            "deposit": str(deposit),
            "daily_rate": str(agreement.daily_rate),
        },
    )
    return agreement


def _locked_agreement(user: Any, agreement_id: int) -> RentalAgreement:
    """The agreement, row-locked, if it was lent by one of the user's stores."""
    require_capability(user, Capability.MANAGE_RENTALS)
    queryset = restrict_to_stores(RentalAgreement.objects.all(), user, store_field="store_id")
    agreement = queryset.select_for_update().filter(pk=agreement_id).first()
    if agreement is None:
        raise ValidationError(_("租借单不存在，或不是您的门店出借的（请到出借门店办理）。"))
    return agreement


def _require_outstanding(agreement: RentalAgreement) -> None:
    if agreement.status not in OUTSTANDING_STATUSES:
        raise ValidationError(
            _("租借单 %(number)s 已%(status)s，不能再操作。")
            % {"number": agreement.number, "status": agreement.get_status_display()}
        )


@transaction.atomic
def extend(
    *, user: Any, agreement_id: int, due_on: date | None, now: datetime | None = None
) -> RentalAgreement:
    agreement = _locked_agreement(user, agreement_id)
    _require_outstanding(agreement)
    today = timezone.localdate(now or timezone.now())
    errors: dict[str, list[str]] = {}
    _check_due_on(
        due_on,
        today=today,
        started_on=timezone.localdate(agreement.started_at),
        kind=agreement.kind,
        errors=errors,
    )
    if due_on is not None and due_on <= agreement.due_on and "due_on" not in errors:
        errors["due_on"] = [_("新的应还日期必须晚于原应还日期。")]
    if errors:
        raise ValidationError(errors)
    assert due_on is not None
    previous = agreement.due_on
    agreement.due_on = due_on
    agreement.status = AgreementStatus.OPEN
    agreement.save(update_fields=["due_on", "status"])
    log_event(
        actor=user,
        obj=agreement,
        event="rental_extend",
        data={"from": previous.isoformat(), "to": due_on.isoformat()},
    )
    return agreement


def _close(
    agreement: RentalAgreement, *, user: Any, now: datetime, charges: Charges, condition: str
) -> None:
    agreement.returned_at = now
    agreement.received_by = user
    agreement.return_condition = condition
    agreement.rental_charge = charges.rental_charge
    agreement.free_days = charges.free_days
    agreement.late_fee = charges.late_fee
    agreement.damage_charge = charges.damage_charge
    agreement.deposit_refund = charges.deposit_refund
    agreement.amount_owed = charges.amount_owed


_CLOSE_FIELDS = [
    "status",
    "returned_at",
    "received_by",
    "return_condition",
    "rental_charge",
    "free_days",
    "late_fee",
    "damage_charge",
    "deposit_refund",
    "amount_owed",
]


def _charges_data(charges: Charges) -> dict[str, Any]:
    return {
        "used_days": charges.used_days,
        "free_days": charges.free_days,
        "late_days": charges.late_days,
        "rental_charge": str(charges.rental_charge),
        "late_fee": str(charges.late_fee),
        "damage_charge": str(charges.damage_charge),
        "deposit_refund": str(charges.deposit_refund),
        "amount_owed": str(charges.amount_owed),
    }


@transaction.atomic
def return_unit(
    *,
    user: Any,
    agreement_id: int,
    condition: str,
    damage_charge: Any = ZERO,
    now: datetime | None = None,
) -> RentalAgreement:
    """Take the tool back: charge rent, late fee and damage against the deposit. A damaged tool
    goes to maintenance, any other back to the shelf."""
    agreement = _locked_agreement(user, agreement_id)
    _require_outstanding(agreement)
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    if condition not in UnitCondition.values:
        errors["condition"] = [_("请选择归还成色。")]
    damage = _money(
        damage_charge if damage_charge not in (None, "") else ZERO, "damage_charge", errors
    )
    if errors:
        raise ValidationError(errors)
    assert damage is not None
    charges = charges_if_closed_on(agreement, timezone.localdate(now), damage_charge=damage)
    _close(agreement, user=user, now=now, charges=charges, condition=condition)
    agreement.status = AgreementStatus.RETURNED
    agreement.save(update_fields=_CLOSE_FIELDS)
    unit = RentalUnit.objects.select_for_update().get(pk=agreement.unit_id)
    unit.condition = condition
    unit.status = (
        UnitStatus.MAINTENANCE if condition == UnitCondition.DAMAGED else UnitStatus.AVAILABLE
    )
    unit.save(update_fields=["condition", "status"])
    log_event(
        actor=user,
        obj=agreement,
        event="rental_return",
        data={"condition": condition, "unit": unit.asset_tag, **_charges_data(charges)},
    )
    return agreement


@transaction.atomic
def convert_to_purchase(
    *,
    user: Any,
    agreement_id: int,
    payment_method: str = "",
    now: datetime | None = None,
) -> RentalAgreement:
    """The customer keeps the tool: an order at list price less the credited rent is recorded
    through ``sales.services.create_order`` (external id ``RENTAL-<id>``, so it exists once),
    paid in full with ``payment_method`` when given; rent and late fee are settled against the
    deposit, and the unit leaves the fleet."""
    agreement = _locked_agreement(user, agreement_id)
    _require_outstanding(agreement)
    if payment_method and payment_method not in PaymentMethod.values:
        raise ValidationError({"payment_method": [_("未知支付方式。")]})
    now = now or timezone.now()
    unit = RentalUnit.objects.select_for_update().get(pk=agreement.unit_id)
    product = Product.objects.get(pk=unit.product_id)
    charges = charges_if_closed_on(agreement, timezone.localdate(now))
    credit = conversion_credit(rental_charge=charges.rental_charge, list_price=product.price)
    serials: tuple[str, ...] = ()
    if (
        product.is_power_tool
        and unit.serial
        and not SerialNumber.objects.filter(product=product, serial=unit.serial).exists()
    ):
        serials = (unit.serial,)
    order, created = create_order(
        user=user,
        data=OrderInput(
            channel=OrderChannel.POS,
            external_id=f"RENTAL-{agreement.pk}",
            store=agreement.store_id,
            customer_id=agreement.customer_id,
            ordered_at=now,
            lines=[
                OrderLineInput(
                    sku=product.sku,
                    quantity=1,
                    unit_price=product.price,
                    discount=credit,
                    serials=serials,
                )
            ],
            payments=(
                [PaymentInput(method=payment_method, amount=product.price - credit)]
                if payment_method and product.price > credit
                else []
            ),
            note=_("租借单 %(number)s 转购买，抵扣租金 ¥%(credit)s")
            % {"number": agreement.number, "credit": f"{credit:,.2f}"},
        ),
    )
    if not created:
        raise ValidationError(_("该租借单已转为购买订单。"))
    _close(agreement, user=user, now=now, charges=charges, condition=unit.condition)
    agreement.status = AgreementStatus.CONVERTED
    agreement.converted_order = order
    agreement.save(update_fields=[*_CLOSE_FIELDS, "converted_order"])
    unit.status = UnitStatus.SOLD
    unit.save(update_fields=["status"])
    log_event(
        actor=user,
        obj=agreement,
        event="rental_convert",
        data={
            "order_id": order.pk,
            "credit": str(credit),
            "order_total": str(order.total),
            **_charges_data(charges),
        },
    )
    return agreement


@transaction.atomic
def cancel(
    *, user: Any, agreement_id: int, reason: str, now: datetime | None = None
) -> RentalAgreement:
    """Undo a loan entered by mistake: only on the day it was lent and not yet overdue; the
    whole deposit goes back and nothing is charged."""
    agreement = _locked_agreement(user, agreement_id)
    _require_outstanding(agreement)
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason or len(reason) > NOTE_MAX_LENGTH:
        raise ValidationError({"reason": [_("请填写取消原因（不超过 200 个字符）。")]})
    if timezone.localdate(agreement.started_at) != timezone.localdate(now):
        raise ValidationError(_("只能在出借当天取消；之后请办理归还。"))
    agreement.status = AgreementStatus.CANCELLED
    agreement.cancelled_at = now
    agreement.received_by = user
    agreement.deposit_refund = agreement.deposit_amount
    agreement.save(update_fields=["status", "cancelled_at", "received_by", "deposit_refund"])
    RentalUnit.objects.filter(pk=agreement.unit_id).update(status=UnitStatus.AVAILABLE)
    log_event(actor=user, obj=agreement, event="rental_cancel", data={"reason": reason})
    return agreement


@transaction.atomic
def settle_balance(*, user: Any, agreement_id: int, now: datetime | None = None) -> RentalAgreement:
    """Record that the customer paid what the deposit did not cover."""
    agreement = _locked_agreement(user, agreement_id)
    if agreement.amount_owed <= 0 or agreement.balance_settled_at is not None:
        raise ValidationError(_("该租借单没有待结清的欠款。"))
    agreement.balance_settled_at = now or timezone.now()
    agreement.save(update_fields=["balance_settled_at"])
    log_event(
        actor=user,
        obj=agreement,
        event="rental_settle",
        data={"amount": str(agreement.amount_owed)},
    )
    return agreement


ASSET_TAG_MAX_LENGTH = 30
SERIAL_MAX_LENGTH = 40


@transaction.atomic
def add_unit(
    *,
    user: Any,
    sku: str,
    asset_tag: str,
    store_id: int | None,
    serial: str = "",
    condition: str = UnitCondition.NEW,
    now: datetime | None = None,
) -> RentalUnit:
    """Put one tool of the catalogue into a store's rental fleet."""
    require_capability(user, Capability.MANAGE_RENTALS)
    errors: dict[str, list[str]] = {}
    product = Product.objects.filter(sku=to_halfwidth(sku or "").strip()).first()
    if product is None:
        errors["sku"] = [_("未知 SKU。")]
    asset_tag = to_halfwidth(asset_tag or "").strip().upper()
    if not asset_tag or len(asset_tag) > ASSET_TAG_MAX_LENGTH:
        errors["asset_tag"] = [_("资产编号必填，且不超过 30 个字符。")]
    elif RentalUnit.objects.filter(asset_tag=asset_tag).exists():
        errors["asset_tag"] = [_("资产编号已被使用。")]
    serial = to_halfwidth(serial or "").strip()
    if len(serial) > SERIAL_MAX_LENGTH:
        errors["serial"] = [_("序列号不超过 40 个字符。")]
    if condition not in UnitCondition.values or condition == UnitCondition.DAMAGED:
        errors["condition"] = [_("请选择成色（损坏的工具不能入队）。")]
    store = (
        restrict_to_stores(Store.objects.filter(is_active=True), user, store_field="pk")
        .filter(pk=store_id)
        .first()
    )
    if store is None:
        errors["store_id"] = [_("门店不存在或不在您的权限范围内。")]
    if errors:
        raise ValidationError(errors)
    assert product is not None and store is not None
    unit = RentalUnit(
        product=product,
        asset_tag=asset_tag,
        serial=serial,
        home_store=store,
        condition=condition,
        status=UnitStatus.AVAILABLE,
        acquired_on=timezone.localdate(now or timezone.now()),
    )
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:  # the same tag added concurrently
        raise ValidationError({"asset_tag": [_("资产编号已被使用。")]}) from exc
    log_event(
        actor=user,
        obj=unit,
        event="rental_unit_add",
        data={"sku": product.sku, "store_id": store.pk, "asset_tag": asset_tag},
    )
    return unit


# Status changes staff may make by hand; lent and sold follow from loans and conversions.
MANUAL_UNIT_STATUSES = (UnitStatus.AVAILABLE, UnitStatus.MAINTENANCE, UnitStatus.RETIRED)


@transaction.atomic
def set_unit_status(*, user: Any, unit_id: int, status: str) -> RentalUnit:
    """Send a unit to maintenance, back to the shelf, or retire it (not while it is out)."""
    require_capability(user, Capability.MANAGE_RENTALS)
    unit = selectors.units_visible_to(user).select_for_update().filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError(_("工具不存在或不在您的门店。"))
    if status not in MANUAL_UNIT_STATUSES:
        raise ValidationError({"status": [_("不能手动设为该状态。")]})
    if unit.status in (UnitStatus.LENT, UnitStatus.SOLD, UnitStatus.RETIRED):
        raise ValidationError(
            _("该工具%(status)s，不能更改状态。") % {"status": unit.get_status_display()}
        )
    previous = unit.status
    unit.status = status
    if status == UnitStatus.AVAILABLE and unit.condition == UnitCondition.DAMAGED:
        unit.condition = UnitCondition.WORN  # repaired: back on the shelf, no longer "damaged"
    unit.save(update_fields=["status", "condition"])
    log_event(
        actor=user, obj=unit, event="rental_unit_status", data={"from": previous, "to": status}
    )
    return unit


@transaction.atomic
def mark_overdue(*, today: date | None = None) -> list[int]:
    """Mark open agreements past their due date overdue; returns their ids. Idempotent: an
    agreement already overdue is not touched again."""
    today = today or timezone.localdate()
    due = RentalAgreement.objects.select_for_update().filter(
        status=AgreementStatus.OPEN, due_on__lt=today
    )
    ids = list(due.values_list("pk", flat=True))
    if not ids:
        return []
    RentalAgreement.objects.filter(pk__in=ids, status=AgreementStatus.OPEN).update(
        status=AgreementStatus.OVERDUE
    )
    for agreement in RentalAgreement.objects.filter(pk__in=ids).only("pk", "due_on"):
        log_event(
            actor=None,
            obj=agreement,
            event="rental_overdue",
            data={"due_on": agreement.due_on.isoformat(), "days": (today - agreement.due_on).days},
        )
    return ids
