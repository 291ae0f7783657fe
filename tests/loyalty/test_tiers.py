"""Tiers: an order that reaches a threshold upgrades at once; spend falling away never
downgrades until the yearly review date, and the review acts once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from toolcrm.loyalty.models import LoyaltyAccount, TierChange
from toolcrm.loyalty.services import accounts
from toolcrm.loyalty.services.accounts import add_years, tier_for_spend

pytestmark = pytest.mark.django_db


def account(customer):  # type: ignore[no-untyped-def]
    return LoyaltyAccount.objects.get(pk=customer.pk)


@pytest.mark.parametrize(
    ("spend", "tier"),
    [
        ("0", "standard"),
        ("4999.99", "standard"),
        ("5000", "silver"),
        ("20000", "gold"),
        ("99999.99", "gold"),
        ("100000", "diamond"),
    ],
)
def test_default_thresholds(spend, tier):
    from decimal import Decimal

    assert tier_for_spend(Decimal(spend)) == tier


@override_settings(
    LOYALTY_TIER_THRESHOLDS={"standard": 0, "silver": 100, "gold": 200, "diamond": 300}
)
def test_thresholds_come_from_settings(member, place_order):
    place_order(member, "250")
    assert account(member).tier == "gold"


def test_an_order_upgrades_immediately_and_sets_the_review_a_year_on(member, place_order):
    place_order(member, "21000")

    acc = account(member)
    today = timezone.localdate()
    assert (acc.tier, acc.tier_since, acc.review_on) == ("gold", today, add_years(today))
    change = TierChange.objects.get(customer=member)
    assert (change.from_tier, change.to_tier, change.reason) == ("standard", "gold", "upgrade")


def test_no_downgrade_before_the_review_even_when_spend_falls_away(member, place_order):
    place_order(member, "6000", days_ago=300)
    assert account(member).tier == "silver"

    # 100 days later the order is outside the 12-month window: still silver until review.
    with time_machine.travel(timezone.now() + timedelta(days=100), tick=False):
        assert accounts.rolling_spend([member.pk]) == 0
        assert accounts.upgrade_if_due(customer_id=member.pk) is None
        assert accounts.review_due_accounts() == 0
        assert account(member).tier == "silver"


def test_the_yearly_review_downgrades_once_on_its_date(member, place_order):
    place_order(member, "6000", days_ago=2)
    review_on = account(member).review_on
    assert review_on is not None

    with time_machine.travel(timezone.now() + timedelta(days=366), tick=False):
        assert accounts.review_due_accounts() == 1
        assert accounts.review_due_accounts() == 0  # idempotent
    acc = account(member)
    assert acc.tier == "standard"
    assert acc.review_on is None
    assert list(
        TierChange.objects.filter(customer=member).order_by("pk").values_list("reason", "to_tier")
    ) == [("upgrade", "silver"), ("review", "standard")]


def test_a_review_that_keeps_the_tier_moves_the_date_a_year(member, place_order):
    place_order(member, "6000", days_ago=2)
    first_review = account(member).review_on
    with time_machine.travel(timezone.now() + timedelta(days=366), tick=False):
        place_order(member, "5500", days_ago=1)
        assert accounts.review_due_accounts() == 0
    acc = account(member)
    assert acc.tier == "silver"
    assert acc.review_on == add_years(first_review)
    assert TierChange.objects.filter(reason="review").count() == 0


def test_leap_day_review_date():
    from datetime import date

    assert add_years(date(2028, 2, 29)) == date(2029, 2, 28)


def test_tier_benefit_for_a_member_and_a_non_member(member, place_order, store_a):
    from tests.factories import CustomerFactory
    from toolcrm.loyalty.selectors import tier_benefit_for

    place_order(member, "25000")
    gold = tier_benefit_for(customer_id=member.pk)
    assert gold is not None and (gold.free_rental_days, gold.has_priority_repair) == (7, True)
    newcomer = tier_benefit_for(customer_id=CustomerFactory(home_store=store_a).pk)
    assert newcomer is not None and newcomer.free_rental_days == 0
