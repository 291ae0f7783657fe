"""Database settings for the large set-based statements of the nightly jobs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection, transaction


@contextmanager
def batch_statements() -> Iterator[None]:
    """A transaction tuned for a few big aggregates over whole tables (PostgreSQL; elsewhere
    just a transaction): ``work_mem`` is ``settings.BATCH_WORK_MEM`` (default 256MB), because
    grouping a chain's order lines by order and by customer spilled to disk in dozens of batches
    with the server default. It is ``SET LOCAL``: it ends with the outermost transaction, the web
    requests never see it. (JIT, which cost these statements seconds of compiling, is off for
    every connection of the app: settings ``DB_JIT``.)"""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('work_mem', %s, true)", [settings.BATCH_WORK_MEM])
        yield
