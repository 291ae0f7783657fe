"""The order list page: every order the user may see, filtered by date range, store, channel,
status, customer and amount, paginated; the export buttons download exactly these rows
(``integrations.export_views.order_export``). Thin: parse the filters, call one selector."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.sales import selectors
from toolcrm.sales.forms import OrderFilterForm

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
    context = {
        "form": form,
        "page_obj": page_obj,
        "orders": rows,
        "linkable_customer_ids": linkable,
        "query_string": form.query_string(),
        "has_filters": bool(form.query_string()),
    }
    return render(request, "sales/order_list.html", context)
