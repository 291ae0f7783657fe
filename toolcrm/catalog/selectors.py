"""Reads of the catalog for the product pages and the API.

The catalog is the same for every store, so these reads are not store-scoped; whether a user may
read it at all is ``Capability.VIEW_CATALOG``, checked by the caller. Lists come with brand and
category joined so that a page of products is one query.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from toolcrm.catalog.models import Product
from toolcrm.core.pii import to_halfwidth


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
