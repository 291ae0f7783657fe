"""Recommendation pages: the mined rules (for those who look at models), one customer's list as
a printable page, and sending that list (recorded as an interaction after the consent check)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from toolcrm.core.roles import Capability, require_capability
from toolcrm.recommendations import selectors, services
from toolcrm.recommendations.choices import BasketScope, RuleLevel, SendChannel
from toolcrm.recommendations.forms import RuleFilterForm
from toolcrm.recommendations.presentation import masked_name, print_store

PAGE_SIZE = 50


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW_MODELS)
    form = RuleFilterForm(
        request.GET or None, initial={"scope": BasketScope.ORDER, "level": RuleLevel.CATEGORY}
    )
    rule_filter = form.rule_filter() if form.is_valid() else selectors.RuleFilter()
    rules = selectors.rule_list(user=request.user, rule_filter=rule_filter)
    page_obj = Paginator(rules, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "recommendations/rules.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rules": page_obj.object_list,
            "rule_filter": rule_filter,
            "is_product_level": rule_filter.level == RuleLevel.PRODUCT,
            "is_customer_scope": rule_filter.scope == BasketScope.CUSTOMER,
            "run": selectors.latest_run(),
            "query_string": query.urlencode(),
        },
        status=200 if form.is_valid() or not request.GET else 400,
    )


@login_required
@require_GET
def print_list(request: HttpRequest, customer_id: int) -> HttpResponse:
    recommendations = selectors.recommendations_for(user=request.user, customer_id=customer_id)
    customer = recommendations.customer
    return render(
        request,
        "recommendations/print.html",
        {
            "recommendations": recommendations,
            "customer_name": masked_name(customer),
            "store": print_store(request.user, customer),
            "printed_at": timezone.localtime(),
        },
    )


@login_required
@require_POST
def send_list(request: HttpRequest, customer_id: int) -> HttpResponse:
    require_capability(request.user, Capability.RECORD_INTERACTION)
    channel = request.POST.get("channel", "")
    target = reverse("workspace:customer_360", args=[customer_id]) + "#recommendations"
    try:
        services.send_recommendation_list(
            user=request.user, customer_id=customer_id, channel=channel
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(target)
    messages.success(
        request,
        _(
            "已按%(channel)s记录推荐清单的发送（见互动记录）。实际推送由营销模块负责，"
            "接入前请同时告知客户。"
        )
        % {"channel": SendChannel(channel).label},
    )
    return redirect(target)
