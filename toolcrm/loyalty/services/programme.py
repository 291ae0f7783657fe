"""The programme's rules that tie the parts together: what a recorded order does (upgrade,
points, referral reward), referrals and their self-referral guards, pooling a crew member's
points into a company account, the birthday coupon, and keeping loyalty in step with customer
merges and their undo."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from toolcrm.core.audit import log_event
from toolcrm.core.pii import to_halfwidth
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.choices import CustomerKind
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.integrations.models import MergeRecord
from toolcrm.loyalty.choices import CouponSource, EntryKind, TierChangeReason, tier_rank
from toolcrm.loyalty.conf import loyalty_settings
from toolcrm.loyalty.models import (
    Coupon,
    CouponTemplate,
    LoyaltyAccount,
    MergeTransfer,
    TierChange,
)
from toolcrm.loyalty.services.accounts import (
    add_years,
    ensure_account,
    lock_account,
    rolling_spend,
    spend_customer_ids,
    tier_for_spend,
    upgrade_if_due,
)
from toolcrm.loyalty.services.coupons import issue_coupons, normalise_code
from toolcrm.loyalty.services.points import (
    append_entry,
    earn_for_order,
    key_taken,
    open_lots,
    reverse_for_returns,
)
from toolcrm.sales.choices import OrderStatus
from toolcrm.sales.models import Order


def process_order(*, order_id: int) -> None:
    """Everything a committed order means for loyalty; idempotent (the task may run twice)."""
    order = Order.objects.filter(pk=order_id).select_related("customer").first()
    if order is None or order.customer is None or not order.customer.is_active:
        return
    customer_id = order.customer.pk
    account = ensure_account(customer_id)
    upgrade_if_due(customer_id=customer_id)
    if account.pooled_into_id:
        upgrade_if_due(customer_id=account.pooled_into_id)
    earn_for_order(order_id=order_id)
    reverse_for_returns(order_id=order_id)
    reward_referral(referee_id=customer_id, order_id=order_id)


# ---------------------------------------------------------------------------------- referral

_SPACES = re.compile(r"[\s,，。.#号室栋单元-]+")


def _address_key(customer: Customer) -> str:
    """A normalised full address, or "" when too little is known to compare."""
    street = _SPACES.sub("", to_halfwidth(customer.street or "")).lower()
    if len(street) < 4:
        return ""
    parts = (customer.province, customer.city, customer.district)
    return "|".join(_SPACES.sub("", to_halfwidth(p or "")) for p in parts) + "|" + street


def self_referral_reason(referrer: Customer, referee: Customer) -> str:
    """Why these two look like one household or person, or ""."""
    if referrer.pk == referee.pk:
        return _("不能推荐自己。")
    referrer_phones = {i for i in (referrer.phone_index, referrer.phone_secondary_index) if i}
    referee_phones = {i for i in (referee.phone_index, referee.phone_secondary_index) if i}
    if referrer_phones & referee_phones:
        return _("推荐人与被推荐人手机号相同，疑似自我推荐。")
    key = _address_key(referrer)
    if key and key == _address_key(referee):
        return _("推荐人与被推荐人地址相同，疑似自我推荐。")
    return ""


@transaction.atomic
def set_referrer(*, user: Any, customer: Customer, code: str) -> LoyaltyAccount:
    """Record who referred a new customer (before their first order), with the guards."""
    require_capability(user, Capability.EDIT_CUSTOMERS)
    account = lock_account(customer.pk)
    normalised = normalise_code(code)
    referrer_account = LoyaltyAccount.objects.filter(referral_code=normalised).first()
    if referrer_account is None:
        raise ValidationError({"code": _("推荐码不存在。")})
    referrer = Customer.objects.get(pk=referrer_account.pk)
    if account.referred_by_id:
        raise ValidationError({"code": _("该客户已登记推荐人。")})
    if not referrer.is_active:
        raise ValidationError({"code": _("推荐人账户已停用。")})
    if Order.objects.filter(customer=customer).exclude(status=OrderStatus.CANCELLED).exists():
        raise ValidationError({"code": _("该客户已有消费记录，只有新客户可以登记推荐人。")})
    if reason := self_referral_reason(referrer, customer):
        raise ValidationError({"code": reason})
    account.referred_by = referrer
    account.save(update_fields=["referred_by"])
    log_event(actor=user, obj=customer, event="set_referrer", data={"referrer_id": referrer.pk})
    return account


def _template(code: str) -> CouponTemplate | None:
    return CouponTemplate.objects.filter(code=code, is_active=True).first()


def reward_referral(*, referee_id: int, order_id: int) -> list[Coupon]:
    """On the referee's first order, a voucher each for referee and referrer; once."""
    account = LoyaltyAccount.objects.filter(pk=referee_id).first()
    if account is None or account.referred_by_id is None or account.referral_rewarded_at:
        return []
    first = (
        Order.objects.filter(customer_id=referee_id)
        .exclude(status=OrderStatus.CANCELLED)
        .order_by("ordered_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    template = _template(loyalty_settings().referral_template)
    if first != order_id or template is None:
        return []
    referee = Customer.objects.get(pk=referee_id)
    referrer = Customer.objects.get(pk=account.referred_by_id)
    if self_referral_reason(referrer, referee) or not referrer.is_active:
        return []  # a phone or address changed since the code was entered
    issued: list[Coupon] = []
    with transaction.atomic():
        locked = lock_account(referee_id)
        if locked.referral_rewarded_at:
            return []
        for who, customer in (("referee", referee), ("referrer", referrer)):
            result = issue_coupons(
                template=template,
                customers=[customer],
                source=CouponSource.REFERRAL,
                issue_key_prefix=f"referral:{referee_id}:{who}",
                note=_("推荐奖励（被推荐客户 #%(id)s）") % {"id": referee_id},
            )
            issued.extend(result.issued)
        locked.referral_rewarded_at = timezone.now()
        locked.save(update_fields=["referral_rewarded_at"])
    return issued


# ----------------------------------------------------------------------------------- pooling


@transaction.atomic
def set_pool(*, user: Any, member: Customer, company: Customer | None) -> LoyaltyAccount:
    """Pool a crew member's future points into a company account (``company=None`` ends it).
    Points earned before stay where they are."""
    require_capability(user, Capability.ISSUE_COUPONS)
    visible = customers_visible_to(user)
    if not visible.filter(pk=member.pk).exists():
        raise ValidationError({"member": _("客户不存在或不在您的权限范围内。")})
    if company is not None:
        if not visible.filter(pk=company.pk).exists():
            raise ValidationError({"company": _("企业账户不存在或不在您的权限范围内。")})
        if company.kind != CustomerKind.COMPANY:
            raise ValidationError({"company": _("只能归集到企业客户。")})
        if member.kind != CustomerKind.PERSON:
            raise ValidationError({"member": _("只有个人客户（施工队成员）可以归集积分。")})
    account = lock_account(member.pk)
    account.pooled_into = company
    account.save(update_fields=["pooled_into"])
    log_event(
        actor=user,
        obj=member,
        event="set_points_pool",
        data={"company_id": company.pk if company else None},
    )
    if company is not None:
        transaction.on_commit(lambda: upgrade_if_due(customer_id=company.pk))
    return account


# ---------------------------------------------------------------------------------- birthday


def _birthday_filter(today: date) -> Q:
    query = Q(birthday__month=today.month, birthday__day=today.day)
    is_leap = today.year % 4 == 0 and (today.year % 100 != 0 or today.year % 400 == 0)
    if today.month == 2 and today.day == 28 and not is_leap:
        query |= Q(birthday__month=2, birthday__day=29)
    return query


def issue_birthday_coupons(*, today: date | None = None) -> int:
    """A birthday coupon for every active member (a card holder) whose birthday is today, once
    per year (the issue key holds the year). Only the coupon: messages are marketing's."""
    today = today or timezone.localdate()
    template = _template(loyalty_settings().birthday_template)
    if template is None:
        return 0
    members = Customer.objects.filter(
        _birthday_filter(today), is_active=True, member_card_no__isnull=False
    ).order_by("pk")
    result = issue_coupons(
        template=template,
        customers=members,
        source=CouponSource.BIRTHDAY,
        issue_key_prefix=f"birthday:{today.year}",
        note=_("%(year)s 年生日礼") % {"year": today.year},
    )
    return len(result.issued)


# ------------------------------------------------------------------------------------ merges


def _transfer(merge: MergeRecord, now: datetime) -> MergeTransfer:
    survivor_id, merged_id = merge.survivor_id, merge.merged_id
    survivor = lock_account(survivor_id)
    loser = lock_account(merged_id)
    moved = 0
    lots = list(open_lots(loser.pk))
    if lots:
        total = sum(lot.remaining for lot in lots)
        append_entry(
            loser,
            kind=EntryKind.MERGE_OUT,
            points=-total,
            when=now,
            key=f"merge:{merge.pk}:out",
            lots=lots,
            reason=_("合并到 #%(id)s") % {"id": survivor_id},
        )
        for lot in lots:
            append_entry(
                survivor,
                kind=EntryKind.MERGE_IN,
                points=lot.remaining,
                when=now,
                key=f"merge:{merge.pk}:in:{lot.pk}",
                expires_at=lot.expires_at,
                reason=_("由 #%(id)s 合并转入") % {"id": merged_id},
            )
        moved = total
    coupon_ids = sorted(Coupon.objects.filter(customer_id=merged_id).values_list("pk", flat=True))
    Coupon.objects.filter(pk__in=coupon_ids).update(customer_id=survivor_id)
    change_ids = sorted(
        TierChange.objects.filter(customer_id=merged_id).values_list("pk", flat=True)
    )
    TierChange.objects.filter(pk__in=change_ids).update(customer_id=survivor_id)
    transfer = MergeTransfer.objects.create(
        merge_id=merge.pk,
        survivor_id=survivor_id,
        merged_id=merged_id,
        coupon_ids=coupon_ids,
        tier_change_ids=change_ids,
        survivor_tier_before=survivor.tier,
        points_moved=moved,
        transferred_at=now,
    )
    if loser.referred_by_id and not survivor.referred_by_id and not survivor.referral_rewarded_at:
        survivor.referred_by_id = loser.referred_by_id
        survivor.referral_rewarded_at = loser.referral_rewarded_at
        survivor.save(update_fields=["referred_by", "referral_rewarded_at"])
    # The survivor keeps the higher of the two tiers (and its combined spend may lift it).
    best = max((survivor.tier, loser.tier), key=tier_rank)
    spend = rolling_spend(spend_customer_ids(survivor_id), now=now)
    by_spend = tier_for_spend(spend)
    target = max((best, by_spend), key=tier_rank)
    if tier_rank(target) > tier_rank(survivor.tier):
        TierChange.objects.create(
            customer_id=survivor_id,
            from_tier=survivor.tier,
            to_tier=target,
            reason=TierChangeReason.MERGE,
            spend_12m=spend,
            changed_at=now,
        )
        # Taking over the loser's tier keeps its review date; a tier reached on spend starts
        # a new year, as an upgrade does.
        if target == loser.tier and loser.review_on:
            survivor.tier_since, survivor.review_on = loser.tier_since, loser.review_on
        else:
            survivor.tier_since = timezone.localdate(now)
            survivor.review_on = add_years(survivor.tier_since)
        survivor.tier = target
        survivor.save(update_fields=["tier", "tier_since", "review_on"])
    return transfer


def _undo_transfer(transfer: MergeTransfer, now: datetime) -> None:
    """Move back what the merge moved: the unspent part of each transferred lot (points the
    survivor already spent stay spent), the recorded coupons and tier history; the survivor's
    tier returns to what it was unless its own spend now justifies more."""
    survivor = lock_account(transfer.survivor_id)
    loser = lock_account(transfer.merged_id)
    prefix = f"merge:{transfer.merge_id}:in:"
    transferred = [
        lot for lot in open_lots(survivor.pk) if (lot.idempotency_key or "").startswith(prefix)
    ]
    if transferred:
        total = sum(lot.remaining for lot in transferred)
        append_entry(
            survivor,
            kind=EntryKind.MERGE_OUT,
            points=-total,
            when=now,
            key=f"merge:{transfer.merge_id}:undo:out",
            lots=transferred,
            reason=_("撤销合并，退回 #%(id)s") % {"id": transfer.merged_id},
        )
        for lot in transferred:
            append_entry(
                loser,
                kind=EntryKind.MERGE_IN,
                points=lot.remaining,
                when=now,
                key=f"merge:{transfer.merge_id}:undo:in:{lot.pk}",
                expires_at=lot.expires_at,
                reason=_("撤销合并，由 #%(id)s 退回") % {"id": transfer.survivor_id},
            )
    Coupon.objects.filter(pk__in=transfer.coupon_ids, customer_id=transfer.survivor_id).update(
        customer_id=transfer.merged_id
    )
    TierChange.objects.filter(
        pk__in=transfer.tier_change_ids, customer_id=transfer.survivor_id
    ).update(customer_id=transfer.merged_id)
    spend = rolling_spend(spend_customer_ids(survivor.pk), now=now)
    target = max((transfer.survivor_tier_before, tier_for_spend(spend)), key=tier_rank)
    if target != survivor.tier:
        TierChange.objects.create(
            customer_id=survivor.pk,
            from_tier=survivor.tier,
            to_tier=target,
            reason=TierChangeReason.MERGE_UNDO,
            spend_12m=spend,
            changed_at=now,
        )
        survivor.tier = target
        survivor.save(update_fields=["tier"])
    transfer.undone_at = now
    transfer.save(update_fields=["undone_at"])


def sync_merges(*, customer_ids: list[int], now: datetime | None = None) -> int:
    """Bring loyalty in line with the merges involving these customers, oldest first: transfer
    for a merge not yet followed, move back for an undone one. Idempotent; returns actions."""
    now = now or timezone.now()
    merges = MergeRecord.objects.filter(
        Q(survivor_id__in=customer_ids) | Q(merged_id__in=customer_ids)
    ).order_by("pk")
    actions = 0
    for merge in merges:
        with transaction.atomic():
            transfer = MergeTransfer.objects.select_for_update().filter(merge_id=merge.pk).first()
            if merge.undone_at is None and transfer is None:
                if key_taken(f"merge:{merge.pk}:out"):
                    continue
                _transfer(merge, now)
                actions += 1
            elif merge.undone_at is not None and transfer is not None and not transfer.undone_at:
                _undo_transfer(transfer, now)
                actions += 1
    return actions
