"""Demo phase: the member programme on top of the order history.

Every customer with orders gets an account: a tier from their rolling 12-month spend (with the
upgrade in the tier history), a points ledger replayed from their orders in date order (earn by
the tier multiplier in force, reversals for returns, a few redemptions at the counter, expiry
of lots past 24 months), all first-in first-out so the lot consumptions add up and the cached
balance equals the ledger sum, exactly as the services would have written it. Then a few
coupons (usable, expiring in days, used), referrals with their rewards, and one contractor
company whose crew pools its points. Written with ``bulk_create``: about a second for 2,000
customers."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal

from django.db.models import Sum

from toolcrm.catalog.models import Category
from toolcrm.customers.models import Customer
from toolcrm.demo.generators.writer import BulkWriter, IdSequence
from toolcrm.loyalty.choices import (
    TIER_ORDER,
    CouponSource,
    CouponStatus,
    EntryKind,
    Tier,
    TierChangeReason,
    tier_rank,
)
from toolcrm.loyalty.conf import loyalty_settings
from toolcrm.loyalty.models import (
    Coupon,
    CouponTemplate,
    LotConsumption,
    LoyaltyAccount,
    PointsEntry,
    TierBenefit,
    TierChange,
)
from toolcrm.loyalty.services.accounts import CODE_ALPHABET, add_months, add_years
from toolcrm.sales.choices import OrderStatus
from toolcrm.sales.models import Order, Return

REDEEM_SHARE = 0.15  # accounts that spent points at the counter once
REFERRALS = 25
CREW_SIZE = 3


@dataclass
class _Lot:
    entry: PointsEntry
    remaining: int


@dataclass
class _Ledger:
    account_id: int
    balance: int = 0
    lots: list[_Lot] = field(default_factory=list)


class LoyaltyBuilder:
    def __init__(self, *, rng: random.Random, now: datetime, writer: BulkWriter) -> None:
        self.rng = rng
        self.now = now
        self.writer = writer
        self.settings = loyalty_settings()
        self.entry_ids = IdSequence(PointsEntry)
        self.multipliers = {b.tier: b.points_multiplier for b in TierBenefit.objects.all()}

    def code(self, length: int) -> str:
        return "".join(self.rng.choice(CODE_ALPHABET) for _ in range(length))

    # ------------------------------------------------------------------------------ ledger

    def _entry(
        self, ledger: _Ledger, kind: str, points: int, when: datetime, **fields: object
    ) -> PointsEntry:
        entry = PointsEntry(
            id=self.entry_ids.take(),
            account_id=ledger.account_id,
            kind=kind,
            points=points,
            created_at=when,
            **fields,
        )
        self.writer.add(entry)
        ledger.balance += points
        return entry

    def _consume(
        self, ledger: _Ledger, entry: PointsEntry, points: int, lots: list[_Lot] | None = None
    ) -> None:
        left = points
        for lot in lots if lots is not None else ledger.lots:
            if not left:
                break
            take = min(left, lot.remaining)
            if take:
                lot.remaining -= take
                left -= take
                self.writer.add(LotConsumption(lot_id=lot.entry.pk, entry_id=entry.pk, points=take))
        assert left == 0
        ledger.lots = [lot for lot in ledger.lots if lot.remaining]

    def _take(
        self, ledger: _Ledger, kind: str, points: int, when: datetime, **fields: object
    ) -> None:
        ledger.lots.sort(key=lambda lot: (lot.entry.expires_at or self.now, lot.entry.pk or 0))
        entry = self._entry(ledger, kind, -points, when, **fields)
        self._consume(ledger, entry, points)

    def _expire(self, ledger: _Ledger, until: datetime) -> None:
        for lot in sorted(ledger.lots, key=lambda lot: lot.entry.pk or 0):
            expires_at = lot.entry.expires_at
            if expires_at is not None and expires_at <= until and lot.remaining:
                entry = self._entry(
                    ledger,
                    EntryKind.EXPIRE,
                    -lot.remaining,
                    expires_at,
                    idempotency_key=f"expire:{lot.entry.pk}",
                    reason=f"{lot.entry.created_at:%Y-%m-%d} 获得的积分到期",
                )
                self._consume(ledger, entry, lot.remaining, [lot])

    # ------------------------------------------------------------------------------- build

    def build(self) -> None:
        # Accounts are written before the ledger rows that point at them.
        self.writer.buffers.setdefault(LoyaltyAccount, [])
        orders_by_customer: dict[int, list[tuple[int, str, datetime, Decimal, str]]] = defaultdict(
            list
        )
        rows = (
            Order.objects.filter(customer__isnull=False, customer__is_active=True)
            .exclude(status=OrderStatus.CANCELLED)
            .order_by("ordered_at", "pk")
            .values_list("pk", "external_id", "ordered_at", "total", "status", "customer_id")
        )
        for pk, external_id, ordered_at, total, status, customer_id in rows.iterator(
            chunk_size=5000
        ):
            orders_by_customer[customer_id].append((pk, external_id, ordered_at, total, status))
        refunds = dict(
            Return.objects.values("order_id")
            .annotate(total=Sum("refund_amount"))
            .values_list("order_id", "total")
        )
        pools = self._crew(orders_by_customer)
        thresholds = self.settings.tier_thresholds
        since = self.now - timedelta(days=self.settings.spend_window_days)
        ledgers: dict[int, _Ledger] = {}
        accounts: dict[int, LoyaltyAccount] = {}
        for customer_id in sorted(orders_by_customer):
            accounts[customer_id] = LoyaltyAccount(
                customer_id=customer_id,
                referral_code=self.code(8),
                pooled_into_id=pools.get(customer_id),
            )
        for company_id in set(pools.values()):
            accounts.setdefault(
                company_id, LoyaltyAccount(customer_id=company_id, referral_code=self.code(8))
            )
        # Tiers: the rolling spend of the account (a company counts its crew), crossing dates.
        spend_owner = {cid: pools.get(cid, cid) for cid in orders_by_customer}
        window: dict[int, list[tuple[datetime, Decimal]]] = defaultdict(list)
        for customer_id, orders in orders_by_customer.items():
            for pk, _ext, ordered_at, total, status in orders:
                if ordered_at >= since:
                    net = total if status != OrderStatus.RETURNED else Decimal(0)
                    net = max(net - refunds.get(pk, Decimal(0)), Decimal(0))
                    for owner in {customer_id, spend_owner[customer_id]}:
                        window[owner].append((ordered_at, net))
        upgraded_at: dict[int, datetime] = {}
        for owner, spends in window.items():
            account = accounts[owner]
            running = Decimal(0)
            for when, net in sorted(spends):
                running += net
                reached = max((t for t in TIER_ORDER if running >= thresholds[t]), key=tier_rank)
                if tier_rank(reached) > tier_rank(account.tier):
                    self.writer.add(
                        TierChange(
                            customer_id=owner,
                            from_tier=account.tier,
                            to_tier=reached,
                            reason=TierChangeReason.UPGRADE,
                            spend_12m=running,
                            changed_at=when,
                        )
                    )
                    account.tier = reached
                    upgraded_at[owner] = when
            if account.tier != Tier.STANDARD:
                account.tier_since = upgraded_at[owner].date()
                account.review_on = add_years(account.tier_since)
        # Points, order by order, on the receiving ledger.
        for customer_id, orders in orders_by_customer.items():
            owner = pools.get(customer_id, customer_id)
            ledger = ledgers.setdefault(owner, _Ledger(account_id=owner))
            account = accounts[owner]
            for pk, external_id, ordered_at, total, status in orders:
                self._expire(ledger, ordered_at)
                tier_then = (
                    account.tier
                    if upgraded_at.get(owner) and ordered_at >= upgraded_at[owner]
                    else Tier.STANDARD
                )
                multiplier = self.multipliers.get(tier_then, Decimal(1))
                earned = int(
                    (total * self.settings.points_per_cny * multiplier).to_integral_value(
                        rounding=ROUND_FLOOR
                    )
                )
                if earned <= 0:
                    continue
                entry = self._entry(
                    ledger,
                    EntryKind.EARN,
                    earned,
                    ordered_at,
                    expires_at=add_months(ordered_at, self.settings.points_expiry_months),
                    order_id=pk,
                    member_id=customer_id if owner != customer_id else None,
                    idempotency_key=f"earn:{pk}",
                    reason=f"订单 {external_id}（{multiplier.normalize()} 倍）",
                )
                ledger.lots.append(_Lot(entry=entry, remaining=earned))
                refunded = refunds.get(pk, Decimal(0))
                if status == OrderStatus.RETURNED or refunded:
                    due = (
                        earned
                        if status == OrderStatus.RETURNED or refunded >= total
                        else earned
                        - int(
                            (Decimal(earned) * (total - refunded) / total).to_integral_value(
                                rounding=ROUND_FLOOR
                            )
                        )
                    )
                    taken = min(due, ledger.balance)
                    when = ordered_at + timedelta(days=self.rng.randint(1, 14))
                    when = min(when, self.now)
                    fields = {
                        "order_id": pk,
                        "reversal_due": due,
                        "idempotency_key": f"reverse:{pk}:{due}",
                        "reason": f"订单 {external_id} 退货扣回",
                    }
                    if taken:
                        self._take(ledger, EntryKind.REVERSE, taken, when, **fields)
            if ledger.balance >= 300 and self.rng.random() < REDEEM_SHARE:
                step = self.settings.points_per_cny_redeemed
                spend = self.rng.randint(1, ledger.balance // step // 2 or 1) * step
                when = self.now - timedelta(hours=self.rng.randint(1, 72))
                if any(lot.entry.created_at > when for lot in ledger.lots):
                    when = self.now
                if spend <= ledger.balance:
                    self._take(
                        ledger, EntryKind.REDEEM, spend, when, reason=f"抵扣 ¥{spend // step}.00"
                    )
        for ledger in ledgers.values():
            self._expire(ledger, self.now)
            accounts[ledger.account_id].points_balance = ledger.balance
        for account in accounts.values():
            self.writer.add(account)
        self._coupons(sorted(accounts), accounts)

    def _crew(
        self, orders_by_customer: dict[int, list[tuple[int, str, datetime, Decimal, str]]]
    ) -> dict[int, int]:
        """One contractor company and the crew members of its store who pool into it."""
        company = (
            Customer.objects.filter(kind="company", is_active=True, pk__in=list(orders_by_customer))
            .order_by("pk")
            .first()
        )
        if company is None:
            return {}
        crew = list(
            Customer.objects.filter(
                kind="person",
                is_active=True,
                home_store_id=company.home_store_id,
                pk__in=list(orders_by_customer),
            )
            .order_by("pk")
            .values_list("pk", flat=True)[: CREW_SIZE * 4]
        )
        return {pk: company.pk for pk in self.rng.sample(crew, min(CREW_SIZE, len(crew)))}

    def _coupons(self, customer_ids: list[int], accounts: dict[int, LoyaltyAccount]) -> None:
        campaign, _created = CouponTemplate.objects.get_or_create(
            code="demo-1000-100",
            defaults={
                "name": "满 1000 减 100",
                "kind": "amount_off",
                "amount_off": Decimal("100"),
                "min_spend": Decimal("1000"),
                "valid_days": 30,
                "per_customer_limit": 1,
            },
        )
        power = Category.objects.order_by("pk").first()
        scoped, _created = CouponTemplate.objects.get_or_create(
            code="demo-power-95",
            defaults={
                "name": f"{power.name if power else '全场'} 95 折",
                "kind": "percent_off",
                "percent_off": Decimal("5"),
                "min_spend": Decimal("300"),
                "category": power,
                "valid_days": 60,
                "per_customer_limit": 1,
            },
        )
        referral = CouponTemplate.objects.filter(code=self.settings.referral_template).first()
        chosen = self.rng.sample(
            customer_ids, min(len(customer_ids), max(20, len(customer_ids) // 8))
        )
        for index, customer_id in enumerate(chosen):
            template = campaign if index % 2 else scoped
            issued_days_ago = self.rng.randint(0, 25)
            issued_at = self.now - timedelta(days=issued_days_ago)
            valid_until = issued_at + timedelta(days=template.valid_days)
            coupon = Coupon(
                code=self.code(12),
                template=template,
                customer_id=customer_id,
                source=CouponSource.CAMPAIGN,
                issued_at=issued_at,
                valid_from=issued_at,
                valid_until=valid_until,
                issue_key=f"demo:{template.code}:{customer_id}",
                note="演示活动",
            )
            if index % 5 == 0:
                used_at = (
                    issued_at + timedelta(days=self.rng.randint(0, issued_days_ago))
                    if issued_days_ago
                    else issued_at
                )
                basket = Decimal(self.rng.randint(1000, 3000))
                coupon.status = CouponStatus.REDEEMED
                coupon.redeemed_at = min(used_at, self.now)
                coupon.basket_amount = basket
                coupon.discount_amount = template.amount_off or (
                    basket * (template.percent_off or 0) / 100
                ).quantize(Decimal("0.01"))
            elif index % 5 == 1:
                coupon.valid_until = self.now + timedelta(
                    days=self.rng.randint(1, 3)
                )  # expiring soon
            self.writer.add(coupon)
        if referral is None:
            return
        people = [cid for cid in customer_ids if accounts[cid].pooled_into_id is None]
        for referee_id in self.rng.sample(people, min(REFERRALS, len(people) // 2)):
            referrer_id = self.rng.choice(people)
            if referrer_id == referee_id:
                continue
            accounts[referee_id].referred_by_id = referrer_id
            accounts[referee_id].referral_rewarded_at = self.now - timedelta(
                days=self.rng.randint(5, 300)
            )
            for who, customer_id in (("referee", referee_id), ("referrer", referrer_id)):
                rewarded = accounts[referee_id].referral_rewarded_at
                assert rewarded is not None
                self.writer.add(
                    Coupon(
                        code=self.code(12),
                        template=referral,
                        customer_id=customer_id,
                        source=CouponSource.REFERRAL,
                        issued_at=rewarded,
                        valid_from=rewarded,
                        valid_until=rewarded + timedelta(days=referral.valid_days),
                        issue_key=f"referral:{referee_id}:{who}:{customer_id}",
                        note=f"推荐奖励（被推荐客户 #{referee_id}）",
                    )
                )


def build_loyalty(*, rng: random.Random, now: datetime, writer: BulkWriter) -> None:
    LoyaltyBuilder(rng=rng, now=now, writer=writer).build()
