"""Reads of the recommendations app: one customer's recommendation list, and the mined rules.

``recommendations_for`` builds the clerk's list in a fixed number of queries whatever the
customer's history (the customer, their kept purchases, the accessory links of what they own,
the rules that start from what they bought, the candidate products with stock, and — only when
something is out of stock here — where else it is). The three sources:

* **accessories** of the tools the customer owns (``Product.accessories``; "owns" = a
  non-consumable product bought and not returned);
* **co-purchase rules** mined per order (``BasketScope.ORDER``), at product and category level,
  from anything the customer bought;
* **category propensity** (``BasketScope.CUSTOMER``): categories the customer never bought that
  customers who bought one of their categories went on to buy, scored item-based by the
  strongest such rule (its confidence, a share of customers; kept only above the lift floor, so
  the category is more likely for them than for the average customer).

Nothing bought within ``RECOMMENDATIONS_RECENT_DAYS`` (a product, or for category suggestions
the category) is offered, nor a tool the customer already owns.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from toolcrm.catalog.models import Product
from toolcrm.core.roles import Capability, require_capability
from toolcrm.core.scoping import ALL_STORES, store_ids_for
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import get_customer_for
from toolcrm.insights.purchases import NOT_PURCHASES
from toolcrm.recommendations import reasons
from toolcrm.recommendations.choices import BasketScope, RecommendationSource, RuleLevel
from toolcrm.recommendations.conf import list_settings
from toolcrm.recommendations.models import AssociationRule, RuleMiningRun
from toolcrm.recommendations.reasons import Label, Reason
from toolcrm.sales.models import OrderLine, ReturnLine
from toolcrm.stores.models import StockLevel

ELSEWHERE_LIMIT = 3
# An explicit catalog link outranks anything mined; mined evidence then orders the links.
ACCESSORY_BONUS = 1.0
# A customer-level pattern is weaker evidence than a same-order one (they may buy it elsewhere).
PROPENSITY_WEIGHT = 0.8
CO_PURCHASE = RecommendationSource.CO_PURCHASE.value
PROPENSITY = RecommendationSource.PROPENSITY.value
# Accessories take at most this share of a list while mined suggestions are left.
ACCESSORY_SHARE = 0.6
# Products read first: this many times the list size of the best candidates.
CANDIDATE_HEAD_FACTOR = 3


@dataclass(frozen=True)
class KeptPurchase:
    """A product the customer bought and did not return in full."""

    product_id: int
    category_id: int
    is_consumable: bool
    quantity: int
    last_purchased_at: datetime


def kept_purchases(*, customer: Customer) -> dict[int, KeptPurchase]:
    """One grouped query: per product, the units kept (bought minus returned, lines of
    cancelled and fully returned orders left out) and the last time it was bought."""
    returned = (
        ReturnLine.objects.filter(line=OuterRef("pk"))
        .values("line")
        .annotate(units=Sum("quantity"))
        .values("units")
    )
    rows = (
        OrderLine.objects.filter(order__customer=customer)
        .exclude(order__status__in=NOT_PURCHASES)
        .annotate(kept=F("quantity") - Coalesce(Subquery(returned), Value(0)))
        .filter(kept__gt=0)
        .values("product_id", "product__category_id", "product__is_consumable")
        .annotate(units=Sum("kept"), last=Max("order__ordered_at"))
        .order_by()
    )
    return {
        row["product_id"]: KeptPurchase(
            product_id=row["product_id"],
            category_id=row["product__category_id"],
            is_consumable=row["product__is_consumable"],
            quantity=row["units"],
            last_purchased_at=row["last"],
        )
        for row in rows
    }


@dataclass(frozen=True)
class StoreStock:
    store_name: str
    quantity: int


@dataclass(frozen=True)
class Recommendation:
    product: Product
    source: str
    score: float
    reasons: tuple[Reason, ...]
    stock_here: int
    stock_elsewhere: tuple[StoreStock, ...] = ()

    @property
    def reason(self) -> Reason:
        return self.reasons[0]

    @property
    def is_in_stock(self) -> bool:
        return self.stock_here > 0


@dataclass(frozen=True)
class RecommendationList:
    customer: Customer
    items: list[Recommendation]
    stock_scope_is_chain: bool  # the user sees every store: "here" is the whole chain


@dataclass
class _Candidate:
    product_id: int
    category_id: int | None  # known up front for category suggestions
    # the strongest reason per source: a contractor's 40 categories must not give 40 reasons
    by_source: dict[str, tuple[float, Reason]] = field(default_factory=dict)

    def add(self, score: float, source: str, reason: Reason) -> None:
        current = self.by_source.get(source)
        if current is None or score > current[0]:
            self.by_source[source] = (score, reason)

    @property
    def scored(self) -> list[tuple[float, str, Reason]]:
        return [(score, source, reason) for source, (score, reason) in self.by_source.items()]

    @property
    def best(self) -> tuple[float, str, Reason]:
        return max(self.scored, key=lambda entry: entry[0])


def _product_label(product: Product) -> Label:
    brand = product.brand
    return Label(
        zh=f"{brand.name} {product.name}", en=f"{brand.name_en or brand.name} {product.name}"
    )


def _stock_store_ids(user: Any, customer: Customer) -> frozenset[int] | None:
    """Whose shelves count as "here": the user's stores (every store for HQ); for a user with no
    store (a B2B account manager) the customer's home store."""
    store_ids = store_ids_for(user)
    if store_ids is ALL_STORES:
        return None
    return store_ids or frozenset({customer.home_store_id})


def recommendations_for(
    *, user: Any, customer_id: int, now: datetime | None = None, limit: int | None = None
) -> RecommendationList:
    """The customer's list, best first (404 for a customer outside the user's scope)."""
    require_capability(user, Capability.VIEW_CUSTOMERS)
    customer = get_customer_for(user=user, customer_id=customer_id)
    return recommendation_list(user=user, customer=customer, now=now, limit=limit)


def recommendation_list(
    *, user: Any, customer: Customer, now: datetime | None = None, limit: int | None = None
) -> RecommendationList:
    """The list for a customer already fetched through ``get_customer_for`` (the 360 page's
    panel), so the page does not read the customer twice."""
    config = list_settings()
    now = now or timezone.now()
    recent_since = now - timedelta(days=config.recent_days)
    kept = kept_purchases(customer=customer)
    candidates = _collect_candidates(kept=kept, recent_since=recent_since)
    store_ids = _stock_store_ids(user, customer)
    items = _rank(
        candidates,
        kept=kept,
        recent_since=recent_since,
        store_ids=store_ids,
        size=limit or config.size,
        per_category=config.per_category,
    )
    return RecommendationList(
        customer=customer, items=items, stock_scope_is_chain=store_ids is None
    )


def _collect_candidates(
    *, kept: dict[int, KeptPurchase], recent_since: datetime
) -> dict[int, _Candidate]:
    owned_tools = [item.product_id for item in kept.values() if not item.is_consumable]
    bought_categories = {item.category_id for item in kept.values()}
    candidates: dict[int, _Candidate] = {}

    def candidate(product_id: int, category_id: int | None = None) -> _Candidate:
        return candidates.setdefault(product_id, _Candidate(product_id, category_id))

    # Evidence for the accessory links: how often the tool's category and the accessory's
    # category share an order (the category-level order rules fetched below).
    links = list(
        Product.accessories.through.objects.filter(from_product_id__in=owned_tools)
        .values_list("from_product_id", "to_product_id", "to_product__category_id")
        .order_by("from_product_id", "to_product_id")
    )
    # Plain tuples, not model instances: a customer who bought many categories matches
    # hundreds of rules, and building that many objects costs more than the query.
    rules = (
        AssociationRule.objects.filter(
            Q(level=RuleLevel.PRODUCT, antecedent_product_id__in=list(kept))
            | Q(level=RuleLevel.CATEGORY, antecedent_category_id__in=sorted(bought_categories))
        )
        .order_by("-confidence", "pk")
        .values_list(
            "scope",
            "level",
            "antecedent_product_id",
            "consequent_product_id",
            "antecedent_category_id",
            "consequent_category_id",
            "suggested_product_id",
            "confidence",
            "lift",
            "antecedent_category__name",
            "antecedent_category__name_en",
            "consequent_category__name",
            "consequent_category__name_en",
        )
    )
    # Product-level reasons need both products' names: filled in once the products are read.
    category_rule_confidence: dict[tuple[int, int], float] = {}
    for (
        scope,
        level,
        antecedent_product,
        consequent_product,
        antecedent_category,
        consequent_category,
        suggested,
        confidence,
        lift,
        antecedent_name,
        antecedent_name_en,
        consequent_name,
        consequent_name_en,
    ) in rules:
        if scope == BasketScope.ORDER and level == RuleLevel.CATEGORY:
            category_rule_confidence.setdefault(
                (antecedent_category, consequent_category), confidence
            )
        if scope == BasketScope.CUSTOMER and consequent_category in bought_categories:
            continue  # propensity is about categories they have never bought
        target = consequent_product if level == RuleLevel.PRODUCT else suggested
        if target is None:
            continue
        if scope == BasketScope.CUSTOMER:
            key, weight, source = reasons.PROPENSITY, PROPENSITY_WEIGHT, PROPENSITY
        else:
            key, weight, source = reasons.CO_PURCHASE, 1.0, CO_PURCHASE
        known = candidates.get(target)
        if known is not None and source in known.by_source:
            continue  # rules come strongest first: the first reason of a source is the best
        params: dict[str, str | Label] = {
            "percent": reasons.percent(confidence),
            "lift": reasons.lift_text(lift),
        }
        if level == RuleLevel.PRODUCT:
            # names filled in once the products are read (see _named)
            params |= {"antecedent_id": str(antecedent_product), "consequent_id": str(target)}
            candidate(target).add(confidence, source, Reason(key, params))
            continue
        params |= {
            "antecedent": Label(zh=antecedent_name, en=antecedent_name_en),
            "consequent": Label(zh=consequent_name, en=consequent_name_en),
        }
        candidate(target, consequent_category).add(confidence * weight, source, Reason(key, params))
    for tool_id, accessory_id, accessory_category in links:
        tool_category = kept[tool_id].category_id
        evidence = category_rule_confidence.get((tool_category, accessory_category), 0.0)
        # The tool's label is filled in once the products are read (see _rank).
        candidate(accessory_id).add(
            ACCESSORY_BONUS + evidence,
            RecommendationSource.ACCESSORY,
            Reason(
                reasons.ACCESSORY,
                {
                    "tool_id": str(tool_id),
                    "purchased": timezone.localtime(kept[tool_id].last_purchased_at).strftime(
                        "%Y-%m"
                    ),
                },
            ),
        )
    return candidates


def _rank(
    candidates: dict[int, _Candidate],
    *,
    kept: dict[int, KeptPurchase],
    recent_since: datetime,
    store_ids: frozenset[int] | None,
    size: int,
    per_category: int,
) -> list[Recommendation]:
    if not candidates:
        return []
    recent_categories = {
        item.category_id for item in kept.values() if item.last_purchased_at >= recent_since
    }
    # Best first, and what the purchase history alone excludes dropped before any product is
    # read; then products are read for the head of the list only (most lists fill from it),
    # and for the rest only when exclusions and caps leave the list short.
    ordered = [
        candidate
        for candidate in sorted(
            candidates.values(), key=lambda candidate: (-candidate.best[0], candidate.product_id)
        )
        if not _excluded_by_history(
            candidate, kept=kept, recent_categories=recent_categories, recent_since=recent_since
        )
    ]
    head = ordered[: size * CANDIDATE_HEAD_FACTOR]
    products = _products_for(head, store_ids=store_ids)
    chosen = _choose(head, products=products, size=size, per_category=per_category)
    if len(chosen) < size and len(head) < len(ordered):
        products |= _products_for(ordered[len(head) :], store_ids=store_ids)
        chosen = _choose(ordered, products=products, size=size, per_category=per_category)
    stock_here = {pk: product.stock_here for pk, product in products.items()}
    missing = [product.pk for product, _candidate in chosen if stock_here[product.pk] <= 0]
    elsewhere = _stock_elsewhere(missing, store_ids=store_ids)
    return [
        Recommendation(
            product=product,
            source=candidate.best[1],
            score=round(candidate.best[0], 4),
            reasons=tuple(
                _named(reason, products)
                for _score, _source, reason in sorted(candidate.scored, key=lambda entry: -entry[0])
            ),
            stock_here=stock_here[product.pk],
            stock_elsewhere=elsewhere.get(product.pk, ()),
        )
        for product, candidate in chosen
    ]


def _excluded_by_history(
    candidate: _Candidate,
    *,
    kept: dict[int, KeptPurchase],
    recent_categories: set[int],
    recent_since: datetime,
) -> bool:
    purchase = kept.get(candidate.product_id)
    if purchase is not None and (
        not purchase.is_consumable or purchase.last_purchased_at >= recent_since
    ):
        return True  # a tool they own, or anything bought within the window
    # a category suggestion for a category they just bought
    return candidate.category_id is not None and candidate.category_id in recent_categories


def _products_for(
    candidates: list[_Candidate], *, store_ids: frozenset[int] | None
) -> dict[int, Any]:
    """The candidates' products with ``stock_here`` (units in the user's stores), and the
    products their reasons name (the tool, a rule's antecedent): one query."""
    wanted = {candidate.product_id for candidate in candidates} | {
        int(str(reason.params[name]))
        for candidate in candidates
        for _score, reason in candidate.by_source.values()
        for name in ("tool_id", "antecedent_id")
        if name in reason.params
    }
    in_scope = Q() if store_ids is None else Q(stock_levels__store_id__in=sorted(store_ids))
    queryset = (
        Product.objects.filter(pk__in=sorted(wanted))
        .select_related("brand", "category")
        .annotate(
            stock_here=Coalesce(
                Sum("stock_levels__quantity", filter=in_scope),
                Value(0),
                output_field=IntegerField(),
            )
        )
    )
    return {product.pk: product for product in queryset}


def _choose(
    ordered: list[_Candidate],
    *,
    products: Mapping[int, Product],
    size: int,
    per_category: int,
) -> list[tuple[Product, _Candidate]]:
    """Best first, skipping exclusions; at most ``per_category`` items of one category and one
    size of one product family (brand + name: not the 13- and the 19-piece set of one bit set).
    Accessories fill at most ``ACCESSORY_SHARE`` of the list while mined suggestions remain,
    so the clerk sees what the rules found too; leftover slots go back to accessories."""
    accessory_cap = max(1, math.ceil(size * ACCESSORY_SHARE))
    chosen: list[tuple[Product, _Candidate]] = []
    deferred: list[_Candidate] = []
    per_category_count: defaultdict[int, int] = defaultdict(int)
    families: set[tuple[int, str]] = set()
    accessories = 0

    def take(candidate: _Candidate, product: Product) -> None:
        per_category_count[product.category_id] += 1
        families.add((product.brand_id, product.name))
        chosen.append((product, candidate))

    for candidate in ordered:
        product = products.get(candidate.product_id)
        if product is None or not product.is_active:
            continue
        if per_category_count[product.category_id] >= per_category or (
            (product.brand_id, product.name) in families
        ):
            continue
        if candidate.best[1] == RecommendationSource.ACCESSORY:
            if accessories >= accessory_cap:
                deferred.append(candidate)
                continue
            accessories += 1
        take(candidate, product)
        if len(chosen) >= size:
            return chosen
    for candidate in deferred:
        product = products[candidate.product_id]
        if per_category_count[product.category_id] >= per_category or (
            (product.brand_id, product.name) in families
        ):
            continue
        take(candidate, product)
        if len(chosen) >= size:
            break
    chosen.sort(key=lambda entry: (-entry[1].best[0], entry[1].product_id))
    return chosen


def _named(reason: Reason, products: Mapping[int, Product]) -> Reason:
    """Fill product names into reasons that were recorded with product ids."""
    params = dict(reason.params)
    if reason.key == reasons.ACCESSORY:
        tool = products[int(str(params.pop("tool_id")))]
        params["tool"] = _product_label(tool)
        return Reason(reason.key, params)
    if "antecedent_id" in params:
        antecedent = products[int(str(params.pop("antecedent_id")))]
        consequent = products[int(str(params.pop("consequent_id")))]
        params["antecedent"] = _product_label(antecedent)
        params["consequent"] = _product_label(consequent)
        return Reason(reason.key, params)
    return reason


def _stock_elsewhere(
    product_ids: list[int], *, store_ids: frozenset[int] | None
) -> dict[int, tuple[StoreStock, ...]]:
    """For products out of stock here: the stores that hold them, most units first (one query,
    only when something is missing; nothing "elsewhere" when "here" is the whole chain)."""
    if not product_ids or store_ids is None:
        return {}
    levels = (
        StockLevel.objects.filter(product_id__in=product_ids, quantity__gt=0)
        .exclude(store_id__in=sorted(store_ids))
        .filter(store__is_active=True)
        .select_related("store")
        .order_by("product_id", "-quantity", "store__code")
    )
    found: defaultdict[int, list[StoreStock]] = defaultdict(list)
    for level in levels:
        if len(found[level.product_id]) < ELSEWHERE_LIMIT:
            found[level.product_id].append(
                StoreStock(store_name=level.store.name, quantity=level.quantity)
            )
    return {product_id: tuple(stores) for product_id, stores in found.items()}


# --- the rules page -----------------------------------------------------------------------


@dataclass(frozen=True)
class RuleFilter:
    scope: str = BasketScope.ORDER
    level: str = RuleLevel.CATEGORY
    category_id: int | None = None  # either side in this category (or below it)


def rule_list(*, user: Any, rule_filter: RuleFilter) -> QuerySet[AssociationRule]:
    """Mined rules, strongest lift first; chain-wide (rules carry no customer data)."""
    require_capability(user, Capability.VIEW_MODELS)
    queryset = AssociationRule.objects.filter(
        scope=rule_filter.scope, level=rule_filter.level
    ).select_related(
        "antecedent_category",
        "consequent_category",
        "antecedent_product__brand",
        "consequent_product__brand",
        "suggested_product__brand",
    )
    if rule_filter.category_id is not None:
        category = rule_filter.category_id
        if rule_filter.level == RuleLevel.CATEGORY:
            queryset = queryset.filter(
                Q(antecedent_category_id=category)
                | Q(consequent_category_id=category)
                | Q(antecedent_category__parent_id=category)
                | Q(consequent_category__parent_id=category)
            )
        else:
            queryset = queryset.filter(
                Q(antecedent_product__category_id=category)
                | Q(consequent_product__category_id=category)
                | Q(antecedent_product__category__parent_id=category)
                | Q(consequent_product__category__parent_id=category)
            )
    return queryset.order_by("-lift", "-confidence", "pk")


def latest_run() -> RuleMiningRun | None:
    return RuleMiningRun.objects.order_by("-mined_at", "-pk").first()
