"""Reads of the tags app, scoped to the acting user: the definitions list, the count of each tag
per store, a tag's members, one customer's tags for the 360 page, and the rule preview.

Counts and members go through ``core.scoping`` / ``customers_visible_to``, so a store manager
sees their store's figures and customers only, HQ sees every store.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from toolcrm.catalog.models import Brand, Category
from toolcrm.core.roles import Capability, require_capability
from toolcrm.core.scoping import restrict_to_stores
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.stores.models import Store
from toolcrm.tags.choices import TagKind
from toolcrm.tags.compiler import compile_rule, load_lookups
from toolcrm.tags.models import CustomerTag, TagDefinition
from toolcrm.tags.reasons import render_reason
from toolcrm.tags.schema import RuleDefinition

PREVIEW_SAMPLE = 10


KIND_ORDER = {kind.value: position for position, kind in enumerate(TagKind)}


def _kind_then_name(row: TagReportRow) -> tuple[int, str]:
    return KIND_ORDER.get(row.tag.kind, len(KIND_ORDER)), row.tag.label


def tag_definitions(*, user: Any) -> list[TagDefinition]:
    """Every tag: rule tags first (the managers' own), then behaviour, then predictive."""
    require_capability(user, Capability.MANAGE_TAGS)
    tags = TagDefinition.objects.order_by("-is_active", "name")
    return sorted(tags, key=lambda tag: KIND_ORDER.get(tag.kind, len(KIND_ORDER)))


def get_rule_tag(*, user: Any, tag_id: int) -> TagDefinition:
    require_capability(user, Capability.MANAGE_TAGS)
    try:
        return TagDefinition.objects.get(pk=tag_id, kind=TagKind.RULE)
    except TagDefinition.DoesNotExist as exc:
        raise Http404("tag not found") from exc


def get_tag(*, user: Any, tag_id: int, capability: Capability) -> TagDefinition:
    require_capability(user, capability)
    try:
        return TagDefinition.objects.get(pk=tag_id)
    except TagDefinition.DoesNotExist as exc:
        raise Http404("tag not found") from exc


@dataclass
class TagReportRow:
    tag: TagDefinition
    total: int = 0
    by_store: dict[int, int] = field(default_factory=dict)

    def cells(self, stores: list[Store]) -> list[int]:
        return [self.by_store.get(store.pk, 0) for store in stores]


@dataclass(frozen=True)
class TagReport:
    stores: list[Store]
    rows: list[TagReportRow]


def tag_report(*, user: Any) -> TagReport:
    """Customers per active tag per home store, over the user's stores: one aggregate query
    (plus the stores and the tags)."""
    require_capability(user, Capability.VIEW_TAG_REPORT)
    stores = list(restrict_to_stores(Store.objects.all(), user, store_field="pk").order_by("code"))
    tags = list(TagDefinition.objects.filter(is_active=True).order_by("kind", "name"))
    counts = restrict_to_stores(
        CustomerTag.objects.filter(customer__is_active=True, tag__is_active=True),
        user,
        store_field="customer__home_store_id",
    )
    rows = {tag.pk: TagReportRow(tag=tag) for tag in tags}
    for tag_id, store_id, count in (
        counts.values("tag_id", "customer__home_store_id")
        .annotate(count=Count("id"))
        .values_list("tag_id", "customer__home_store_id", "count")
        .order_by()
    ):
        row = rows.get(tag_id)
        if row is not None:
            row.by_store[store_id] = count
            row.total += count
    return TagReport(stores=stores, rows=sorted(rows.values(), key=_kind_then_name))


def tag_members(*, user: Any, tag: TagDefinition) -> QuerySet[CustomerTag]:
    """The tag's customers that the user may see (their stores; B2B managers: their accounts)."""
    require_capability(user, Capability.VIEW_TAG_REPORT)
    visible = customers_visible_to(user)
    return (
        CustomerTag.objects.filter(tag=tag, customer__in=visible)
        .select_related("customer", "customer__home_store")
        .order_by("customer__name", "customer_id")
    )


@dataclass(frozen=True)
class ShownTag:
    name: str
    kind: str
    reason: str
    computed_at: Any


@dataclass(frozen=True)
class TagGroup:
    kind: str
    label: str
    tags: list[ShownTag]


def customer_tags(*, customer: Customer) -> list[TagGroup]:
    """One customer's active tags grouped by kind, each with its reason in the active language
    (one query; the customer was fetched through ``get_customer_for``)."""
    grouped: dict[str, list[ShownTag]] = defaultdict(list)
    rows = (
        CustomerTag.objects.filter(customer=customer, tag__is_active=True)
        .select_related("tag")
        .order_by("tag__name")
    )
    for row in rows:
        grouped[row.tag.kind].append(
            ShownTag(
                name=row.tag.label,
                kind=row.tag.kind,
                reason=render_reason(row.reason_key, row.reason_params),
                computed_at=row.computed_at,
            )
        )
    return [
        TagGroup(kind=kind.value, label=str(kind.label), tags=grouped[kind.value])
        for kind in TagKind
        if grouped.get(kind.value)
    ]


@dataclass(frozen=True)
class Preview:
    count: int
    sample: list[tuple[Customer, str]]


def preview_rule(*, user: Any, definition: RuleDefinition) -> Preview:
    """How many of the user's visible customers a (validated, unsaved) rule would tag now, and
    a few of them with the reason: three queries on the compiled rule (count, sample, the
    sample's values)."""
    require_capability(user, Capability.MANAGE_TAGS)
    compiled = compile_rule(definition, lookups=load_lookups([definition]), now=timezone.now())
    matching = compiled.apply(customers_visible_to(user))
    count = matching.count()
    customers = list(matching.select_related("home_store").order_by("name", "pk")[:PREVIEW_SAMPLE])
    values = {row["pk"]: row for row in compiled.rows([customer.pk for customer in customers])}
    sample = []
    for customer in customers:
        if customer.pk not in values:  # changed between the two queries
            continue
        params, _evidence = compiled.explain(values[customer.pk])
        sample.append((customer, render_reason("rule", params)))
    return Preview(count=count, sample=sample)


@dataclass(frozen=True)
class ConditionChoices:
    categories: list[tuple[int, str]]
    brands: list[tuple[int, str]]
    stores: list[tuple[int, str]]


def condition_choices() -> ConditionChoices:
    """What the condition builder offers: the category tree (children indented), brands and
    stores. Definitions are chain-wide, so every store is offered; who carries a tag is still
    shown only within each reader's scope."""
    categories = list(Category.objects.values_list("pk", "name", "parent_id").order_by("code"))
    children: dict[int | None, list[tuple[int, str]]] = defaultdict(list)
    for pk, name, parent_id in categories:
        children[parent_id].append((pk, name))
    ordered: list[tuple[int, str]] = []

    def walk(parent: int | None, depth: int) -> None:
        for pk, name in children.get(parent, []):
            ordered.append((pk, "　" * depth + name))
            walk(pk, depth + 1)

    walk(None, 0)
    return ConditionChoices(
        categories=ordered,
        brands=list(Brand.objects.values_list("pk", "name").order_by("name")),
        stores=list(
            Store.objects.filter(is_active=True).values_list("pk", "name").order_by("code")
        ),
    )
