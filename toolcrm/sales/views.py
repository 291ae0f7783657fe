"""The order list page: every order the user may see, filtered by date range, store, channel,
status, customer and amount, paginated; the export buttons download exactly these rows
(``integrations.export_views.order_export``). Thin: parse the filters, call one selector.

The order page (``/orders/<id>/``) shows one visible order with its lines, serial numbers,
payments and returns, and the 退货 form, which posts to ``services.record_return``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from toolcrm.core.roles import Capability, has_capability, require_capability
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.sales import selectors
from toolcrm.sales.choices import OrderStatus
from toolcrm.sales.forms import OrderFilterForm, ReturnForm
from toolcrm.sales.models import Order
from toolcrm.sales.services import record_return

PAGE_SIZE = 50


@login_required
@require_GET
def order_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW_SALES)
    form = OrderFilterForm(request.GET, user=request.user)
    form.is_valid()  # errors are shown beside their field; the fields that parsed still filter
    orders = selectors.order_list(user=request.user, filters=form.filters(), with_line_count=True)
    page_obj = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page_obj.object_list)
    # A store manager sees an order sold in their store to another store's customer, but not
    # that customer's 360 page: link only the customers the user may open (one query a page).
    linkable = set(
        customers_visible_to(request.user)
        .filter(pk__in={order.customer_id for order in rows if order.customer_id})
        .values_list("pk", flat=True)
    )
    query_string = form.query_string()
    context = {
        "form": form,
        "page_obj": page_obj,
        "orders": rows,
        "linkable_customer_ids": linkable,
        "query_string": query_string,
        "has_filters": bool(query_string),
    }
    return render(request, "sales/order_list.html", context)


def _detail_context(request: HttpRequest, order: Order, form: ReturnForm | None) -> dict[str, Any]:
    returnable = selectors.returnable_lines(order)
    returned = {item.line.pk: item.returned for item in returnable}
    refunded = selectors.refunded_total(order)
    can_return = (
        has_capability(request.user, Capability.CREATE_ORDERS)
        and order.status != OrderStatus.CANCELLED
        and any(item.returnable for item in returnable)
    )
    if can_return and form is None:
        form = ReturnForm(returnable=returnable)
    customer_linkable = (
        order.customer_id is not None
        and customers_visible_to(request.user).filter(pk=order.customer_id).exists()
    )
    return {
        "order": order,
        "lines": [(line, returned.get(line.pk, 0)) for line in order.lines.all()],
        "returns": selectors.order_returns(order),
        "refunded": refunded,
        "refundable": selectors.refundable_amount(order, refunded),
        "form": form if can_return else None,
        "customer_linkable": customer_linkable,
    }


@login_required
@require_GET
def order_detail(request: HttpRequest, order_id: int) -> HttpResponse:
    require_capability(request.user, Capability.VIEW_SALES)
    order = selectors.get_order_for(user=request.user, order_id=order_id)
    return render(request, "sales/order_detail.html", _detail_context(request, order, None))


@login_required
@require_POST
def order_return(request: HttpRequest, order_id: int) -> HttpResponse:
    """The 退货 form: record the return and go back to the order, or show the form again with
    the errors beside their fields (status 400, nothing written)."""
    require_capability(request.user, Capability.VIEW_SALES)
    order = selectors.get_order_for(user=request.user, order_id=order_id)
    require_capability(request.user, Capability.CREATE_ORDERS)
    form = ReturnForm(request.POST, returnable=selectors.returnable_lines(order))
    if form.is_valid():
        try:
            record = record_return(
                user=request.user,
                order_id=order.pk,
                lines=form.return_lines(),
                reason=form.cleaned_data["reason"],
                refund_amount=form.cleaned_data["refund_amount"],
                serials=form.cleaned_data.get("serials") or (),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(
                request,
                _("已登记退货，退款 %(amount)s 元。") % {"amount": record.refund_amount},
            )
            return redirect(reverse("sales:order_detail", args=[order.pk]))
    context = _detail_context(request, order, form)
    return render(request, "sales/order_detail.html", context, status=400)


@login_required
@require_GET
def return_quote(request: HttpRequest, order_id: int) -> HttpResponse:
    """HTMX: the refund the 退货 form's quantities come to (the returned units' paid value, at
    most what the order has not refunded), shown beside the refund field as the form changes."""
    require_capability(request.user, Capability.VIEW_SALES)
    order = selectors.get_order_for(user=request.user, order_id=order_id)
    require_capability(request.user, Capability.CREATE_ORDERS)
    value = Decimal("0.00")
    for item in selectors.returnable_lines(order):
        try:
            quantity = int(request.GET.get(ReturnForm.line_field(item.line.pk)) or 0)
        except ValueError:
            quantity = 0
        if 0 < quantity <= item.returnable:
            value += item.value_of(quantity)
    refundable = selectors.refundable_amount(order)
    context = {"value": min(value, refundable), "refundable": refundable}
    return render(request, "sales/partials/return_quote.html", context)
