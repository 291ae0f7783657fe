"""Reads of stored insights for the pages that show them."""

from __future__ import annotations

from toolcrm.customers.models import Customer
from toolcrm.insights.models import CustomerScore


def score_for(*, customer: Customer) -> CustomerScore | None:
    """The customer's stored score, or ``None`` before the first nightly run (or without a
    purchase). ``customer`` must come from a scoped selector such as ``get_customer_for``."""
    return CustomerScore.objects.filter(customer=customer).first()
