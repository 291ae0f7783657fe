"""Database settings of the app's connections and of the nightly batches."""

from __future__ import annotations

import pytest
from django.db import connection

from toolcrm.core.db import batch_statements


def _show(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_batches_get_more_memory_only_inside_their_transaction(settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL settings")
    settings.BATCH_WORK_MEM = "96MB"
    assert _show("jit") == "off"  # the app's connections (DB_JIT defaults to off)
    before = _show("work_mem")

    with batch_statements():
        assert _show("work_mem") == "96MB"
        assert _show("jit") == "off"

    assert _show("work_mem") == before


@pytest.mark.django_db
def test_batch_statements_is_a_transaction_elsewhere_too():
    with batch_statements():
        assert connection.in_atomic_block
