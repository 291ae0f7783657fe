"""Referral rewards and their guards, birthday coupons, the sale → loyalty path through the
order signal, and loyalty following a customer merge and its undo."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import CustomerFactory, ProductFactory
from toolcrm.core.roles import Role
from toolcrm.integrations.merge import merge_customers, undo_merge
from toolcrm.loyalty.models import (
    Coupon,
    LoyaltyAccount,
    MergeTransfer,
    PointsEntry,
    TierChange,
)
from toolcrm.loyalty.services import points, programme
from toolcrm.loyalty.services.accounts import ensure_account
from toolcrm.sales.services import OrderInput, OrderLineInput, create_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def referrer(store_a):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(name="老客户", home_store=store_a, street="世纪大道 100 号")
    ensure_account(customer.pk)
    return customer


def code_of(customer) -> str:  # type: ignore[no-untyped-def]
    return LoyaltyAccount.objects.get(pk=customer.pk).referral_code


# ---------------------------------------------------------------------------------- referral


def test_the_referees_first_order_rewards_both_once(member, referrer, clerk, place_order):
    programme.set_referrer(user=clerk, customer=member, code=code_of(referrer).lower())

    first = place_order(member, "300")
    programme.process_order(order_id=first.pk)  # a retried task
    place_order(member, "200")

    rewards = Coupon.objects.filter(source="referral")
    assert sorted(rewards.values_list("customer_id", flat=True)) == sorted([member.pk, referrer.pk])
    assert {c.template.code for c in rewards} == {"referral-500"}
    assert rewards.first().template.amount_off == Decimal("500.00")  # type: ignore[union-attr]
    assert LoyaltyAccount.objects.get(pk=member.pk).referral_rewarded_at is not None


def test_self_referral_by_shared_phone_is_refused(member, store_a, clerk):
    twin = CustomerFactory(home_store=store_a, phone_secondary=member.phone)
    ensure_account(twin.pk)
    with pytest.raises(ValidationError, match="手机号相同"):
        programme.set_referrer(user=clerk, customer=member, code=code_of(twin))
    assert not LoyaltyAccount.objects.filter(pk=member.pk, referred_by__isnull=False).exists()


def test_self_referral_by_same_normalised_address_is_refused(member, store_a, clerk):
    housemate = CustomerFactory(
        home_store=store_a,
        province="上海市",
        city="上海市",
        district="浦东新区",
        street="张杨路500号3栋201室",  # same address, written without spaces
    )
    ensure_account(housemate.pk)
    with pytest.raises(ValidationError, match="地址相同"):
        programme.set_referrer(user=clerk, customer=member, code=code_of(housemate))


def test_referral_refusals_write_nothing(member, referrer, clerk, place_order):
    with pytest.raises(ValidationError, match="不存在"):
        programme.set_referrer(user=clerk, customer=member, code="XXXXXXXX")
    ensure_account(member.pk)
    with pytest.raises(ValidationError, match="推荐自己"):
        programme.set_referrer(user=clerk, customer=member, code=code_of(member))
    place_order(member, "100")
    with pytest.raises(ValidationError, match="消费记录"):
        programme.set_referrer(user=clerk, customer=member, code=code_of(referrer))
    assert LoyaltyAccount.objects.get(pk=member.pk).referred_by is None
    assert not Coupon.objects.exists()


def test_a_phone_shared_after_registration_blocks_the_reward(member, referrer, clerk, place_order):
    programme.set_referrer(user=clerk, customer=member, code=code_of(referrer))
    referrer.phone_secondary = member.phone
    referrer.save()
    place_order(member, "300")
    assert not Coupon.objects.exists()


# ---------------------------------------------------------------------------------- birthday


def test_birthday_coupon_once_a_year_for_card_members(store_a):
    born = date(1985, 6, 15)
    member = CustomerFactory(home_store=store_a, birthday=born)
    CustomerFactory(home_store=store_a, birthday=born, member_card_no=None)  # not a member
    CustomerFactory(home_store=store_a, birthday=born, is_active=False)
    CustomerFactory(home_store=store_a, birthday=date(1985, 6, 16))
    shanghai_morning = timezone.make_aware(timezone.datetime(2026, 6, 15, 8, 0))
    with time_machine.travel(shanghai_morning, tick=False):
        assert programme.issue_birthday_coupons() == 1
        assert programme.issue_birthday_coupons() == 0
    assert programme.issue_birthday_coupons(today=date(2027, 6, 15)) == 1  # next year again
    coupon = Coupon.objects.order_by("pk").first()
    assert coupon is not None
    assert (coupon.customer_id, coupon.source, coupon.template.code) == (
        member.pk,
        "birthday",
        "birthday-50",
    )


def test_leap_day_birthdays_are_celebrated_on_28_february(store_a):
    CustomerFactory(home_store=store_a, birthday=date(1992, 2, 29))
    assert programme.issue_birthday_coupons(today=date(2027, 2, 28)) == 1
    assert programme.issue_birthday_coupons(today=date(2028, 2, 28)) == 0
    assert programme.issue_birthday_coupons(today=date(2028, 2, 29)) == 1


# ----------------------------------------------------------------------------- order signal


def test_a_recorded_order_earns_points_through_the_task_after_commit(
    member, clerk, django_capture_on_commit_callbacks
):
    ProductFactory(sku="DRILL-9", price=Decimal("5200.00"))
    with django_capture_on_commit_callbacks(execute=True):
        order, created = create_order(
            user=clerk,
            data=OrderInput(
                channel="pos",
                external_id="POS-LOYALTY-1",
                store=member.home_store.code,
                customer_id=member.pk,
                lines=[OrderLineInput(sku="DRILL-9", quantity=1)],
            ),
        )
    assert created
    account = LoyaltyAccount.objects.get(pk=member.pk)
    assert account.tier == "silver"  # 5,200 ≥ 5,000: upgraded at once
    assert PointsEntry.objects.get(order=order).points == 6240  # 1.2 × 5,200
    assert account.points_balance == 6240


# ------------------------------------------------------------------------------------ merges


def test_merge_moves_points_coupons_and_history_and_undo_moves_them_back(
    store_a, make_user, place_order, amount_template, django_capture_on_commit_callbacks
):
    manager = make_user(Role.STORE_MANAGER, username="merger")
    survivor = CustomerFactory(name="王建国", home_store=store_a)
    other = CustomerFactory(name="王建国", home_store=store_a)
    place_order(survivor, "300")
    old_order = place_order(other, "21000", days_ago=100)  # gold
    coupon = programme.issue_coupons(template=amount_template, customers=[other]).issued[0]
    other_lot = PointsEntry.objects.get(order=old_order)

    with django_capture_on_commit_callbacks(execute=True):
        merge = merge_customers(user=manager, survivor=survivor, other=other, field_choices={})

    s_acc = LoyaltyAccount.objects.get(pk=survivor.pk)
    o_acc = LoyaltyAccount.objects.get(pk=other.pk)
    assert (s_acc.points_balance, o_acc.points_balance) == (300 + 31500, 0)
    assert s_acc.tier == "gold"
    moved_in = PointsEntry.objects.get(account=s_acc, kind="merge_in")
    assert moved_in.expires_at == other_lot.expires_at  # expiry is kept
    coupon.refresh_from_db()
    assert coupon.customer_id == survivor.pk
    assert TierChange.objects.filter(customer=survivor, reason="upgrade", to_tier="gold").exists()
    # A second delivery of the signal changes nothing.
    assert programme.sync_merges(customer_ids=[survivor.pk, other.pk]) == 0

    points.redeem_points(user=manager, customer=survivor, points=1000)  # spends some

    with django_capture_on_commit_callbacks(execute=True):
        undo_merge(user=manager, merge=merge)

    s_acc.refresh_from_db()
    o_acc.refresh_from_db()
    coupon.refresh_from_db()
    assert coupon.customer_id == other.pk
    assert s_acc.tier == "standard"
    # The survivor spent its own older lot first (FIFO by expiry), then 700 of the moved lot.
    assert o_acc.points_balance + s_acc.points_balance == 300 + 31500 - 1000
    assert s_acc.points_balance == points.ledger_sum(survivor.pk)
    assert o_acc.points_balance == points.ledger_sum(other.pk)
    assert MergeTransfer.objects.get(merge_id=merge.pk).undone_at is not None
    assert set(TierChange.objects.filter(customer=other).values_list("to_tier", flat=True)) == {
        "gold"
    }
    assert programme.sync_merges(customer_ids=[survivor.pk, other.pk]) == 0


def test_a_batch_of_imported_orders_earns_points_once_each(
    member, clerk, store_a, django_capture_on_commit_callbacks
):
    from toolcrm.sales.signals import batched_order_signals

    other = CustomerFactory(home_store=store_a)
    ProductFactory(sku="BLADE-1", price=Decimal("120.00"), is_power_tool=False)
    with django_capture_on_commit_callbacks(execute=True), batched_order_signals():
        for number, customer in enumerate([member, other, member]):
            create_order(
                user=clerk,
                data=OrderInput(
                    channel="pos",
                    external_id=f"IMPORT-{number}",
                    store=store_a.code,
                    customer_id=customer.pk,
                    lines=[OrderLineInput(sku="BLADE-1", quantity=1)],
                ),
            )
    assert LoyaltyAccount.objects.get(pk=member.pk).points_balance == 240
    assert LoyaltyAccount.objects.get(pk=other.pk).points_balance == 120
    assert PointsEntry.objects.filter(kind="earn").count() == 3
