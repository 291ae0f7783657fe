"""Template helpers of the insight card: churn reasons in the reader's language and the
customer's overdue categories (one query, only for a scored customer)."""

from __future__ import annotations

from typing import Any

from django import template

from toolcrm.insights import churn
from toolcrm.insights.models import CategoryCycle, CustomerScore

register = template.Library()


@register.filter
def churn_reason_texts(score: CustomerScore | None) -> list[str]:
    if score is None:
        return []
    texts = (churn.reason_text(reason) for reason in score.churn_reasons or [])
    return [text for text in texts if text]


@register.simple_tag
def overdue_categories(score: CustomerScore | None) -> list[CategoryCycle]:
    """The scored customer's overdue categories; no query without a score (no purchase, no
    cycle)."""
    if score is None:
        return []
    return list(
        CategoryCycle.objects.filter(customer_id=score.customer_id, is_overdue=True)
        .select_related("category")
        .order_by("next_due_on")
    )


@register.filter
def percent(value: Any) -> str:
    """A probability as a whole percentage, never a certain-looking 0% or 100%."""
    try:
        share = float(value)
    except (TypeError, ValueError):
        return ""
    if share >= 0.995:
        return ">99%"
    if share < 0.005:
        return "<1%"
    return f"{share * 100:.0f}%"
