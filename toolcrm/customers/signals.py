"""Notifications about customers for apps that the sender may not import.

``customers_merged`` is sent after a merge or its undo has been committed (by the merge service
of the integrations app), with ``customer_ids``: the two customers whose orders changed hands.
Receivers (insights: rescoring both) live in the receiving app's ``receivers.py`` and only
enqueue work. It is declared here, below both sender and receivers, because the integrations
and insights apps sit side by side in the import layers and may not import each other.
"""

from __future__ import annotations

from django.dispatch import Signal

customers_merged = Signal()
