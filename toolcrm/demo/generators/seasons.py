"""The retail calendar of a Chinese tool chain: how busy a day is (the weeks before 春节, 618,
国庆 and 双11, weekends, the spring renovation season) and the shopping festivals on which
e-commerce takes over."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

# 春节 (first day of the lunar year); outside the table an early-February date stands in.
SPRING_FESTIVALS: dict[int, date] = {
    2022: date(2022, 2, 1),
    2023: date(2023, 1, 22),
    2024: date(2024, 2, 10),
    2025: date(2025, 1, 29),
    2026: date(2026, 2, 17),
    2027: date(2027, 2, 6),
    2028: date(2028, 1, 26),
    2029: date(2029, 2, 13),
    2030: date(2030, 2, 3),
}

# Renovation season in spring and autumn, a lull in the hottest weeks (January first).
MONTH_FACTORS = (1.0, 0.8, 1.15, 1.2, 1.15, 1.0, 0.9, 0.9, 1.05, 1.1, 1.1, 1.0)


def spring_festival(year: int) -> date:
    return SPRING_FESTIVALS.get(year, date(year, 2, 5))


def is_shopping_festival(day: date) -> bool:
    """618 (1–18 June) and 双11 (1–11 November): online platforms run their big promotions."""
    return (day.month == 6 and day.day <= 18) or (day.month == 11 and day.day <= 11)


@lru_cache(maxsize=4096)
def day_weight(day: date) -> float:
    """Relative number of orders on ``day`` (about 1 on an ordinary weekday)."""
    weight = MONTH_FACTORS[day.month - 1]
    days_to_festival = (spring_festival(day.year) - day).days
    if 0 < days_to_festival <= 21:
        weight *= 1.5  # finishing renovations and buying gifts before the holiday
    elif -7 <= days_to_festival <= 0:
        weight *= 0.35  # the festival week: most tradesmen have gone home
    if is_shopping_festival(day):
        weight *= 1.5
    if day.month == 9 and day.day >= 20:
        weight *= 1.3  # before the National Day holiday
    if day.weekday() >= 5:
        weight *= 1.25
    return weight
