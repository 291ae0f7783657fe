"""Reads of stored insights for the pages that show them and for other apps (the marketing
journeys trigger on ``overdue_category_cycles``; the tags app reads ``CustomerScore``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import QuerySet

from toolcrm.customers.models import Customer
from toolcrm.insights.models import CategoryCycle, ChurnModel, CustomerScore


def score_for(*, customer: Customer) -> CustomerScore | None:
    """The customer's stored score, or ``None`` before the first nightly run (or without a
    purchase). ``customer`` must come from a scoped selector such as ``get_customer_for``."""
    return CustomerScore.objects.filter(customer=customer).first()


def overdue_category_cycles(
    *,
    customers: QuerySet[Customer] | None = None,
    category_ids: Sequence[int] | None = None,
    overdue_since: date | None = None,
) -> QuerySet[CategoryCycle]:
    """Overdue per-category repurchase cycles, most overdue first, with customer and category.

    ``customers``: restrict to these (pass a scoped queryset, e.g. ``customers_for(user)``, for
    anything a user sees; a journey running for the whole chain passes ``None``).
    ``category_ids``: only these cycle categories. ``overdue_since``: only cycles whose next
    purchase was due on or before this day (e.g. "overdue for at least a week").
    """
    cycles = CategoryCycle.objects.filter(is_overdue=True)
    if customers is not None:
        cycles = cycles.filter(customer__in=customers)
    if category_ids is not None:
        cycles = cycles.filter(category_id__in=list(category_ids))
    if overdue_since is not None:
        cycles = cycles.filter(next_due_on__lte=overdue_since)
    return cycles.select_related("customer", "category").order_by("next_due_on", "pk")


def churn_models() -> QuerySet[ChurnModel]:
    """Every stored version, newest first, without the model bytes."""
    return ChurnModel.objects.defer("model_blob").order_by("-version")
