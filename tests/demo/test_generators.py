"""The demo generators without the database: identifiers are valid and unique, the retail
calendar has its peaks, and a seed reproduces the same data (the same people whatever the day of
loading, the same orders for the same moment)."""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from tests.demo.generated import generate, people
from toolcrm.demo.data.people import MOBILE_PREFIXES
from toolcrm.demo.data.places import CITIES
from toolcrm.demo.generators import identifiers
from toolcrm.demo.generators.clock import Clock, months_before
from toolcrm.demo.generators.seasons import day_weight, is_shopping_festival
from toolcrm.demo.generators.writer import Rows
from toolcrm.sales.models import Order, OrderLine


def test_ean13_check_digit_matches_the_published_example() -> None:
    assert identifiers.ean13("400638133393") == "4006381333931"
    assert identifiers.is_valid_ean13("6901234567892")
    assert not identifiers.is_valid_ean13("6901234567891")


def test_credit_codes_and_id_numbers_carry_valid_check_characters() -> None:
    assert identifiers.is_valid_credit_code("91350100M000100Y43")
    assert not identifiers.is_valid_credit_code("91350100M000100Y44")
    rng = random.Random(1)
    codes = [identifiers.credit_code(rng=rng, adcode="310115") for _ in range(500)]
    assert all(identifiers.is_valid_credit_code(code) for code in codes)
    assert all(re.fullmatch(r"91310115[0-9A-Z]{10}", code) for code in codes)
    assert identifiers.credit_code(rng=rng, adcode="440606", is_individual=True)[:2] == "92"
    assert (
        identifiers.id_card_no(
            adcode="110105", birthday=date(1949, 12, 31), sequence=1, is_male=False
        )
        == "11010519491231002X"
    )


def test_mobiles_are_valid_unique_e164_numbers_of_every_prefix() -> None:
    prefixes = [prefix for prefix, _ in MOBILE_PREFIXES]
    numbers = [
        identifiers.mobile(index=i, prefix=prefixes[i % len(prefixes)], offset=12345)
        for i in range(1, 20_001)
    ]

    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"\+861[3-9]\d{9}", number) for number in numbers)
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in numbers[::50])


def test_landlines_member_cards_and_platform_order_numbers_are_unique() -> None:
    for city in CITIES.values():
        landlines = {
            identifiers.landline(index=i, area_code=city.area_code, offset=99) for i in range(3000)
        }
        assert len(landlines) == 3000
        assert all(
            phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in list(landlines)[::20]
        )
    cards = {identifiers.member_card_no(index=i, offset=7) for i in range(20_000)}
    assert len(cards) == 20_000
    assert all(re.fullmatch(r"M\d{10}", card) for card in cards)
    for platform, pattern in (("JD", r"JD2\d{11}"), ("TB", r"TB3\d{18}")):
        orders = {identifiers.ecommerce_order_no(index=i, platform=platform) for i in range(5000)}
        assert len(orders) == 5000
        assert all(re.fullmatch(pattern, number) for number in orders)


def test_the_retail_calendar_peaks_before_the_festivals() -> None:
    ordinary = day_weight(date(2026, 3, 10))  # a Tuesday in March

    assert day_weight(date(2026, 2, 3)) > ordinary  # two weeks before 春节 (17 February)
    assert day_weight(date(2026, 2, 18)) < ordinary / 2  # the festival week
    assert is_shopping_festival(date(2026, 6, 18)) and is_shopping_festival(date(2026, 11, 11))
    assert not is_shopping_festival(date(2026, 11, 12))
    assert day_weight(date(2026, 11, 10)) > day_weight(date(2026, 11, 17))  # 双11, both Tuesdays
    assert day_weight(date(2026, 9, 29)) > day_weight(date(2026, 9, 15))  # before 国庆


def test_month_windows_count_back_from_tomorrow_and_keep_clear_of_their_edges() -> None:
    # 30 March 2028, a leap year: the rule tags' months end tomorrow (31 March) and run
    # 29 Feb–30 Mar, 31 Jan–28 Feb, 31 Dec–30 Jan; each window drops its first and last day.
    tz = ZoneInfo("Asia/Shanghai")
    clock = Clock(now=datetime(2028, 3, 30, 15, 0, tzinfo=tz), tz=tz)

    windows = [(clock.day(oldest), clock.day(newest)) for newest, oldest in clock.month_windows(3)]

    assert windows == [
        (date(2028, 3, 1), date(2028, 3, 29)),
        (date(2028, 2, 1), date(2028, 2, 27)),
        (date(2028, 1, 1), date(2028, 1, 29)),
    ]
    assert months_before(date(2027, 3, 31), 1) == date(2027, 2, 28)


def test_rows_refuse_columns_that_no_longer_match_the_model() -> None:
    with pytest.raises(ImproperlyConfigured, match="OrderLine columns are now id order_id"):
        Rows(OrderLine, "id order_id product_id quantity unit_price line_total")


@pytest.mark.django_db
def test_a_seed_gives_the_same_people_on_any_day_and_the_same_orders_at_the_same_moment() -> None:
    now = timezone.now()

    first = generate(seed=3, now=now, customers=40)
    again = generate(seed=3, now=now, customers=40)
    next_week = generate(seed=3, now=now + timedelta(days=7), customers=40)
    other_seed = generate(seed=4, now=now, customers=40)

    assert people(first) == people(again) == people(next_week)
    assert len(set(people(first))) == 40
    assert people(other_seed) != people(first)
    orders = [(o.external_id, o.total, o.ordered_at) for o in first if isinstance(o, Order)]
    assert orders == [(o.external_id, o.total, o.ordered_at) for o in again if isinstance(o, Order)]
