"""``{% rentals_panel customer %}``: the rentals card of the customer 360 page (open loans with
their due dates, and the latest closed ones). It runs its own queries through the rentals
selectors and renders nothing for users without ``Capability.MANAGE_RENTALS``."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from toolcrm.core.roles import Capability, has_capability
from toolcrm.customers.models import Customer
from toolcrm.rentals import selectors

register = template.Library()


@register.inclusion_tag("rentals/partials/customer_panel.html", takes_context=True)
def rentals_panel(context: dict[str, Any], customer: Customer) -> dict[str, Any]:
    user = context.get("user")
    if not has_capability(user, Capability.MANAGE_RENTALS):
        return {"is_visible": False}
    rentals = selectors.customer_rentals(user=user, customer=customer)
    today = timezone.localdate()
    return {
        "is_visible": True,
        "customer": customer,
        "outstanding": [(a, selectors.days_overdue(a, today=today)) for a in rentals.outstanding],
        "history": rentals.history,
        "history_count": rentals.history_count,
    }
