"""What the loyalty app does when sales or a merge report something: it only enqueues work.

A committed order (``sales.signals.order_recorded``, sent after commit) queues
``process_order``: upgrade, points, referral reward. A committed return
(``sales.signals.return_recorded``) queues ``reverse_points_for_order`` for its order (the daily
``reverse_points_for_returns`` sweep stays as a safety net). A committed merge or undo
(``customers.signals.customers_merged``) queues ``sync_merges`` for both customers, which moves
points, coupons and tier history with the merge or back with its undo. Connected in
``LoyaltyConfig.ready``.
"""

from __future__ import annotations

from typing import Any

from toolcrm.loyalty.tasks import (
    process_order,
    process_orders,
    reverse_points_for_order,
    sync_merges,
)

BATCH_SIZE = 1000


def loyalty_after_sale(*, order_id: int, **kwargs: Any) -> None:
    process_order.enqueue(order_id)


def loyalty_after_batch(*, order_ids: list[int], **kwargs: Any) -> None:
    for start in range(0, len(order_ids), BATCH_SIZE):
        process_orders.enqueue(list(order_ids[start : start + BATCH_SIZE]))


def loyalty_after_return(*, order_id: int, **kwargs: Any) -> None:
    reverse_points_for_order.enqueue(order_id)


def loyalty_after_merge(*, customer_ids: list[int], **kwargs: Any) -> None:
    sync_merges.enqueue(list(customer_ids))
