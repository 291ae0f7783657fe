"""Churn-model features supplied by apps above insights (the tags app's behaviour tags), through a
provider each app registers from its ``AppConfig.ready`` with ``churn.register_feature_provider``.

Insights sits below those apps in the import layers, so it cannot call them; the provider hands
insights a function instead. The contract that keeps the model honest: ``compute(customer_ids,
as_of)`` must see only what was known at the end of ``as_of`` (orders up to then, never today's
stored tag rows), because the model is trained on features at past cut-offs and labelled with
what happened after them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.utils import timezone

# customer ids (None: every customer) and the cut-off day → customer id → name → value; a
# customer left out has 0 for everything.
ComputeFeatures = Callable[[Sequence[int] | None, date], Mapping[int, Mapping[str, float]]]
# feature, direction ("high"/"low" against the chain's mean), the customer's raw values → the
# parameters of the reason text "<feature>:<direction>", or None when it would not read true.
ReasonParams = Callable[[str, str, Mapping[str, Any]], dict[str, Any] | None]


@dataclass(frozen=True)
class FeatureProvider:
    """Model inputs from one app. ``features`` are model inputs (taken as they are, no log);
    ``details`` are further raw values that only the reason texts quote (a share, a quarter).
    ``labels`` name every feature on the model page; ``texts`` hold the reason texts keyed
    ``"<feature>:high"`` / ``"<feature>:low"`` (a direction without a text gives no reason)."""

    name: str
    features: tuple[str, ...]
    details: tuple[str, ...]
    labels: Mapping[str, Any]
    texts: Mapping[str, Any]
    compute: ComputeFeatures
    reason_params: ReasonParams

    @property
    def columns(self) -> tuple[str, ...]:
        return (*self.features, *self.details)


def end_of_day(day: date) -> datetime:
    """The last moment of ``day`` in the current time zone: what "as of the cut-off ``day``"
    means for the order-day features (``TruncDate`` in the same zone, ``day ≤ as_of``)."""
    return timezone.make_aware(datetime.combine(day, time.max))
