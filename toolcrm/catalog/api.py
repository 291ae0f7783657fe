"""The products part of the HTTP API: list and read the catalog.

The catalog is the same for every store, so these reads are not store-scoped; reading it needs
``Capability.VIEW_CATALOG``. Cost prices are not part of the API.
"""

# No ``from __future__ import annotations`` here: django-ninja builds its request models from the
# handlers' annotations at import time and needs them as real objects, not strings.

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from toolcrm.catalog.models import Product
from toolcrm.catalog.selectors import get_product, product_list
from toolcrm.core.api_errors import ErrorOut, FieldErrorsOut
from toolcrm.core.roles import Capability, require_capability

router = Router(tags=["products"])


class BrandOut(Schema):
    id: int
    name: str = Field(examples=["博世"])
    name_en: str = Field(examples=["Bosch"])


class CategoryOut(Schema):
    id: int
    code: str = Field(examples=["DRILL"])
    name: str = Field(examples=["电钻"])


class ProductOut(Schema):
    id: int = Field(examples=[17])
    sku: str = Field(examples=["BSH-GSB18V50"])
    barcode: str = Field(examples=["6936120500123"])
    name: str = Field(examples=["GSB 18V-50 冲击钻"])
    spec: str = Field(examples=["18V 无刷"])
    brand: BrandOut
    category: CategoryOut
    unit: str = Field(examples=["台"])
    price: Decimal = Field(
        description="Retail price in CNY, as a decimal string with two places.",
        examples=["899.00"],
    )
    is_power_tool: bool = Field(description="Power tools carry one serial number per unit.")
    is_consumable: bool
    warranty_months: int = Field(examples=[24])
    maintenance_interval_days: int | None = Field(examples=[180])
    is_active: bool = Field(description="On sale. Inactive products are still readable by SKU.")


class ProductFilter(Schema):
    q: str = Field(
        "",
        description="SKU or barcode prefix, or part of the name.",
        examples=["GSB"],
    )
    category: str | None = Field(
        None,
        description="Category code; includes its direct sub-categories.",
        examples=["DRILL"],
    )
    brand: str | None = Field(
        None, description="Brand name, Chinese or English.", examples=["Bosch"]
    )


@router.get(
    "/",
    response={200: list[ProductOut], 401: ErrorOut, 403: ErrorOut, 422: FieldErrorsOut},
    summary="List products on sale",
)
@paginate(LimitOffsetPagination)
def list_products(request: HttpRequest, filters: Query[ProductFilter]) -> Any:
    """Products on sale, ordered by SKU."""
    require_capability(request.user, Capability.VIEW_CATALOG)
    return product_list(query=filters.q, category=filters.category, brand=filters.brand)


@router.get(
    "/{reference}",
    response={200: ProductOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Get a product by SKU or id",
)
def get(request: HttpRequest, reference: str) -> Product:
    """`reference` is a SKU, or the numeric id when no SKU matches."""
    require_capability(request.user, Capability.VIEW_CATALOG)
    return get_product(reference=reference)
