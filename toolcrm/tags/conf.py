"""Thresholds of the computed (behaviour and predictive) tags, read from Django settings at call
time so tests can override them. Each has an environment variable of the same name in
``toolcrm/settings.py``; see the "Tags" section of ``docs/architecture.md``."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings


@dataclass(frozen=True)
class TagThresholds:
    window_days: int = 365  # behaviour tags look at this many days of orders
    min_orders: int = 3  # fewer orders than this: no behaviour judgement at all
    brand_share: float = 0.6  # brand preference: at least this share of spend on one brand
    channel_share: float = 0.7  # preferred channel: at least this share of orders in one channel
    discount_share: float = 0.5  # price sensitive: more than this share of spend discounted
    pro_consumable_units: int = 30  # professional: at least this many consumable units
    pro_brand_share: float = 0.7  # professional: at least this share of spend on pro brands …
    pro_brand_min_spend: Decimal = Decimal("5000")  # … and at least this much spend
    pro_brands: tuple[str, ...] = field(default=("博世", "牧田", "得伟", "米沃奇"))
    seasonal_share: float = 0.6  # seasonal: at least this share of orders in one quarter …
    seasonal_min_years: int = 2  # … over orders in at least this many calendar years
    high_clv: Decimal = Decimal("20000")  # predictive 高价值潜力: 12-month CLV at least this
    churn_probability: float = 0.5  # predictive 流失预警 (when the churn model exists)


def thresholds() -> TagThresholds:
    default = TagThresholds()
    return TagThresholds(
        window_days=getattr(settings, "TAGS_WINDOW_DAYS", default.window_days),
        min_orders=getattr(settings, "TAGS_MIN_ORDERS", default.min_orders),
        brand_share=getattr(settings, "TAGS_BRAND_SHARE", default.brand_share),
        channel_share=getattr(settings, "TAGS_CHANNEL_SHARE", default.channel_share),
        discount_share=getattr(settings, "TAGS_DISCOUNT_SHARE", default.discount_share),
        pro_consumable_units=getattr(
            settings, "TAGS_PRO_CONSUMABLE_UNITS", default.pro_consumable_units
        ),
        pro_brand_share=getattr(settings, "TAGS_PRO_BRAND_SHARE", default.pro_brand_share),
        pro_brand_min_spend=Decimal(
            str(getattr(settings, "TAGS_PRO_BRAND_MIN_SPEND", default.pro_brand_min_spend))
        ),
        pro_brands=tuple(getattr(settings, "TAGS_PRO_BRANDS", default.pro_brands)),
        seasonal_share=getattr(settings, "TAGS_SEASONAL_SHARE", default.seasonal_share),
        seasonal_min_years=getattr(settings, "TAGS_SEASONAL_MIN_YEARS", default.seasonal_min_years),
        high_clv=Decimal(str(getattr(settings, "TAGS_HIGH_CLV", default.high_clv))),
        churn_probability=getattr(settings, "TAGS_CHURN_PROBABILITY", default.churn_probability),
    )
