"""Notifications the sales app sends to apps above it that it must not import.

``order_recorded`` is sent once an order with a known customer has been committed (never for a
replay, never inside a transaction that may still roll back), with ``order_id`` and
``customer_id``. Receivers (insights: rescoring the customer) live in the receiving app's
``receivers.py`` and must only enqueue work, never write in the sender's request.
"""

from __future__ import annotations

from django.dispatch import Signal

order_recorded = Signal()
