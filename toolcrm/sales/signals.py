"""Notifications the sales app sends to apps above it that it must not import.

``order_recorded`` is sent once an order with a known customer has been committed (never for a
replay, never inside a transaction that may still roll back), with ``order_id`` and
``customer_id``. Receivers (insights: rescoring the customer) live in the receiving app's
``receivers.py`` and must only enqueue work, never write in the sender's request.

``orders_recorded_batch`` replaces it for bulk writers (the importers, the batch API): inside
``batched_order_signals()`` ``create_order`` sends no ``order_recorded``; the committed orders'
ids are collected instead and, when the block ends and its work has committed, one
``orders_recorded_batch`` is sent with ``order_ids`` and ``customer_ids`` (both sorted, without
repeats). An import chunk of 500 orders thus costs a receiver one queued task, not 500. An order
written in a savepoint that was rolled back (a rejected row) or in a transaction that was rolled
back (a dry run, a preview) is never announced. A receiver of ``order_recorded`` that must see
every order (points, tags) also connects to ``orders_recorded_batch``.

``return_recorded`` is sent once a return (``services.record_return``) of an order with a known
customer has been committed, with ``return_id``, ``order_id`` and ``customer_id``: loyalty takes
the refunded share of the points back, insights rescores and tags refreshes the customer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal

from toolcrm.sales.models import Order

order_recorded = Signal()
orders_recorded_batch = Signal()
return_recorded = Signal()


@dataclass
class OrderBatch:
    """The committed orders (with a known customer) of one batched block."""

    order_ids: set[int] = field(default_factory=set)
    customer_ids: set[int] = field(default_factory=set)

    def add(self, *, order_id: int, customer_id: int) -> None:
        self.order_ids.add(order_id)
        self.customer_ids.add(customer_id)


_current_batch: ContextVar[OrderBatch | None] = ContextVar("order_batch", default=None)


@contextmanager
def batched_order_signals() -> Iterator[OrderBatch]:
    """Collect the orders recorded inside the block and announce them in one batch signal.

    Nested blocks join the outermost one (only it sends). Exiting with an exception sends
    nothing for the block's uncommitted work; orders already committed inside it are still
    announced, so no receiver misses a committed order."""
    outer = _current_batch.get()
    if outer is not None:
        yield outer
        return
    batch = OrderBatch()
    token = _current_batch.set(batch)
    try:
        yield batch
    finally:
        _current_batch.reset(token)
        # Inside a transaction the per-order collectors run at its commit, before this one.
        transaction.on_commit(lambda: _send_batch(batch))


def announce_orders_recorded(orders: Sequence[tuple[int, int]]) -> None:
    """``announce_order_recorded`` for many (order id, customer id) pairs written together by a
    set-based writer: one commit hook instead of one per order."""
    if not orders:
        return
    batch = _current_batch.get()
    if batch is None:
        for order_id, customer_id in orders:
            announce_order_recorded(order_id=order_id, customer_id=customer_id)
        return
    pairs = list(orders)

    def collect() -> None:
        for order_id, customer_id in pairs:
            batch.add(order_id=order_id, customer_id=customer_id)

    transaction.on_commit(collect)


def _send_batch(batch: OrderBatch) -> None:
    if not batch.order_ids:
        return
    order_ids, customer_ids = sorted(batch.order_ids), sorted(batch.customer_ids)
    batch.order_ids, batch.customer_ids = set(), set()
    orders_recorded_batch.send(sender=Order, order_ids=order_ids, customer_ids=customer_ids)


def announce_order_recorded(*, order_id: int, customer_id: int) -> None:
    """Called by ``create_order`` inside its transaction: once it commits, send
    ``order_recorded`` — or, inside ``batched_order_signals()``, add the order to the batch."""
    batch = _current_batch.get()
    if batch is not None:
        transaction.on_commit(lambda: batch.add(order_id=order_id, customer_id=customer_id))
        return
    transaction.on_commit(
        lambda: order_recorded.send(sender=Order, order_id=order_id, customer_id=customer_id)
    )


def announce_return_recorded(*, return_id: int, order_id: int, customer_id: int) -> None:
    """Called by ``record_return`` inside its transaction: once it commits, send
    ``return_recorded``."""
    transaction.on_commit(
        lambda: return_recorded.send(
            sender=Order, return_id=return_id, order_id=order_id, customer_id=customer_id
        )
    )
