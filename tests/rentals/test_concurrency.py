"""Two clerks lending the same unit at the same moment on PostgreSQL: the row lock makes one
wait, and it then sees the unit lent; exactly one loan exists."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from tests.factories import CustomerFactory
from toolcrm.rentals import services
from toolcrm.rentals.models import RentalAgreement

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def test_concurrent_lends_of_one_unit_give_exactly_one_loan(clerk, unit_a, store_a):
    customers = [CustomerFactory(home_store=store_a) for _ in range(4)]
    barrier = threading.Barrier(len(customers))
    outcomes: list[str] = []

    def attempt(customer_id: int) -> None:
        try:
            barrier.wait()
            services.lend(
                user=clerk,
                customer_id=customer_id,
                unit_id=unit_a.pk,
                due_on=timezone.localdate() + timedelta(days=2),
                deposit_amount=Decimal("500.00"),
                deposit_method="cash",
            )
            outcomes.append("lent")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(c.pk,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["lent", "refused", "refused", "refused"]
    assert RentalAgreement.objects.count() == 1
