"""Insights thresholds, read from Django settings at call time (so tests can override them).

Each has a default here and an environment variable in ``toolcrm/settings.py``; see the
"Insights" section of ``docs/architecture.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings


@dataclass(frozen=True)
class InsightThresholds:
    new_customer_days: int = 90
    at_risk_days: int = 90
    dormant_days: int = 180
    lost_days: int = 365
    rfm_window_days: int = 365
    clv_min_customers: int = 50
    clv_penalizer: float = 0.001
    cycle_min_purchase_days: int = 3
    cycle_tolerance: float = 1.5
    vip_threshold: Decimal = Decimal("500000")
    churn_horizon_days: int = 90


def thresholds() -> InsightThresholds:
    default = InsightThresholds()
    return InsightThresholds(
        new_customer_days=getattr(
            settings, "INSIGHTS_NEW_CUSTOMER_DAYS", default.new_customer_days
        ),
        at_risk_days=getattr(settings, "INSIGHTS_AT_RISK_DAYS", default.at_risk_days),
        dormant_days=getattr(settings, "INSIGHTS_DORMANT_DAYS", default.dormant_days),
        lost_days=getattr(settings, "INSIGHTS_LOST_DAYS", default.lost_days),
        rfm_window_days=getattr(settings, "INSIGHTS_RFM_WINDOW_DAYS", default.rfm_window_days),
        clv_min_customers=getattr(
            settings, "INSIGHTS_CLV_MIN_CUSTOMERS", default.clv_min_customers
        ),
        clv_penalizer=getattr(settings, "INSIGHTS_CLV_PENALIZER", default.clv_penalizer),
        cycle_min_purchase_days=getattr(
            settings, "INSIGHTS_CYCLE_MIN_PURCHASE_DAYS", default.cycle_min_purchase_days
        ),
        cycle_tolerance=getattr(settings, "INSIGHTS_CYCLE_TOLERANCE", default.cycle_tolerance),
        vip_threshold=Decimal(
            str(getattr(settings, "INSIGHTS_VIP_THRESHOLD", default.vip_threshold))
        ),
        churn_horizon_days=getattr(
            settings, "INSIGHTS_CHURN_HORIZON_DAYS", default.churn_horizon_days
        ),
    )
