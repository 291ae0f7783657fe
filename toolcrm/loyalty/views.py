"""Loyalty pages: the 360 panel and its actions (HTMX), the coupon counter, the ledger page per
customer and the programme settings. Views parse, call one service or selector and render;
customers come only through ``get_customer_for`` (404 outside the user's scope)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from toolcrm.core.forms import add_service_errors
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to, get_customer_for
from toolcrm.loyalty import selectors
from toolcrm.loyalty.conf import loyalty_settings
from toolcrm.loyalty.forms import (
    AdjustPointsForm,
    CouponRedeemForm,
    CouponTemplateForm,
    IssueCouponForm,
    PoolForm,
    RedeemPointsForm,
    ReferrerForm,
    TierBenefitForm,
)
from toolcrm.loyalty.models import CouponTemplate, TierBenefit
from toolcrm.loyalty.services import coupons, points, programme
from toolcrm.loyalty.services.configuration import (
    open_account,
    save_coupon_template,
    save_tier_benefit,
)
from toolcrm.loyalty.templatetags.loyalty_tags import panel_context

PAGE_SIZE = 25


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _panel(
    request: HttpRequest, customer: Customer, *, status: int = 200, **extra: Any
) -> HttpResponse:
    context = panel_context(request.user, customer)
    context.update(extra)
    return render(request, "loyalty/partials/panel.html", context, status=status)


def _form_errors(form: BaseForm) -> list[str]:
    return [str(message) for errors in form.errors.values() for message in errors]


@login_required
@require_GET
def panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    require_capability(request.user, Capability.VIEW_CUSTOMERS)
    return _panel(request, get_customer_for(user=request.user, customer_id=customer_id))


def _panel_action(
    request: HttpRequest,
    customer_id: int,
    *,
    capability: Capability,
    form: BaseForm,
    act: Callable[[Customer, dict[str, Any]], str],
    not_found: str | None = None,
) -> HttpResponse:
    """The shape of every action of the 360 panel: the capability, the customer within the
    user's scope (404 otherwise), the form, then the service; the panel answers with the
    service's message, or with the errors and 400 (404 with ``not_found`` when the service
    finds no such thing, e.g. an unknown coupon code). Nothing is written on an error."""
    require_capability(request.user, capability)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    if not form.is_valid():
        return _panel(request, customer, status=400, panel_errors=_form_errors(form))
    try:
        message = act(customer, form.cleaned_data)
    except Http404:
        if not_found is None:
            raise
        return _panel(request, customer, status=404, panel_errors=[not_found])
    except ValidationError as error:
        return _panel(request, customer, status=400, panel_errors=_errors(error))
    return _panel(request, customer, panel_message=message)


@login_required
@require_POST
def issue_coupon(request: HttpRequest, customer_id: int) -> HttpResponse:
    def act(customer: Customer, data: dict[str, Any]) -> str:
        coupon = coupons.issue_coupon(
            user=request.user, template=data["template"], customer=customer, note=data["note"]
        )
        return _("已发放优惠券 %(code)s。") % {"code": coupon.display_code}

    form = IssueCouponForm(request.POST, templates=selectors.issuable_templates())
    return _panel_action(
        request, customer_id, capability=Capability.ISSUE_COUPONS, form=form, act=act
    )


@login_required
@require_POST
def redeem_points(request: HttpRequest, customer_id: int) -> HttpResponse:
    def act(customer: Customer, data: dict[str, Any]) -> str:
        result = points.redeem_points(
            user=request.user, customer=customer, points=data["points"], reference=data["reference"]
        )
        return _("已抵扣 %(points)s 积分，折合 ¥%(value)s。") % {
            "points": -result.entry.points,
            "value": result.value,
        }

    form = RedeemPointsForm(request.POST)
    return _panel_action(
        request, customer_id, capability=Capability.REDEEM_COUPONS, form=form, act=act
    )


@login_required
@require_POST
def adjust_points(request: HttpRequest, customer_id: int) -> HttpResponse:
    require_capability(request.user, Capability.ISSUE_COUPONS)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    form = AdjustPointsForm(request.POST)
    if form.is_valid():
        try:
            points.adjust_points(
                user=request.user,
                customer=customer,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("积分已调整。"))
            return redirect("loyalty:ledger", customer_id=customer.pk)
    for message in _form_errors(form):
        messages.error(request, message)
    return redirect("loyalty:ledger", customer_id=customer.pk)


@login_required
@require_POST
def open_member_account(request: HttpRequest, customer_id: int) -> HttpResponse:
    require_capability(request.user, Capability.REDEEM_COUPONS)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    open_account(user=request.user, customer=customer)
    return _panel(request, customer, panel_message=_("会员账户已开通。"))


@login_required
@require_POST
def set_referrer(request: HttpRequest, customer_id: int) -> HttpResponse:
    def act(customer: Customer, data: dict[str, Any]) -> str:
        programme.set_referrer(user=request.user, customer=customer, code=data["code"])
        return _("已登记推荐人。")

    form = ReferrerForm(request.POST)
    return _panel_action(
        request, customer_id, capability=Capability.EDIT_CUSTOMERS, form=form, act=act
    )


@login_required
@require_POST
def set_pool(request: HttpRequest, customer_id: int) -> HttpResponse:
    def act(customer: Customer, data: dict[str, Any]) -> str:
        company = None
        if data["company"]:
            company = customers_visible_to(request.user).filter(pk=data["company"]).first()
            if company is None:
                raise ValidationError(_("企业账户不存在或不在您的权限范围内。"))
        programme.set_pool(user=request.user, member=customer, company=company)
        if company is None:
            return _("已取消积分归集。")
        return _("此后的积分将归集到 %(name)s。") % {"name": company.name}

    form = PoolForm(request.POST)
    return _panel_action(
        request, customer_id, capability=Capability.ISSUE_COUPONS, form=form, act=act
    )


@login_required
@require_POST
def redeem_coupon_in_panel(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Redeem from the 360 panel: the coupon must be this customer's; answers the panel."""

    def act(customer: Customer, data: dict[str, Any]) -> str:
        result = coupons.redeem_coupon(
            user=request.user,
            code=data["code"],
            amount=data["amount"],
            lines=data["lines"],
            customer_id=customer.pk,
            order_reference=data["order_reference"],
        )
        return _("券 %(code)s 已核销，抵扣 ¥%(discount)s。") % {
            "code": result.coupon.display_code,
            "discount": f"{result.discount:,.2f}",
        }

    form = CouponRedeemForm(request.POST)
    return _panel_action(
        request,
        customer_id,
        capability=Capability.REDEEM_COUPONS,
        form=form,
        act=act,
        not_found=_("券码不存在。"),
    )


@login_required
def counter(request: HttpRequest) -> HttpResponse:
    """Coupon redemption at the counter: check shows the discount or each failing rule;
    redeem marks the coupon used (once)."""
    require_capability(request.user, Capability.REDEEM_COUPONS)
    is_htmx = bool(getattr(request, "htmx", False))
    if request.method != "POST":
        initial = {"customer_id": request.GET.get("customer") or None}
        return render(request, "loyalty/counter.html", {"form": CouponRedeemForm(initial=initial)})
    form = CouponRedeemForm(request.POST)
    context: dict[str, Any] = {"form": form}
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        arguments = {
            "user": request.user,
            "code": data["code"],
            "amount": data["amount"],
            "lines": data["lines"],
            "customer_id": data["customer_id"],
        }
        try:
            if request.POST.get("action") == "redeem":
                context["redeemed"] = coupons.redeem_coupon(
                    **arguments, order_reference=data["order_reference"]
                )
            else:
                context["check"] = coupons.check_coupon(**arguments)
        except Http404:
            context["failures"] = [_("券码不存在。")]
            status = 404
        except ValidationError as error:
            context["failures"] = _errors(error)
            status = 400
    else:
        context["failures"] = _form_errors(form)
        status = 400
    if is_htmx:
        return render(request, "loyalty/partials/redeem_result.html", context, status=status)
    return render(request, "loyalty/counter.html", context, status=status)


@login_required
@require_GET
def ledger_page(request: HttpRequest, customer_id: int) -> HttpResponse:
    require_capability(request.user, Capability.VIEW_CUSTOMERS)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    page = Paginator(selectors.ledger(customer=customer), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "customer": customer,
        "summary": selectors.loyalty_summary(customer=customer),
        "page_obj": page,
        "entries": page.object_list,
        "coupons": list(selectors.customer_coupons(customer=customer)[:50]),
        "tier_changes": list(selectors.tier_history(customer=customer)[:20]),
        "adjust_form": AdjustPointsForm(),
    }
    return render(request, "loyalty/ledger.html", context)


@login_required
@require_GET
def programme_settings(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_LOYALTY)
    context = {
        "benefits": selectors.tier_benefits(),
        "templates": list(selectors.all_templates()),
        "thresholds": loyalty_settings().tier_thresholds,
    }
    return render(request, "loyalty/settings.html", context)


@login_required
def benefit_edit(request: HttpRequest, tier: str) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_LOYALTY)
    benefit = get_object_or_404(TierBenefit, tier=tier)
    form = TierBenefitForm(request.POST or None, instance=benefit)
    if request.method == "POST" and form.is_valid():
        try:
            save_tier_benefit(user=request.user, benefit=benefit, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("等级权益已保存。"))
            return redirect("loyalty:settings")
    return render(request, "loyalty/benefit_form.html", {"form": form, "benefit": benefit})


@login_required
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_LOYALTY)
    template = get_object_or_404(CouponTemplate, pk=template_id) if template_id else None
    form = CouponTemplateForm(request.POST or None, instance=template)
    if request.method == "POST" and form.is_valid():
        try:
            save_coupon_template(user=request.user, template=template, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("券模板已保存。"))
            return redirect("loyalty:settings")
    return render(request, "loyalty/template_form.html", {"form": form, "template": template})
