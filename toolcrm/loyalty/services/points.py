"""The points ledger: earn on orders, redeem, expire, reverse on returns, manual adjustment.

Every write locks the receiving account (``select_for_update``), appends ``PointsEntry`` rows
(positive rows are lots with an expiry date; negative rows consume the oldest-expiring lots
first through ``LotConsumption``) and moves the cached ``points_balance`` by the same amount in
the same transaction, so the balance always equals the ledger sum and never goes negative.
Automatic writes carry an ``idempotency_key``: earning for one order twice writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, IntegerField, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from toolcrm.core.audit import log_event
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.models import Customer
from toolcrm.loyalty.choices import EntryKind
from toolcrm.loyalty.conf import loyalty_settings
from toolcrm.loyalty.models import LotConsumption, LoyaltyAccount, PointsEntry, TierBenefit
from toolcrm.loyalty.services.accounts import add_months, ensure_account, lock_account
from toolcrm.sales.choices import OrderStatus
from toolcrm.sales.models import Order, Return

MAX_ADJUSTMENT = 1_000_000
REASON_MAX_LENGTH = 200


def receiving_customer_id(customer_id: int) -> int:
    """Whose ledger a customer's earned points go to: the company they are pooled into, or
    their own."""
    account = ensure_account(customer_id)
    return account.pooled_into_id or customer_id


def open_lots(account_id: int) -> QuerySet[PointsEntry]:
    """Positive entries with points left, oldest expiry first (no expiry last)."""
    return (
        PointsEntry.objects.filter(account_id=account_id, points__gt=0)
        .annotate(
            used=Coalesce(Sum("consumptions__points"), 0, output_field=IntegerField()),
            remaining=F("points") - F("used"),
        )
        .filter(remaining__gt=0)
        .order_by(F("expires_at").asc(nulls_last=True), "pk")
    )


def _expiry(when: datetime) -> datetime:
    return add_months(when, loyalty_settings().points_expiry_months)


def append_entry(
    account: LoyaltyAccount,
    *,
    kind: str,
    points: int,
    when: datetime,
    key: str | None = None,
    expires_at: datetime | None = None,
    lots: list[PointsEntry] | None = None,
    **fields: Any,
) -> PointsEntry:
    """Write one entry on a locked account: a positive one is a lot, a negative one consumes
    ``lots`` (default: FIFO over the open lots). The balance moves by ``points``."""
    entry = PointsEntry(
        account=account,
        kind=kind,
        points=points,
        created_at=when,
        expires_at=expires_at if points > 0 else None,
        idempotency_key=key,
        **fields,
    )
    entry.save()
    if points < 0:
        left = -points
        rows = []
        for lot in lots if lots is not None else open_lots(account.pk):
            take = min(left, lot.remaining)
            rows.append(LotConsumption(lot=lot, entry=entry, points=take))
            left -= take
            if not left:
                break
        if left:
            raise ValidationError(_("积分不足。"))
        LotConsumption.objects.bulk_create(rows)
    if points:
        LoyaltyAccount.objects.filter(pk=account.pk).update(
            points_balance=F("points_balance") + points
        )
        account.points_balance += points
    return entry


def key_taken(key: str) -> bool:
    return PointsEntry.objects.filter(idempotency_key=key).exists()


def multiplier_for(account: LoyaltyAccount) -> Decimal:
    benefit = TierBenefit.objects.filter(tier=account.tier).first()
    return benefit.points_multiplier if benefit else Decimal("1")


@transaction.atomic
def earn_for_order(*, order_id: int) -> PointsEntry | None:
    """Points for an order, on the buyer's ledger or their company's (pooled); at most once."""
    key = f"earn:{order_id}"
    order = Order.objects.select_related("customer").filter(pk=order_id).first()
    if order is None or order.customer is None or order.status == OrderStatus.CANCELLED:
        return None
    account = lock_account(receiving_customer_id(order.customer.pk))
    if key_taken(key):
        return None
    multiplier = multiplier_for(account)
    amount = order.total * loyalty_settings().points_per_cny * multiplier
    points = int(amount.to_integral_value(rounding=ROUND_FLOOR))
    if points <= 0:
        return None
    return append_entry(
        account,
        kind=EntryKind.EARN,
        points=points,
        when=order.ordered_at,
        key=key,
        expires_at=_expiry(order.ordered_at),
        order=order,
        member=order.customer if account.pk != order.customer_id else None,
        reason=_("订单 %(ref)s（%(multiplier)s 倍）")
        % {"ref": order.external_id, "multiplier": multiplier.normalize()},
    )


@transaction.atomic
def reverse_for_returns(*, order_id: int, now: datetime | None = None) -> PointsEntry | None:
    """Take back the points of the refunded share of an order: all of them for a fully returned
    order, ``earned × refunded / total`` otherwise. Cumulative and idempotent: each call settles
    only what the previous reversals of this order have not. When the balance is short, the
    entry takes what is there and records the rest as written off (the balance never goes
    negative)."""
    now = now or timezone.now()
    order = Order.objects.filter(pk=order_id).first()
    if order is None or order.customer_id is None:
        return None
    earned = PointsEntry.objects.filter(order_id=order_id, kind=EntryKind.EARN).aggregate(
        total=Coalesce(Sum("points"), 0)
    )["total"]
    if not earned:
        return None
    refunded = Return.objects.filter(order_id=order_id).aggregate(
        total=Coalesce(Sum("refund_amount"), Decimal(0))
    )["total"]
    if order.status == OrderStatus.RETURNED or (order.total and refunded >= order.total):
        due_total = earned
    elif order.total > 0 and refunded > 0:
        kept = Decimal(earned) * (order.total - refunded) / order.total
        due_total = earned - int(kept.to_integral_value(rounding=ROUND_FLOOR))
    else:
        return None
    account = lock_account(receiving_customer_id(order.customer_id))
    settled = PointsEntry.objects.filter(order_id=order_id, kind=EntryKind.REVERSE).aggregate(
        total=Coalesce(Sum("reversal_due"), 0)
    )["total"]
    due = due_total - settled
    key = f"reverse:{order_id}:{due_total}"
    if due <= 0 or key_taken(key):
        return None
    taken = min(due, account.points_balance)
    reason = _("订单 %(ref)s 退货扣回") % {"ref": order.external_id}
    if taken < due:
        reason += _("（余额不足，%(short)s 分未扣回）") % {"short": due - taken}
    return append_entry(
        account,
        kind=EntryKind.REVERSE,
        points=-taken,
        when=now,
        key=key,
        order=order,
        reversal_due=due,
        reason=reason,
    )


@dataclass(frozen=True)
class PointsRedemption:
    entry: PointsEntry
    value: Decimal  # CNY the points are worth at the counter


@transaction.atomic
def redeem_points(
    *, user: Any, customer: Customer, points: int, reference: str = ""
) -> PointsRedemption:
    """Spend points at the counter (``points_per_cny_redeemed`` points = ¥1)."""
    require_capability(user, Capability.REDEEM_COUPONS)
    per_cny = loyalty_settings().points_per_cny_redeemed
    if isinstance(points, bool) or not isinstance(points, int) or points <= 0:
        raise ValidationError({"points": _("抵扣积分必须是大于 0 的整数。")})
    if points % per_cny:
        raise ValidationError({"points": _("抵扣积分须为 %(step)s 的整数倍。") % {"step": per_cny}})
    reference = (reference or "").strip()[:64]
    account = lock_account(customer.pk)
    if account.pooled_into_id:
        raise ValidationError({"points": _("该客户的积分归集到企业账户，请在企业账户抵扣。")})
    if points > account.points_balance:
        raise ValidationError(
            {"points": _("积分不足：余额 %(balance)s。") % {"balance": account.points_balance}}
        )
    value = Decimal(points) / per_cny
    entry = append_entry(
        account,
        kind=EntryKind.REDEEM,
        points=-points,
        when=timezone.now(),
        created_by=user,
        reason=(_("抵扣 ¥%(value)s") % {"value": f"{value:.2f}"})
        + (f" · {reference}" if reference else ""),
    )
    log_event(
        actor=user,
        obj=customer,
        event="redeem_points",
        data={"entry_id": entry.pk, "points": points},
    )
    return PointsRedemption(entry=entry, value=value.quantize(Decimal("0.01")))


@transaction.atomic
def adjust_points(*, user: Any, customer: Customer, points: int, reason: str) -> PointsEntry:
    """A manual correction with a written reason (audit-logged); cannot overdraw."""
    require_capability(user, Capability.ISSUE_COUPONS)
    reason = (reason or "").strip()
    errors: dict[str, str] = {}
    if isinstance(points, bool) or not isinstance(points, int) or points == 0:
        errors["points"] = _("调整积分必须是非零整数。")
    elif abs(points) > MAX_ADJUSTMENT:
        errors["points"] = _("单次调整不超过 %(max)s 分。") % {"max": MAX_ADJUSTMENT}
    if not reason:
        errors["reason"] = _("请填写调整原因。")
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = _("原因不超过 200 个字。")
    if errors:
        raise ValidationError(errors)
    account = lock_account(customer.pk)
    if points < 0 and -points > account.points_balance:
        raise ValidationError(
            {"points": _("积分不足：余额 %(balance)s。") % {"balance": account.points_balance}}
        )
    now = timezone.now()
    entry = append_entry(
        account,
        kind=EntryKind.ADJUST,
        points=points,
        when=now,
        expires_at=_expiry(now),
        created_by=user,
        reason=reason,
    )
    log_event(
        actor=user,
        obj=customer,
        event="adjust_points",
        data={"entry_id": entry.pk, "points": points},
    )
    return entry


@transaction.atomic
def _expire_account(account_id: int, now: datetime) -> int:
    account = lock_account(account_id)
    written = 0
    for lot in open_lots(account.pk).filter(expires_at__lte=now):
        key = f"expire:{lot.pk}"
        if key_taken(key):
            continue
        append_entry(
            account,
            kind=EntryKind.EXPIRE,
            points=-lot.remaining,
            when=now,
            key=key,
            lots=[lot],
            reason=_("%(date)s 获得的积分到期") % {"date": f"{timezone.localdate(lot.created_at)}"},
        )
        written += 1
    return written


def expire_points(*, now: datetime | None = None) -> int:
    """Expire what is left of every lot past its date, one entry per lot (the daily run)."""
    now = now or timezone.now()
    account_ids = (
        PointsEntry.objects.filter(points__gt=0, expires_at__lte=now)
        .annotate(used=Coalesce(Sum("consumptions__points"), 0, output_field=IntegerField()))
        .filter(points__gt=F("used"))
        .values_list("account_id", flat=True)
    )
    return sum(_expire_account(pk, now) for pk in sorted(set(account_ids)))


def ledger_sum(account_id: int) -> int:
    total: int = PointsEntry.objects.filter(account_id=account_id).aggregate(
        total=Coalesce(Sum("points"), 0)
    )["total"]
    return total
