"""Loyalty programme settings, read from Django settings at call time (tests override them).

Tier thresholds are on rolling 12-month net spend in CNY. The benefits of each tier are rows of
``TierBenefit`` (edited in the UI); these settings are what changes with a deploy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from toolcrm.loyalty.choices import Tier


@dataclass(frozen=True)
class LoyaltySettings:
    tier_thresholds: dict[str, Decimal]
    spend_window_days: int
    points_expiry_months: int
    points_per_cny: int  # points earned per 1 CNY before the tier multiplier
    points_per_cny_redeemed: int  # points worth 1 CNY when redeemed
    referral_template: str
    birthday_template: str
    return_window_days: int  # how far back the daily run looks for new returns


def loyalty_settings() -> LoyaltySettings:
    thresholds = getattr(settings, "LOYALTY_TIER_THRESHOLDS", None) or {
        Tier.STANDARD: 0,
        Tier.SILVER: 5000,
        Tier.GOLD: 20000,
        Tier.DIAMOND: 100000,
    }
    return LoyaltySettings(
        tier_thresholds={str(k): Decimal(str(v)) for k, v in thresholds.items()},
        spend_window_days=int(getattr(settings, "LOYALTY_SPEND_WINDOW_DAYS", 365)),
        points_expiry_months=int(getattr(settings, "LOYALTY_POINTS_EXPIRY_MONTHS", 24)),
        points_per_cny=int(getattr(settings, "LOYALTY_POINTS_PER_CNY", 1)),
        points_per_cny_redeemed=int(getattr(settings, "LOYALTY_POINTS_PER_CNY_REDEEMED", 100)),
        referral_template=str(getattr(settings, "LOYALTY_REFERRAL_TEMPLATE", "referral-500")),
        birthday_template=str(getattr(settings, "LOYALTY_BIRTHDAY_TEMPLATE", "birthday-50")),
        return_window_days=int(getattr(settings, "LOYALTY_RETURN_WINDOW_DAYS", 7)),
    )
