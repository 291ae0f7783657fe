"""``{% loyalty_panel customer %}``: the loyalty card of the 360 page, with its own queries."""

from __future__ import annotations

from typing import Any

from django import template

from toolcrm.core.roles import Capability, has_capability
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.loyalty import selectors
from toolcrm.loyalty.conf import loyalty_settings
from toolcrm.loyalty.forms import IssueCouponForm

register = template.Library()


def panel_context(user: Any, customer: Customer) -> dict[str, Any]:
    can_issue = has_capability(user, Capability.ISSUE_COUPONS)
    summary = selectors.loyalty_summary(customer=customer)
    context: dict[str, Any] = {
        "customer": customer,
        "summary": summary,
        "can_redeem": has_capability(user, Capability.REDEEM_COUPONS),
        "can_issue": can_issue,
        "can_edit": has_capability(user, Capability.EDIT_CUSTOMERS),
        "points_step": loyalty_settings().points_per_cny_redeemed,
    }
    if can_issue:
        context["issue_form"] = IssueCouponForm(templates=selectors.issuable_templates())
        if not customer.is_company:
            context["companies"] = list(
                selectors.company_choices(visible=customers_visible_to(user))[:50]
            )
    return context


@register.inclusion_tag("loyalty/partials/panel.html", takes_context=True)
def loyalty_panel(context: dict[str, Any], customer: Customer) -> dict[str, Any]:
    request = context["request"]
    result = panel_context(request.user, customer)
    result["csrf_token"] = context.get("csrf_token")
    return result
