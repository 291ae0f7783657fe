"""Bulk writing for the generators: rows are buffered per model and written with ``bulk_create``
in batches, so memory stays bounded and no row costs its own query. Primary keys that other rows
point to are handed out in Python (``IdSequence``), which lets a generator build an order, its
lines and their serial numbers before anything is written; ``reset_sequences`` then moves the
database's own sequences past them (PostgreSQL; a no-op on SQLite)."""

from __future__ import annotations

from collections import Counter
from typing import Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured
from django.core.management.color import no_style
from django.db import connection, reset_queries
from django.db.models import Max, Model

BATCH_SIZE = 2000

M = TypeVar("M", bound=Model)


class IdSequence:
    """Primary keys for one model, continuing after the highest one in the table."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.next_id = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1

    def take(self) -> int:
        value = self.next_id
        self.next_id += 1
        return value


class Rows(Generic[M]):
    """Builds instances from positional values, Django's fast path (the one it uses for rows read
    from the database): about half the cost of keyword arguments, which matters for millions of
    order lines. ``columns`` names the model's concrete fields in order, so a changed model fails
    here at once instead of shifting values into the wrong columns."""

    def __init__(self, model: type[M], columns: str) -> None:
        actual = [field.attname for field in model._meta.concrete_fields]
        if columns.split() != actual:
            raise ImproperlyConfigured(f"{model.__name__} columns are now {' '.join(actual)}")
        self.model = model

    def __call__(self, *values: object) -> M:
        return self.model(*values)


class BulkWriter:
    """Buffers unsaved instances per model; ``flush`` writes them in the order their models were
    first added (parents before children) and counts the rows written."""

    def __init__(self, *, buffer_limit: int = 20_000) -> None:
        self.buffer_limit = buffer_limit
        self.buffers: dict[type[Model], list[Model]] = {}
        self.counts: Counter[type[Model]] = Counter()
        self.pending = 0

    def add(self, instance: Model) -> None:
        self.buffers.setdefault(type(instance), []).append(instance)
        self.pending += 1

    def flush_if_full(self) -> None:
        if self.pending >= self.buffer_limit:
            self.flush()

    def flush(self) -> None:
        for model, rows in self.buffers.items():
            if rows:
                model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
                self.counts[model] += len(rows)
                rows.clear()
        self.pending = 0
        # With DEBUG on, Django keeps the SQL of recent queries; a bulk insert's is huge.
        reset_queries()


def reset_sequences(models: list[type[Model]]) -> None:
    """After rows were inserted with explicit ids, point each table's id sequence past them."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
