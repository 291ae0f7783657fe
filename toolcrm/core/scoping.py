"""Store and region scoping: which stores' rows a staff user may see.

Every selector that returns customer-facing rows narrows its queryset with ``restrict_to_stores``
(or a domain selector built on it). The rule:

* clerk, store manager, technician: their own store;
* regional manager: every store of their region;
* HQ marketing, admin: every store;
* B2B account manager: the company accounts they manage (handled by the customers selector),
  and no store-wide access.
A user with no store/region assigned sees nothing rather than everything.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet

from toolcrm.core.roles import Role

ALL_STORES = None  # sentinel: no store restriction


def store_ids_for(user: Any) -> frozenset[int] | None:
    """Store ids the user may see, or ``None`` for every store."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    role = getattr(user, "role", "")
    if role in (Role.ADMIN, Role.HQ_MARKETING):
        return ALL_STORES
    if role == Role.REGIONAL_MANAGER:
        if not user.region_id:
            return frozenset()
        store_model = apps.get_model("stores", "Store")
        cache_attr = "_toolcrm_region_store_ids"
        cached: frozenset[int] | None = getattr(user, cache_attr, None)
        if cached is None:
            cached = frozenset(
                store_model.objects.filter(region_id=user.region_id).values_list("id", flat=True)
            )
            setattr(user, cache_attr, cached)
        return cached
    if role in (Role.CLERK, Role.STORE_MANAGER, Role.TECHNICIAN):
        return frozenset({user.store_id}) if user.store_id else frozenset()
    return frozenset()


def restrict_to_stores(queryset: QuerySet[Any], user: Any, *, store_field: str) -> QuerySet[Any]:
    """Narrow ``queryset`` to rows whose ``store_field`` is one of the user's stores."""
    store_ids = store_ids_for(user)
    if store_ids is ALL_STORES:
        return queryset
    if not store_ids:
        return queryset.none()
    return queryset.filter(Q(**{f"{store_field}__in": sorted(store_ids)}))
