"""What the insights app does when another app reports something: a committed sale queues a
rescoring of that customer (scores, stage and CLV are fresh within seconds, not only after the
nightly run). Connected in ``InsightsConfig.ready``."""

from __future__ import annotations

from typing import Any

from toolcrm.insights.tasks import refresh_customer_scores


def rescore_after_sale(*, customer_id: int, **kwargs: Any) -> None:
    refresh_customer_scores.enqueue(customer_id)
