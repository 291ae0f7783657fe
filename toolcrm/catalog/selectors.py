"""Reads of the catalog for the product pages and the API.

The catalog is the same for every store, so these reads are not store-scoped; whether a user may
read it at all is ``Capability.VIEW_CATALOG``, checked by the caller. Lists come with brand and
category joined so that a page of products is one query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404

from toolcrm.catalog.models import Brand, Category, Product
from toolcrm.core.pii import to_halfwidth
from toolcrm.core.scoping import ALL_STORES, store_ids_for


def product_list(
    *, query: str = "", category: str | None = None, brand: str | None = None
) -> QuerySet[Product]:
    """Products on sale, optionally narrowed by a free-text query (SKU or barcode prefix, or part
    of the name), a category code (the category itself or its direct children) and a brand
    (Chinese or English name)."""
    queryset = Product.objects.filter(is_active=True).select_related("brand", "category")
    text = to_halfwidth(query or "").strip()
    if text:
        queryset = queryset.filter(
            Q(sku__istartswith=text) | Q(barcode=text) | Q(name__icontains=text)
        )
    if category:
        queryset = queryset.filter(Q(category__code=category) | Q(category__parent__code=category))
    if brand:
        queryset = queryset.filter(Q(brand__name=brand) | Q(brand__name_en__iexact=brand))
    return queryset.order_by("sku")


def get_product(*, reference: str) -> Product:
    """One product by SKU, or by numeric id when no SKU matches (POS systems send SKUs; the id is
    what the list returns). Inactive products are found too: old orders refer to them."""
    queryset = Product.objects.select_related("brand", "category")
    text = to_halfwidth(reference or "").strip()
    product = queryset.filter(sku=text).first()
    if product is None and text.isdigit():
        product = queryset.filter(pk=int(text)).first()
    if product is None:
        raise Http404("product not found")
    return product


def with_stock_for(queryset: QuerySet[Product], *, user: Any) -> QuerySet[Product]:
    """Annotate ``stock_on_hand``: units held by the stores the user sees (all stores for HQ).
    One aggregate join, so a page of products stays one query."""
    store_ids = store_ids_for(user)
    if store_ids is ALL_STORES:
        in_scope = Q()
    else:
        in_scope = Q(stock_levels__store_id__in=sorted(store_ids or ()))
    return queryset.annotate(
        stock_on_hand=Coalesce(
            Sum("stock_levels__quantity", filter=in_scope), Value(0), output_field=IntegerField()
        )
    )


def top_categories() -> QuerySet[Category]:
    return Category.objects.filter(parent__isnull=True).order_by("code")


def brands() -> QuerySet[Brand]:
    return Brand.objects.order_by("name")
