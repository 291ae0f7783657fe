"""The recommendation panel of the customer 360 page: ``{% recommendation_panel customer %}``.

An inclusion tag that does its own queries (the list, and the customer's current consents for
the send buttons), so the 360 view does not need to know about recommendations."""

from __future__ import annotations

from typing import Any

from django import template

from toolcrm.core.roles import Capability, has_capability
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import marketing_channels
from toolcrm.recommendations.choices import SendChannel
from toolcrm.recommendations.selectors import recommendation_list

register = template.Library()


@register.inclusion_tag("recommendations/partials/panel.html", takes_context=True)
def recommendation_panel(context: dict[str, Any], customer: Customer) -> dict[str, Any]:
    """``customer`` must come from ``get_customer_for`` (the 360 view): it is not re-checked."""
    request = context["request"]
    user = request.user
    recommendations = recommendation_list(user=user, customer=customer)
    can_send = has_capability(user, Capability.RECORD_INTERACTION)
    channels = []
    if can_send and recommendations.items:
        consented = marketing_channels(customer=customer)
        for channel in SendChannel:
            channels.append(
                {
                    "value": channel.value,
                    "label": channel.label,
                    "has_consent": channel.value in consented,
                }
            )
    return {
        "customer": customer,
        "recommendations": recommendations,
        "can_send": can_send,
        "channels": channels,
        "csrf_token": context.get("csrf_token"),
    }
