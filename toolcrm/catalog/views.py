"""Catalog pages: product list with search and category filter, and stock by store."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from toolcrm.catalog import selectors
from toolcrm.catalog.models import Category
from toolcrm.core.roles import Capability, has_capability

PAGE_SIZE = 30


@login_required
@require_GET
def product_list(request: HttpRequest) -> HttpResponse:
    if not has_capability(request.user, Capability.VIEW_CATALOG):
        raise PermissionDenied(Capability.VIEW_CATALOG.value)
    query = request.GET.get("q", "").strip()
    category = request.GET.get("category", "")
    products = selectors.product_list(query=query, category=category or None)
    page_obj = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    params = "&".join(f"{k}={v}" for k, v in (("q", query), ("category", category)) if v)
    return render(
        request,
        "catalog/list.html",
        {
            "page_obj": page_obj,
            "products": page_obj.object_list,
            "query": query,
            "category": category,
            "categories": Category.objects.filter(parent__isnull=True).order_by("code"),
            "query_string": params,
        },
    )
