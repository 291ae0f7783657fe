"""Reads of customer data, always scoped to the acting user.

``customers_visible_to(user)`` is the one gate: every list, search, 360 page and API handler starts
from it, and ``get_customer_for`` raises 404 for anything outside the user's scope (never another
store's data, never a 403 that would confirm the record exists).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404

from toolcrm.core.pii import phone_index, to_halfwidth
from toolcrm.core.roles import Capability, Role, has_capability
from toolcrm.core.scoping import ALL_STORES, store_ids_for
from toolcrm.customers.choices import ConsentChannel, ConsentPurpose
from toolcrm.customers.models import Consent, Customer, Interaction
from toolcrm.stores.models import Store

SEARCH_LIMIT = 20
_MEMBER_CARD = re.compile(r"^M\d{6,12}$", re.IGNORECASE)
_PHONE_CHARS = re.compile(r"^[+\d\s\-()（）.]{7,}$")


def customers_visible_to(user: Any) -> QuerySet[Customer]:
    """Customers the user may see: home store in their scope; B2B managers see their accounts."""
    queryset = Customer.objects.filter(is_active=True)
    if not has_capability(user, Capability.VIEW_CUSTOMERS):
        return queryset.none()
    if user.role == Role.B2B_MANAGER:
        return queryset.filter(account_manager=user)
    store_ids = store_ids_for(user)
    if store_ids is ALL_STORES:
        return queryset
    if not store_ids:
        return queryset.none()
    return queryset.filter(home_store_id__in=sorted(store_ids))


def get_customer_for(*, user: Any, customer_id: int) -> Customer:
    try:
        return customers_visible_to(user).select_related("home_store").get(pk=customer_id)
    except (Customer.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("customer not found") from exc


def _name_prefix(queryset: QuerySet[Customer], prefix: str) -> QuerySet[Customer]:
    if connection.vendor == "sqlite":
        # SQLite's LIKE cannot use an index under its default case-insensitive mode; a range over
        # the BINARY-collated index is the same prefix match and is indexed.
        return queryset.filter(name__gte=prefix, name__lt=prefix + "\U0010ffff")
    return queryset.filter(name__startswith=prefix)


@dataclass(frozen=True)
class SearchResult:
    query: str
    kind: str  # "phone", "member_card", "name", "empty"
    customers: list[Customer]
    has_more: bool


def search_queryset(*, user: Any, query: str) -> tuple[str, QuerySet[Customer]]:
    """The one-box search as a queryset (for paginated callers such as the API): an exact phone
    in any written form, a member card number, or a name / company-name prefix. Returns the
    branch taken (``"phone"``, ``"member_card"``, ``"name"``, ``"empty"``) and the matches."""
    text = to_halfwidth(query or "").strip()
    base = customers_visible_to(user).select_related("home_store")
    if not text:
        return "empty", base.none()
    if _MEMBER_CARD.match(text):
        return "member_card", base.filter(member_card_no=text.upper()).order_by("pk")
    if _PHONE_CHARS.match(text) and (index := phone_index(text)):
        matches = base.filter(Q(phone_index=index) | Q(phone_secondary_index=index))
        return "phone", matches.order_by("pk")
    return "name", _name_prefix(base, text).order_by("name", "pk")


def search_customers(*, user: Any, query: str, limit: int = SEARCH_LIMIT) -> SearchResult:
    """One-box search: an exact phone in any written form, a member card number, or a name /
    company-name prefix. Each branch is one indexed query."""
    text = to_halfwidth(query or "").strip()
    if not text:
        return SearchResult(query=text, kind="empty", customers=[], has_more=False)
    kind, queryset = search_queryset(user=user, query=text)
    rows = list(queryset[: limit + 1])
    return SearchResult(query=text, kind=kind, customers=rows[:limit], has_more=len(rows) > limit)


def home_store_choices(*, user: Any) -> QuerySet[Store]:
    """Active stores the user may file a customer under: the stores of their scope."""
    stores = Store.objects.filter(is_active=True)
    store_ids = store_ids_for(user)
    if store_ids is ALL_STORES:
        return stores
    return stores.filter(pk__in=sorted(store_ids or ()))


def find_home_store(*, user: Any, reference: int | str) -> Store | None:
    """One of ``home_store_choices`` by id (a number) or store code (a string), else ``None``:
    a store outside the user's scope is indistinguishable from one that does not exist."""
    stores = home_store_choices(user=user)
    if isinstance(reference, int):
        return stores.filter(pk=reference).first()
    return stores.filter(code=to_halfwidth(reference).strip()).first()


def customer_list(*, user: Any, kind: str = "", store_id: int | None = None) -> QuerySet[Customer]:
    queryset = customers_visible_to(user).select_related("home_store")
    if kind:
        queryset = queryset.filter(kind=kind)
    if store_id:
        queryset = queryset.filter(home_store_id=store_id)
    return queryset.order_by("-created_at", "-pk")


def current_consents(*, customer: Customer) -> dict[tuple[str, str], Consent]:
    """Latest consent event per channel × purpose (consents are append-only)."""
    latest: dict[tuple[str, str], Consent] = {}
    for consent in customer.consents.order_by("recorded_at", "pk"):
        latest[(consent.channel, consent.purpose)] = consent
    return latest


def marketing_channels(*, customer: Customer) -> frozenset[str]:
    """The consent channels on which the customer may be sent marketing: those whose latest
    marketing consent event is a grant. Consent is opt-in, so a channel never recorded is not
    in the set, and a later withdrawal overrides an earlier grant. One query for all channels,
    for screens that show several send options at once."""
    return frozenset(
        channel
        for (channel, purpose), consent in current_consents(customer=customer).items()
        if purpose == ConsentPurpose.MARKETING and consent.is_granted
    )


def may_market_to(*, customer: Customer, channel: str) -> bool:
    """Whether marketing may go to the customer on ``channel`` (a ``ConsentChannel`` value):
    the one rule every sender checks before sending (see ``marketing_channels``)."""
    return channel in marketing_channels(customer=customer)


@dataclass(frozen=True)
class ConsentCell:
    channel: str
    channel_label: str
    purpose: str
    purpose_label: str
    consent: Consent | None


def consent_matrix(*, customer: Customer) -> list[list[ConsentCell]]:
    latest = current_consents(customer=customer)
    return [
        [
            ConsentCell(
                channel=channel.value,
                channel_label=str(channel.label),
                purpose=purpose.value,
                purpose_label=str(purpose.label),
                consent=latest.get((channel.value, purpose.value)),
            )
            for purpose in ConsentPurpose
        ]
        for channel in ConsentChannel
    ]


@dataclass
class TimelineEntry:
    at: datetime
    kind: str  # "order", "interaction", "consent"
    title: str
    detail: str = ""
    amount: Decimal | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def recent_interactions(*, customer: Customer, limit: int = 50) -> list[Interaction]:
    return list(
        customer.interactions.select_related("staff", "store").order_by("-occurred_at")[:limit]
    )


def birthday_display(birthday: date | None) -> str:
    return birthday.strftime("%m-%d") if birthday else ""
