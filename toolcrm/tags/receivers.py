"""What the tags app does when another app reports something: a committed sale queues a
refresh of that customer's tags, and so does a committed return; a committed batch of orders (an
import chunk, a batch API call) queues one refresh of all its customers, and so does a committed
merge (or undo) for both customers (the merged-away one is inactive and so loses its tags).
Receivers only enqueue. Connected in ``TagsConfig.ready``, after insights' receivers (apps are
readied in ``INSTALLED_APPS`` order), so with the immediate backend the predictive tags read the
fresh scores."""

from __future__ import annotations

from typing import Any

from toolcrm.tags.tasks import refresh_customer_tags, refresh_customers_tags


def retag_customer(*, customer_id: int, **kwargs: Any) -> None:
    """A committed sale or return of one customer."""
    refresh_customer_tags.enqueue(customer_id)


def retag_customers(*, customer_ids: list[int], **kwargs: Any) -> None:
    """A committed batch of orders, or a merge (or its undo): one task for all the customers."""
    if customer_ids:
        refresh_customers_tags.enqueue(list(customer_ids))
