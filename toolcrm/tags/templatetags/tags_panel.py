"""Template tags of the tags app: the 360 page's tag panel (an inclusion tag that does its own
single query), a stored reason rendered in the reader's language, and the report's cells."""

from __future__ import annotations

from typing import Any

from django import template

from toolcrm.customers.models import Customer
from toolcrm.stores.models import Store
from toolcrm.tags.models import CustomerTag
from toolcrm.tags.reasons import render_reason
from toolcrm.tags.selectors import TagReportRow, customer_tags

register = template.Library()


@register.inclusion_tag("tags/partials/customer_tags_panel.html")
def tags_panel(customer: Customer) -> dict[str, Any]:
    """The customer was already fetched through ``get_customer_for`` by the 360 view."""
    return {"groups": customer_tags(customer=customer)}


@register.simple_tag
def tag_reason(customer_tag: CustomerTag) -> str:
    return render_reason(customer_tag.reason_key, customer_tag.reason_params)


@register.filter
def report_cells(row: TagReportRow, stores: list[Store]) -> list[int]:
    return row.cells(stores)
