"""What counts as a purchase, shared by scores, category cycles and the churn features."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from toolcrm.sales.choices import OrderStatus
from toolcrm.sales.models import Order


def purchasing_orders(customer_ids: Sequence[int] | None) -> QuerySet[Order]:
    """Orders that count as purchases: a known, active customer; not cancelled or fully
    returned."""
    orders = Order.objects.filter(customer__isnull=False, customer__is_active=True).exclude(
        status__in=[OrderStatus.CANCELLED, OrderStatus.RETURNED]
    )
    if customer_ids is not None:
        orders = orders.filter(customer_id__in=list(customer_ids))
    return orders
