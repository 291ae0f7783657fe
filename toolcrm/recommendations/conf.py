"""Recommendation thresholds, read from Django settings at call time (so tests can override them).

Each has a default here and an environment variable of the same name in ``toolcrm/settings.py``;
see the "Recommendations" section of ``docs/architecture.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class MiningThresholds:
    min_support: float = 0.0005  # share of baskets holding both sides
    min_pair_count: int = 5  # and at least this many baskets, whatever the data size
    min_confidence: float = 0.05
    min_lift: float = 1.5


@dataclass(frozen=True)
class ListSettings:
    recent_days: int = 90  # what the customer bought in this window is not recommended
    size: int = 8
    per_category: int = 2  # at most this many items of one category in a list


def mining_thresholds() -> MiningThresholds:
    default = MiningThresholds()
    return MiningThresholds(
        min_support=float(getattr(settings, "RECOMMENDATIONS_MIN_SUPPORT", default.min_support)),
        min_pair_count=int(
            getattr(settings, "RECOMMENDATIONS_MIN_PAIR_COUNT", default.min_pair_count)
        ),
        min_confidence=float(
            getattr(settings, "RECOMMENDATIONS_MIN_CONFIDENCE", default.min_confidence)
        ),
        min_lift=float(getattr(settings, "RECOMMENDATIONS_MIN_LIFT", default.min_lift)),
    )


def list_settings() -> ListSettings:
    default = ListSettings()
    return ListSettings(
        recent_days=int(getattr(settings, "RECOMMENDATIONS_RECENT_DAYS", default.recent_days)),
        size=int(getattr(settings, "RECOMMENDATIONS_LIST_SIZE", default.size)),
        per_category=int(getattr(settings, "RECOMMENDATIONS_PER_CATEGORY", default.per_category)),
    )
