"""Catalog pages: the product list with search, category and brand filters, and the stock held
by the stores the user sees."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from toolcrm.catalog import selectors
from toolcrm.core.roles import Capability, has_capability

PAGE_SIZE = 30


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    if not has_capability(request.user, Capability.VIEW_CATALOG):
        raise PermissionDenied(Capability.VIEW_CATALOG.value)
    query = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    brand = request.GET.get("brand", "")
    products = selectors.with_stock_for(
        selectors.product_list(query=query, category=category or None, brand=brand or None),
        user=request.user,
    )
    page_obj = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    filters = {"q": query, "category": category, "brand": brand}
    params = urlencode({key: value for key, value in filters.items() if value})
    return render(
        request,
        "catalog/list.html",
        {
            "page_obj": page_obj,
            "products": page_obj.object_list,
            "query": query,
            "category": category,
            "brand": brand,
            "categories": selectors.top_categories(),
            "brands": selectors.brands(),
            "query_string": params,
        },
    )
