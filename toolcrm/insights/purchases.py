"""What counts as a purchase, shared by scores, category cycles and the churn features, and the
bulk reads of purchase rows.

The bulk reads run the ORM's own SQL (so the filter and the local-date expression are exactly
those of ``purchasing_orders`` and ``TruncDate``) on a raw cursor and return plain tuples: at
hundreds of thousands of rows, the ORM's per-row converters and dict building cost more than the
query itself. PostgreSQL's driver returns dates and decimals as such; SQLite's Django functions
return ISO text and floats, converted here exactly as the ORM converters would.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet
from django.db.models.functions import TruncDate

from toolcrm.sales.choices import OrderStatus
from toolcrm.sales.models import Order, Return

FETCH_SIZE = 5000
# Orders in these states are not purchases (nor are their lines).
NOT_PURCHASES = (OrderStatus.CANCELLED, OrderStatus.RETURNED)
# What Django's SQLite converter does to an aggregate of a DecimalField (no quantize: the
# callers quantize their sums).
_sqlite_decimal = decimal.Context(prec=15).create_decimal_from_float


def purchasing_orders(customer_ids: Sequence[int] | None) -> QuerySet[Order]:
    """Orders that count as purchases: a known, active customer; not cancelled or fully
    returned."""
    orders = Order.objects.filter(customer__isnull=False, customer__is_active=True).exclude(
        status__in=NOT_PURCHASES
    )
    if customer_ids is not None:
        orders = orders.filter(customer_id__in=list(customer_ids))
    return orders


def as_date(value: Any) -> date:
    """A local date as the database returns it from ``TruncDate`` (a ``date`` on PostgreSQL,
    ISO text on SQLite)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def as_decimal(value: Any) -> decimal.Decimal:
    """A sum of money as the database returns it (``Decimal`` on PostgreSQL; an int or float on
    SQLite, converted as Django's SQLite backend converts aggregates)."""
    return value if isinstance(value, decimal.Decimal) else _sqlite_decimal(value)


def fetch(sql: str, params: Sequence[Any]) -> Iterator[tuple[Any, ...]]:
    """Stream the rows of ``sql`` from a raw cursor, in batches."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(FETCH_SIZE):
            yield from rows


def fetch_rows(rows: QuerySet[Any, tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The ORM's SQL for a ``values_list`` queryset, run on a plain cursor: tuples without the
    per-row converters (dates come back as text on SQLite: ``as_date``; money as Decimal or
    float: ``as_decimal``). A filter the ORM knows matches nothing (``pk__in=[]``) yields
    nothing, as iterating the queryset would."""
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:
        return iter(())
    return fetch(sql, params)


def purchase_orders_sql(customer_ids: Sequence[int] | None) -> tuple[str, tuple[Any, ...]]:
    """SQL (and its parameters) of the purchasing orders as ``(id, customer_id, day, total)``,
    ``day`` being the local calendar date of ``ordered_at`` in the current time zone."""
    query = (
        purchasing_orders(customer_ids)
        .annotate(day=TruncDate("ordered_at"))
        .values_list("id", "customer_id", "day", "total")
        .order_by()
        .query
    )
    return query.sql_with_params()


def net_spend_days_sql(customer_ids: Sequence[int] | None) -> tuple[str, tuple[Any, ...]]:
    """SQL of each customer's purchase days: ``(customer_id, day, spend, orders)``, spend being
    the orders' totals net of their refunds, ordered by customer and day.

    The nightly run joins the refunds summed per order once; a refresh of a few customers looks
    up the refunds of their orders only (an index probe per order)."""
    orders, params = purchase_orders_sql(customer_ids)
    returns = Return._meta.db_table
    if customer_ids is None:
        refunds = (
            f'LEFT JOIN (SELECT "order_id", SUM("refund_amount") AS amount FROM "{returns}" '
            'GROUP BY "order_id") r ON r."order_id" = o.id'
        )
        refunded = "COALESCE(r.amount, 0)"
    else:
        refunds = ""
        refunded = (
            f'COALESCE((SELECT SUM("refund_amount") FROM "{returns}" r '
            'WHERE r."order_id" = o.id), 0)'
        )
    sql = (
        f"SELECT o.customer_id, o.day, SUM(o.total - {refunded}) AS spend, COUNT(*) AS orders "
        f"FROM ({orders}) o {refunds} "
        "GROUP BY o.customer_id, o.day ORDER BY o.customer_id, o.day"
    )
    return sql, params


def purchase_day_rows(
    customer_ids: Sequence[int] | None,
) -> Iterator[tuple[int, date, decimal.Decimal, int]]:
    """Each customer's purchase days as ``(customer_id, local day, net spend, orders)``, in
    customer and day order, straight from a raw cursor."""
    sql, params = net_spend_days_sql(customer_ids)
    for customer_id, day, spend, orders in fetch(sql, params):
        yield customer_id, as_date(day), as_decimal(spend), orders
