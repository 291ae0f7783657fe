"""What the tags app does when another app reports something: a committed sale queues a
refresh of that customer's tags, and so does a committed return; a committed batch of orders (an
import chunk, a batch API call) queues one refresh of all its customers; a committed merge (or
undo) refreshes both customers (the merged-away one is inactive and so loses its tags).
Receivers only enqueue. Connected in ``TagsConfig.ready``, after insights' receivers (apps are
readied in ``INSTALLED_APPS`` order), so with the immediate backend the predictive tags read the
fresh scores."""

from __future__ import annotations

from typing import Any

from toolcrm.tags.tasks import refresh_customer_tags, refresh_customers_tags


def retag_after_sale(*, customer_id: int, **kwargs: Any) -> None:
    refresh_customer_tags.enqueue(customer_id)


def retag_after_batch(*, customer_ids: list[int], **kwargs: Any) -> None:
    if customer_ids:
        refresh_customers_tags.enqueue(list(customer_ids))


def retag_after_return(*, customer_id: int, **kwargs: Any) -> None:
    refresh_customer_tags.enqueue(customer_id)


def retag_after_merge(*, customer_ids: list[int], **kwargs: Any) -> None:
    for customer_id in customer_ids:
        refresh_customer_tags.enqueue(customer_id)
