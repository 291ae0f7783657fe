"""Pages of tool rental and trial loans: the fleet of the user's stores, the lend form (with a
customer search that HTMX swaps in), one agreement with its return / extend / convert / cancel /
settle actions, the overdue list, and a unit's status change. Every page needs
``Capability.MANAGE_RENTALS`` (403 without it); rows outside the user's scope answer 404.
Views parse, call one service or selector, and render or redirect."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from toolcrm.core.forms import add_service_errors
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.selectors import search_customers
from toolcrm.rentals import selectors, services
from toolcrm.rentals.choices import UnitCondition, UnitStatus
from toolcrm.rentals.conf import rules
from toolcrm.rentals.forms import (
    AddUnitForm,
    CancelForm,
    ExtendForm,
    LendForm,
    ReturnForm,
    UnitStatusForm,
)
from toolcrm.sales.choices import PaymentMethod

PAGE_SIZE = 50


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
@require_GET
def fleet(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_RENTALS)
    store_id = _int_or_none(request.GET.get("store"))
    product_id = _int_or_none(request.GET.get("product"))
    status = request.GET.get("status", "")
    if status not in UnitStatus.values:
        status = ""
    units = selectors.fleet(
        user=request.user, store_id=store_id, status=status, product_id=product_id
    )
    page_obj = Paginator(units, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"store": store_id or "", "status": status, "product": product_id or ""}
    context = {
        "page_obj": page_obj,
        "units": page_obj.object_list,
        "stores": selectors.store_choices(user=request.user),
        "products": selectors.fleet_products(user=request.user),
        "statuses": UnitStatus.choices,
        "filters": filters,
        "query_string": urlencode({k: v for k, v in filters.items() if v}),
        "status_form": UnitStatusForm(),
    }
    return render(request, "rentals/fleet.html", context)


def _unit_choices(user: Any) -> list[tuple[int, str]]:
    rr = rules()  # read the settings once, not once per unit
    return [
        (
            unit.pk,
            _("%(tag)s · %(brand)s %(name)s · %(store)s · 日租 ¥%(rate)s · 最低押金 ¥%(deposit)s")
            % {
                "tag": unit.asset_tag,
                "brand": unit.product.brand.name,
                "name": unit.product.name,
                "store": unit.home_store.name,
                "rate": f"{services.daily_rate_for(unit.product, rental_rules=rr):,.2f}",
                "deposit": f"{services.minimum_deposit_for(unit.product, rental_rules=rr):,.2f}",
            },
        )
        for unit in selectors.lendable_units(user=user)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def lend(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_RENTALS)
    choices = _unit_choices(request.user)
    customer = None
    if request.method == "POST":
        form = LendForm(request.POST, unit_choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                agreement = services.lend(
                    user=request.user,
                    customer_id=data["customer_id"],
                    unit_id=data["unit_id"],
                    due_on=data["due_on"],
                    deposit_amount=data["deposit_amount"],
                    deposit_method=data["deposit_method"],
                    kind=data["kind"],
                    note=data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("已出借，租借单 %(number)s。") % {"number": agreement.number},
                )
                return redirect(agreement)
        customer_id = _int_or_none(request.POST.get("customer_id"))
        if customer_id:
            customer = selectors.find_customer(user=request.user, customer_id=customer_id)
        status = 400
    else:
        initial = {"unit_id": _int_or_none(request.GET.get("unit"))}
        customer_id = _int_or_none(request.GET.get("customer"))
        if customer_id:
            customer = selectors.find_customer(user=request.user, customer_id=customer_id)
            if customer is not None:
                initial["customer_id"] = customer.pk
        form = LendForm(initial=initial, unit_choices=choices)
        status = 200
    context = {"form": form, "customer": customer, "has_units": bool(choices)}
    return render(request, "rentals/lend.html", context, status=status)


@login_required
@require_GET
def customer_picker(request: HttpRequest) -> HttpResponse:
    """HTMX: the customers matching the lend form's search box, as radio buttons."""
    require_capability(request.user, Capability.MANAGE_RENTALS)
    result = search_customers(user=request.user, query=request.GET.get("q", ""))
    return render(request, "rentals/partials/customer_picker.html", {"result": result})


def _agreement_context(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    agreement = selectors.get_agreement_for(user=request.user, agreement_id=agreement_id)
    today = timezone.localdate()
    context: dict[str, Any] = {
        "agreement": agreement,
        "can_act": selectors.can_act_on(user=request.user, agreement=agreement),
        "days_overdue": selectors.days_overdue(agreement, today=today),
    }
    if agreement.is_outstanding:
        charges = services.charges_if_closed_on(agreement, today)
        product = agreement.unit.product
        credit = services.conversion_credit(
            rental_charge=charges.rental_charge, list_price=product.price
        )
        context.update(
            {
                "preview": charges,
                "conversion_credit": credit,
                "conversion_total": product.price - credit,
                "return_form": ReturnForm(initial={"condition": agreement.unit.condition}),
                "extend_form": ExtendForm(),
                "cancel_form": CancelForm(),
                "can_cancel": timezone.localdate(agreement.started_at) == today,
                "conditions": UnitCondition.choices,
                "payment_methods": PaymentMethod.choices,
            }
        )
    return context


@login_required
@require_GET
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_RENTALS)
    return render(request, "rentals/agreement.html", _agreement_context(request, agreement_id))


def _act(request: HttpRequest, agreement_id: int, action: Any, success: str) -> HttpResponse:
    """Run one agreement action; a rejected one is shown as a message, nothing is written."""
    require_capability(request.user, Capability.MANAGE_RENTALS)
    agreement = selectors.get_agreement_for(user=request.user, agreement_id=agreement_id)
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect(agreement)


def _form_error(request: HttpRequest, agreement_id: int, form: Any) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_RENTALS)
    agreement = selectors.get_agreement_for(user=request.user, agreement_id=agreement_id)
    errors = [str(m) for field_errors in form.errors.values() for m in field_errors]
    messages.error(request, " ".join(errors))
    return redirect(agreement)


@login_required
@require_POST
def agreement_return(request: HttpRequest, agreement_id: int) -> HttpResponse:
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _form_error(request, agreement_id, form)
    data = form.cleaned_data
    return _act(
        request,
        agreement_id,
        lambda: services.return_unit(
            user=request.user,
            agreement_id=agreement_id,
            condition=data["condition"],
            damage_charge=data["damage_charge"],
        ),
        _("已归还。"),
    )


@login_required
@require_POST
def agreement_extend(request: HttpRequest, agreement_id: int) -> HttpResponse:
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _form_error(request, agreement_id, form)
    return _act(
        request,
        agreement_id,
        lambda: services.extend(
            user=request.user, agreement_id=agreement_id, due_on=form.cleaned_data["due_on"]
        ),
        _("已续借。"),
    )


@login_required
@require_POST
def agreement_convert(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _act(
        request,
        agreement_id,
        lambda: services.convert_to_purchase(
            user=request.user,
            agreement_id=agreement_id,
            payment_method=request.POST.get("payment_method", ""),
        ),
        _("已转为购买并生成订单。"),
    )


@login_required
@require_POST
def agreement_cancel(request: HttpRequest, agreement_id: int) -> HttpResponse:
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _form_error(request, agreement_id, form)
    return _act(
        request,
        agreement_id,
        lambda: services.cancel(
            user=request.user, agreement_id=agreement_id, reason=form.cleaned_data["reason"]
        ),
        _("已取消，押金全额退还。"),
    )


@login_required
@require_POST
def agreement_settle(request: HttpRequest, agreement_id: int) -> HttpResponse:
    return _act(
        request,
        agreement_id,
        lambda: services.settle_balance(user=request.user, agreement_id=agreement_id),
        _("欠款已结清。"),
    )


@login_required
@require_POST
def unit_status(request: HttpRequest, unit_id: int) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_RENTALS)
    unit = selectors.get_unit_for(user=request.user, unit_id=unit_id)
    form = UnitStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择状态。"))
    else:
        try:
            services.set_unit_status(
                user=request.user, unit_id=unit.pk, status=form.cleaned_data["status"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(tag)s 状态已更新。") % {"tag": unit.asset_tag})
    return redirect("rentals:fleet")


@login_required
@require_http_methods(["GET", "POST"])
def unit_add(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_RENTALS)
    stores = [(store.pk, store.name) for store in selectors.store_choices(user=request.user)]
    status = 200
    if request.method == "POST":
        form = AddUnitForm(request.POST, store_choices=stores)
        if form.is_valid():
            try:
                unit = services.add_unit(user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(tag)s 已加入租赁工具。") % {"tag": unit.asset_tag})
                return redirect(f"{reverse('rentals:fleet')}?store={unit.home_store_id}")
        status = 400
    else:
        form = AddUnitForm(store_choices=stores, initial={"condition": UnitCondition.NEW})
    return render(request, "rentals/unit_add.html", {"form": form}, status=status)


@login_required
@require_GET
def overdue(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_RENTALS)
    store_id = _int_or_none(request.GET.get("store"))
    rows = selectors.overdue_agreements(user=request.user, store_id=store_id)
    return _loan_list(request, rows, store_id=store_id, active="overdue")


@login_required
@require_GET
def loans(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_RENTALS)
    store_id = _int_or_none(request.GET.get("store"))
    rows = selectors.store_loans(user=request.user, store_id=store_id)
    return _loan_list(request, rows, store_id=store_id, active="loans")


def _loan_list(
    request: HttpRequest, rows: Any, *, store_id: int | None, active: str
) -> HttpResponse:
    page_obj = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    items = [(a, selectors.days_overdue(a, today=today)) for a in page_obj.object_list]
    context = {
        "page_obj": page_obj,
        "items": items,
        "stores": selectors.store_choices(user=request.user),
        "store_id": store_id or "",
        "query_string": urlencode({"store": store_id}) if store_id else "",
        "active": active,
    }
    return render(request, "rentals/loans.html", context)
