"""Workspace pages: the store's day (home), the customer 360° page and a customer's tools."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from toolcrm.core.pii import mask_id_card, mask_phone
from toolcrm.core.roles import Capability, has_capability, require_capability
from toolcrm.customers.forms import ConsentForm, InteractionForm
from toolcrm.workspace import selectors


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    day = selectors.store_day(user=request.user)
    return render(request, "workspace/home.html", {"day": day})


@login_required
@require_GET
def customer_360(request: HttpRequest, customer_id: int) -> HttpResponse:
    require_capability(request.user, Capability.VIEW_CUSTOMERS)
    profile = selectors.customer_360(user=request.user, customer_id=customer_id)
    customer = profile.customer
    user = request.user
    return render(
        request,
        "workspace/customer_360.html",
        {
            "profile": profile,
            "customer": customer,
            "phone_masked": mask_phone(customer.phone),
            "phone_secondary_masked": mask_phone(customer.phone_secondary),
            "id_card_masked": mask_id_card(customer.id_card_no),
            "can_edit": has_capability(user, Capability.EDIT_CUSTOMERS),
            "can_reveal": has_capability(user, Capability.REVEAL_PII),
            "can_interact": has_capability(user, Capability.RECORD_INTERACTION),
            "can_consent": has_capability(user, Capability.RECORD_CONSENT),
            "interaction_form": InteractionForm(),
            "consent_form": ConsentForm(),
        },
    )


@login_required
@require_GET
def customer_tools(request: HttpRequest, customer_id: int) -> HttpResponse:
    """All of a customer's registered tools, 50 a page (the 360 page shows the newest ten)."""
    require_capability(request.user, Capability.VIEW_CUSTOMERS)
    tools = selectors.owned_tool_page(
        user=request.user, customer_id=customer_id, page=request.GET.get("page")
    )
    return render(request, "workspace/customer_tools.html", {"tools": tools})
