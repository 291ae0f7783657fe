"""Clerk-facing customer pages: one-box search and list, create/edit, record an interaction or a
consent, and reveal a masked value with a reason. Views parse, call one selector or service, and
render; scoping and permissions live in selectors/services and ``core.roles``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from toolcrm.core.forms import add_service_errors
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers import selectors, services
from toolcrm.customers.forms import ConsentForm, CustomerForm, InteractionForm, RevealForm

PAGE_SIZE = 25


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    """The one search box (phone / member card / name prefix) and, without a query, the list."""
    require_capability(request.user, Capability.VIEW_CUSTOMERS)
    query = request.GET.get("q", "").strip()
    context: dict[str, Any] = {"query": query}
    if query:
        result = selectors.search_customers(user=request.user, query=query)
        context.update(result=result, customers=result.customers)
    else:
        kind = request.GET.get("kind", "")
        page = Paginator(selectors.customer_list(user=request.user, kind=kind), PAGE_SIZE)
        page_obj = page.get_page(request.GET.get("page"))
        context.update(
            page_obj=page_obj,
            customers=page_obj.object_list,
            kind=kind,
            query_string=f"kind={kind}" if kind else "",
        )
    template = (
        "customers/partials/results.html"
        if getattr(request, "htmx", False)
        else "customers/list.html"
    )
    return render(request, template, context)


@login_required
def customer_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.EDIT_CUSTOMERS)
    form = CustomerForm(request.POST or None, user=request.user)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.create_customer(user=request.user, data=form.service_data())
        except services.DuplicatePhoneError as error:
            duplicate = _visible_duplicate(request, error)
            add_service_errors(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("客户已创建。"))
            return redirect(customer.get_absolute_url())
    return render(
        request, "customers/form.html", {"form": form, "duplicate": duplicate, "is_new": True}
    )


@login_required
def customer_edit(request: HttpRequest, customer_id: int) -> HttpResponse:
    require_capability(request.user, Capability.EDIT_CUSTOMERS)
    customer = selectors.get_customer_for(user=request.user, customer_id=customer_id)
    form = CustomerForm(request.POST or None, instance=customer, user=request.user)
    duplicate = None
    if request.method == "POST" and form.is_valid():
        fresh = selectors.get_customer_for(user=request.user, customer_id=customer_id)
        try:
            services.update_customer(user=request.user, customer=fresh, data=form.service_data())
        except services.DuplicatePhoneError as error:
            duplicate = _visible_duplicate(request, error)
            add_service_errors(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("客户资料已保存。"))
            return redirect(customer.get_absolute_url())
    return render(
        request,
        "customers/form.html",
        {"form": form, "customer": customer, "duplicate": duplicate, "is_new": False},
    )


def _visible_duplicate(request: HttpRequest, error: services.DuplicatePhoneError) -> Any:
    """The existing holder of the phone, only if this user may see it (else just the error)."""
    return selectors.customers_visible_to(request.user).filter(pk=error.existing.pk).first()


@login_required
@require_POST
def interaction_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    require_capability(request.user, Capability.RECORD_INTERACTION)
    customer = selectors.get_customer_for(user=request.user, customer_id=customer_id)
    form = InteractionForm(request.POST)
    if form.is_valid():
        try:
            services.record_interaction(
                user=request.user,
                customer=customer,
                kind=form.cleaned_data["kind"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("互动记录已保存。"))
            return redirect(customer.get_absolute_url() + "#timeline")
    return render(
        request,
        "customers/action_form.html",
        {"form": form, "customer": customer, "title": _("记录互动"), "status": 400},
        status=400,
    )


@login_required
@require_POST
def consent_create(request: HttpRequest, customer_id: int) -> HttpResponse:
    require_capability(request.user, Capability.RECORD_CONSENT)
    customer = selectors.get_customer_for(user=request.user, customer_id=customer_id)
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.record_consent(user=request.user, customer=customer, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("授权状态已更新。"))
            return redirect(customer.get_absolute_url() + "#consents")
    return render(
        request,
        "customers/action_form.html",
        {"form": form, "customer": customer, "title": _("记录授权")},
        status=400,
    )


@login_required
@require_POST
def reveal(request: HttpRequest, customer_id: int) -> HttpResponse:
    """HTMX: swap a masked value for the real one after a reason is given (audit-logged)."""
    require_capability(request.user, Capability.REVEAL_PII)
    customer = selectors.get_customer_for(user=request.user, customer_id=customer_id)
    form = RevealForm(request.POST)
    field_name = request.POST.get("field", "phone")
    if field_name not in services.REVEALABLE_FIELDS:
        field_name = "phone"
    context: dict[str, Any] = {
        "customer": customer,
        "form": form,
        "field_name": field_name,
        "target": "pii-id" if field_name == "id_card_no" else "pii-phone",
        "masked_value": services.masked(customer, field_name),
    }
    if form.is_valid():
        try:
            revealed = services.reveal_pii(
                user=request.user,
                customer=customer,
                field=form.cleaned_data["field"],
                reason=form.cleaned_data["reason"],
                ip=request.META.get("REMOTE_ADDR", ""),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "customers/partials/revealed.html", {"revealed": revealed})
    return render(request, "customers/partials/reveal_form.html", context, status=400)
