"""The points ledger: earning by tier multiplier (once per order), redeeming, FIFO expiry,
reversal on returns, manual adjustment, pooling into a company, and append-only rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import CustomerFactory
from toolcrm.core.roles import Role
from toolcrm.loyalty.models import AppendOnlyError, LotConsumption, LoyaltyAccount, PointsEntry
from toolcrm.loyalty.services import points, programme
from toolcrm.loyalty.services.accounts import ensure_account
from toolcrm.sales.models import Return

pytestmark = pytest.mark.django_db


def balance(customer) -> int:  # type: ignore[no-untyped-def]
    return LoyaltyAccount.objects.get(pk=customer.pk).points_balance


def test_an_order_earns_its_total_in_points_once(member, place_order):
    order = place_order(member, "899.50")

    entry = PointsEntry.objects.get(order=order)
    assert (entry.kind, entry.points) == ("earn", 899)
    assert balance(member) == 899 == points.ledger_sum(member.pk)
    # The task runs again (a retry): nothing more is written.
    programme.process_order(order_id=order.pk)
    assert points.earn_for_order(order_id=order.pk) is None
    assert PointsEntry.objects.filter(order=order).count() == 1
    assert balance(member) == 899


def test_points_expire_24_months_after_the_order(member, place_order):
    order = place_order(member, "100", days_ago=3)
    entry = PointsEntry.objects.get(order=order)
    assert entry.expires_at is not None
    assert entry.expires_at.date().replace(day=1) == (
        order.ordered_at.replace(year=order.ordered_at.year + 2).date().replace(day=1)
    )


def test_the_tier_multiplier_applies_after_an_upgrade(member, place_order):
    place_order(member, "4000", days_ago=10)  # standard, 1×
    order = place_order(member, "2000")  # reaches 银卡 (5,000): 1.2×

    assert LoyaltyAccount.objects.get(pk=member.pk).tier == "silver"
    assert PointsEntry.objects.get(order=order).points == 2400
    assert balance(member) == 6400


def test_redeem_takes_the_oldest_expiring_lot_first(member, place_order, clerk):
    old = place_order(member, "300", days_ago=400)
    new = place_order(member, "500", days_ago=5)

    result = points.redeem_points(user=clerk, customer=member, points=400, reference="POS-1")

    assert result.value == Decimal("4.00")
    assert balance(member) == 400 == points.ledger_sum(member.pk)
    remaining = {lot.order_id: lot.remaining for lot in points.open_lots(member.pk)}
    assert remaining == {new.pk: 400}
    assert old.pk not in remaining


def test_redeem_refuses_more_than_the_balance_and_odd_amounts(member, place_order, clerk):
    place_order(member, "250")
    with pytest.raises(ValidationError):
        points.redeem_points(user=clerk, customer=member, points=300)
    with pytest.raises(ValidationError):
        points.redeem_points(user=clerk, customer=member, points=150)  # not a multiple of 100
    with pytest.raises(ValidationError):
        points.redeem_points(user=clerk, customer=member, points=0)
    assert PointsEntry.objects.filter(kind="redeem").count() == 0
    assert balance(member) == 250


def test_redeem_needs_the_capability(member, place_order, make_user):
    place_order(member, "500")
    with pytest.raises(PermissionDenied):
        points.redeem_points(user=make_user(Role.TECHNICIAN), customer=member, points=100)


def test_expiry_writes_one_entry_per_lot_once(member, place_order, clerk):
    old = place_order(member, "300", days_ago=800)  # past 24 months
    place_order(member, "200", days_ago=10)
    points.redeem_points(user=clerk, customer=member, points=100)  # takes from the old lot

    assert points.expire_points() == 1
    assert points.expire_points() == 0  # idempotent

    expired = PointsEntry.objects.get(kind="expire")
    assert expired.points == -200
    assert LotConsumption.objects.get(entry=expired).lot.order_id == old.pk
    assert balance(member) == 200 == points.ledger_sum(member.pk)


def test_a_partial_return_reverses_the_refunded_share(member, place_order, clerk):
    order = place_order(member, "1000")
    Return.objects.create(
        order=order,
        store=order.store,
        reason="坏件",
        refund_amount=Decimal("250.00"),
        returned_at=timezone.now(),
    )

    entry = points.reverse_for_returns(order_id=order.pk)

    assert entry is not None and entry.points == -250
    assert points.reverse_for_returns(order_id=order.pk) is None  # cumulative, idempotent
    Return.objects.create(
        order=order,
        store=order.store,
        reason="退货",
        refund_amount=Decimal("750.00"),
        returned_at=timezone.now(),
    )
    second = points.reverse_for_returns(order_id=order.pk)
    assert second is not None and second.points == -750
    assert balance(member) == 0 == points.ledger_sum(member.pk)


def test_a_reversal_never_overdraws_and_records_the_write_off(member, place_order, clerk):
    order = place_order(member, "1000")
    points.redeem_points(user=clerk, customer=member, points=900)
    order.status = "returned"
    order.save(update_fields=["status"])

    entry = points.reverse_for_returns(order_id=order.pk)

    assert entry is not None
    assert (entry.points, entry.reversal_due) == (-100, 1000)
    assert "900" in entry.reason
    assert balance(member) == 0
    assert points.reverse_for_returns(order_id=order.pk) is None


def test_manual_adjustment_needs_a_reason_and_the_capability(member, manager, clerk):
    with pytest.raises(PermissionDenied):
        points.adjust_points(user=clerk, customer=member, points=100, reason="补录")
    with pytest.raises(ValidationError) as error:
        points.adjust_points(user=manager, customer=member, points=100, reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError):
        points.adjust_points(user=manager, customer=member, points=-1, reason="扣减")
    assert not PointsEntry.objects.exists()

    entry = points.adjust_points(user=manager, customer=member, points=300, reason="系统故障补录")
    assert (entry.kind, entry.points, entry.created_by) == ("adjust", 300, manager)
    assert balance(member) == 300


def test_a_crew_members_points_go_to_the_company_with_the_member_noted(
    member, place_order, manager, store_a
):
    company = CustomerFactory(name="宏达装修工程有限公司", kind="company", home_store=store_a)
    programme.set_pool(user=manager, member=member, company=company)

    order = place_order(member, "800")

    entry = PointsEntry.objects.get(order=order)
    assert entry.account_id == company.pk
    assert entry.member_id == member.pk
    assert balance(company) == 800
    assert balance(member) == 0


def test_pooling_rules(member, manager, store_a, outsider):
    company = CustomerFactory(kind="company", home_store=store_a)
    other_person = CustomerFactory(home_store=store_a)
    with pytest.raises(ValidationError):
        programme.set_pool(user=manager, member=member, company=other_person)
    with pytest.raises(ValidationError):
        programme.set_pool(user=manager, member=company, company=company)
    with pytest.raises(ValidationError):
        programme.set_pool(user=manager, member=outsider, company=company)
    assert not LoyaltyAccount.objects.filter(pooled_into__isnull=False).exists()


def test_ledger_rows_cannot_be_changed_or_deleted(member, place_order):
    place_order(member, "100")
    entry = PointsEntry.objects.get()
    entry.points = 5000
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.filter(pk=entry.pk).update(points=1)
    with pytest.raises(AppendOnlyError):
        PointsEntry.objects.all().delete()
    assert PointsEntry.objects.get().points == 100


def test_an_account_is_created_with_a_readable_referral_code(member):
    account = ensure_account(member.pk)
    assert len(account.referral_code) == 8
    assert not set(account.referral_code) & set("01OIL")
    assert ensure_account(member.pk).referral_code == account.referral_code


def test_cancelled_orders_and_walk_ins_earn_nothing(member, place_order):
    order = place_order(member, "300", process=False)
    order.status = "cancelled"
    order.save(update_fields=["status"])
    assert points.earn_for_order(order_id=order.pk) is None
    assert points.earn_for_order(order_id=10**9) is None
    assert not PointsEntry.objects.exists()
