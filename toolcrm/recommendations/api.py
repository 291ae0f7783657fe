"""The recommendations part of the HTTP API: ``GET /api/customers/{id}/recommendations``.

Same rules as the customers router: the caller needs ``Capability.VIEW_CUSTOMERS``, a customer
outside their scope is a 404, errors use the one JSON format. Reasons come in words in the
request's language (``Accept-Language``) and as a stable code with its parameters.
"""

# No ``from __future__ import annotations`` here: django-ninja reads the annotations at import.

from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from toolcrm.core.api_errors import ErrorOut, FieldErrorsOut
from toolcrm.recommendations.choices import RecommendationSource
from toolcrm.recommendations.selectors import Recommendation, recommendations_for

router = Router(tags=["recommendations"])

MAX_ITEMS = 20


class ProductOut(Schema):
    id: int = Field(examples=[101])
    sku: str = Field(examples=["CS-BITS-BSH-001"])
    brand: str = Field(examples=["博世"])
    name: str = Field(examples=["2608577113 麻花钻头套装"])
    spec: str = Field(examples=["13件套 高速钢"])
    category: str = Field(description="Leaf category name.", examples=["钻头套装"])
    price: Decimal = Field(description="Retail price in CNY.", examples=["69.00"])


class ReasonOut(Schema):
    text: str = Field(
        description="The reason in words, in the request's language.",
        examples=["您的 博世 GSR 185-LI 无刷锂电电钻（2025-05 购买）的配件"],
    )
    code: str = Field(
        description="`accessory`, `co_purchase` or `propensity`.", examples=["accessory"]
    )
    params: dict[str, str] = Field(
        description="The values put into the text.",
        examples=[{"tool": "博世 GSR 185-LI 无刷锂电电钻", "purchased": "2025-05"}],
    )


class StoreStockOut(Schema):
    store: str = Field(examples=["杭州西湖店"])
    quantity: int = Field(examples=[12])


class RecommendationOut(Schema):
    product: ProductOut
    source: RecommendationSource = Field(description="Where the strongest reason comes from.")
    score: float = Field(
        description="Ranking score (accessories ≥ 1; mined items: the rule's confidence, "
        "propensity weighted 0.8).",
        examples=[1.32],
    )
    reasons: list[ReasonOut] = Field(description="Strongest first.")
    stock_here: int = Field(
        description="Units in your stores (every store for chain-wide roles; the customer's "
        "home store for account managers).",
        examples=[11],
    )
    in_stock: bool
    stock_elsewhere: list[StoreStockOut] = Field(
        description="When out of stock here: up to three other stores holding it."
    )


class RecommendationListOut(Schema):
    items: list[RecommendationOut]
    count: int


class ListQuery(Schema):
    limit: int = Field(8, ge=1, le=MAX_ITEMS, description="How many items (at most 20).")


def _item(item: Recommendation) -> dict[str, Any]:
    product = item.product
    return {
        "product": {
            "id": product.pk,
            "sku": product.sku,
            "brand": product.brand.name,
            "name": product.name,
            "spec": product.spec,
            "category": product.category.name,
            "price": product.price,
        },
        "source": item.source,
        "score": item.score,
        "reasons": [
            {"text": reason.render(), "code": reason.key, "params": reason.params_for_api()}
            for reason in item.reasons
        ],
        "stock_here": item.stock_here,
        "in_stock": item.is_in_stock,
        "stock_elsewhere": [
            {"store": stock.store_name, "quantity": stock.quantity}
            for stock in item.stock_elsewhere
        ],
    }


@router.get(
    "/{customer_id}/recommendations",
    response={
        200: RecommendationListOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: FieldErrorsOut,
    },
    summary="A customer's recommendation list",
)
def customer_recommendations(
    request: HttpRequest, customer_id: int, query: Query[ListQuery]
) -> dict[str, Any]:
    """Accessories of the tools the customer owns, co-purchase rules and category propensity,
    each with its reason; nothing bought in the last 90 days (configurable)."""
    result = recommendations_for(user=request.user, customer_id=customer_id, limit=query.limit)
    items = [_item(item) for item in result.items]
    return {"items": items, "count": len(items)}
