"""One small demo load (120 customers) shared by the tests of a module: loaded once inside an
outer transaction that is rolled back afterwards; each test runs in its own savepoint."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test.utils import override_settings

DEMO_CUSTOMERS = 120
DEMO_SEED = 7


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("load_demo", customers=DEMO_CUSTOMERS, seed=DEMO_SEED, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):  # type: ignore[no-untyped-def]
    """The loaded demo data, inside the test's own transaction."""
    return demo_output
