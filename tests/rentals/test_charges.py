"""The money rules of closing a loan (``compute_charges``) and of converting one
(``conversion_credit``), and the rates derived from the list price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from toolcrm.rentals.services import (
    compute_charges,
    conversion_credit,
    daily_rate_for,
    minimum_deposit_for,
)

START = date(2026, 11, 2)
RATE = Decimal("45.00")


def charges(returned: date, *, kind: str = "rental", due: date = date(2026, 11, 5), **kw):  # type: ignore[no-untyped-def]
    return compute_charges(
        kind=kind,
        started_on=START,
        due_on=due,
        returned_on=returned,
        daily_rate=RATE,
        deposit=kw.pop("deposit", Decimal("500.00")),
        **kw,
    )


def test_same_day_return_is_one_day():
    result = charges(START)
    assert (result.used_days, result.late_days) == (1, 0)
    assert result.rental_charge == Decimal("45.00")
    assert result.late_fee == Decimal("0.00")
    assert result.deposit_refund == Decimal("455.00")
    assert result.amount_owed == Decimal("0.00")


def test_early_return_pays_only_the_days_used():
    result = charges(date(2026, 11, 4))
    assert result.used_days == 2
    assert result.rental_charge == Decimal("90.00")


def test_return_on_the_due_date_is_not_late():
    result = charges(date(2026, 11, 5))
    assert (result.used_days, result.late_days) == (3, 0)
    assert result.total == Decimal("135.00")


def test_late_days_cost_rent_and_the_late_fee():
    result = charges(date(2026, 11, 7))  # two days late
    assert (result.used_days, result.late_days) == (5, 2)
    assert result.rental_charge == Decimal("225.00")
    assert result.late_fee == Decimal("45.00")  # 2 × 50 % × ¥45
    assert result.deposit_refund == Decimal("230.00")


def test_late_fee_percentage_is_configurable(settings):
    settings.RENTALS_LATE_FEE_PERCENT = "100"
    assert charges(date(2026, 11, 7)).late_fee == Decimal("90.00")


def test_trial_is_free_until_due_and_charged_after():
    on_time = charges(date(2026, 11, 5), kind="trial")
    late = charges(date(2026, 11, 6), kind="trial")
    assert on_time.rental_charge == on_time.late_fee == Decimal("0.00")
    assert on_time.deposit_refund == Decimal("500.00")
    assert late.rental_charge == Decimal("45.00")
    assert late.late_fee == Decimal("22.50")


def test_damage_beyond_the_deposit_is_owed_and_refund_is_never_negative():
    result = charges(date(2026, 11, 5), damage_charge=Decimal("400.00"))
    assert result.total == Decimal("535.00")
    assert result.deposit_refund == Decimal("0.00")
    assert result.amount_owed == Decimal("35.00")


def test_charges_equal_to_the_deposit_leave_nothing_either_way():
    result = charges(date(2026, 11, 5), deposit=Decimal("135.00"))
    assert result.deposit_refund == result.amount_owed == Decimal("0.00")


def test_conversion_credit_is_the_rent_capped_at_half_the_price():
    assert conversion_credit(rental_charge=Decimal("135.00"), list_price=Decimal("900.00")) == (
        Decimal("135.00")
    )
    assert conversion_credit(rental_charge=Decimal("700.00"), list_price=Decimal("900.00")) == (
        Decimal("450.00")
    )


def test_conversion_credit_rule_is_configurable(settings):
    settings.RENTALS_CONVERSION_CREDIT_PERCENT = "50"
    settings.RENTALS_CONVERSION_CREDIT_CAP_PERCENT = "100"
    assert conversion_credit(rental_charge=Decimal("135.00"), list_price=Decimal("900.00")) == (
        Decimal("67.50")
    )


@pytest.mark.django_db
def test_rates_come_from_the_products_rental_price_or_the_percentages(hammer, washer, settings):
    assert daily_rate_for(hammer) == Decimal("45.00")
    assert minimum_deposit_for(hammer) == Decimal("450.00")
    assert daily_rate_for(washer) == Decimal("60.00")
    assert minimum_deposit_for(washer) == Decimal("1000.00")
    settings.RENTALS_DAILY_RATE_PERCENT = "4"
    assert daily_rate_for(hammer) == Decimal("36.00")


def test_free_rental_days_pay_rent_days_first_but_never_late_fees():
    result = charges(date(2026, 11, 7), free_days_allowance=3)  # 5 days used, 2 late
    assert result.free_days == 3
    assert result.rental_charge == Decimal("90.00")  # 2 of 5 days charged
    assert result.late_fee == Decimal("45.00")  # 2 late days × 50 % × 45


def test_free_days_beyond_the_days_used_are_not_spent_and_trials_use_none():
    assert charges(date(2026, 11, 4), free_days_allowance=7).free_days == 2
    assert charges(date(2026, 11, 4), free_days_allowance=7).rental_charge == Decimal("0.00")
    assert charges(date(2026, 11, 7), kind="trial", free_days_allowance=7).free_days == 0
