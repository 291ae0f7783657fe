"""What the insights app does when another app reports something: a committed sale queues a
rescoring of that customer (scores, stage, CLV, churn probability, category cycles and VIP are
fresh within seconds, not only after the nightly run); a committed batch of orders (an import
chunk, a batch API call) queues one rescoring of all its customers; a committed return does
as a sale (net spend, return share and churn features change); a committed merge (or undo)
rescores both customers, which also drops the score of a merged-away customer who has no
purchase left. Connected in ``InsightsConfig.ready``."""

from __future__ import annotations

from typing import Any

from toolcrm.insights.tasks import refresh_customer_scores, refresh_customers


def rescore_after_sale(*, customer_id: int, **kwargs: Any) -> None:
    refresh_customer_scores.enqueue(customer_id)


def rescore_after_batch(*, customer_ids: list[int], **kwargs: Any) -> None:
    if customer_ids:
        refresh_customers.enqueue(list(customer_ids))


def rescore_after_return(*, customer_id: int, **kwargs: Any) -> None:
    refresh_customer_scores.enqueue(customer_id)


def rescore_after_merge(*, customer_ids: list[int], **kwargs: Any) -> None:
    for customer_id in customer_ids:
        refresh_customer_scores.enqueue(customer_id)
