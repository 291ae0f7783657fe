"""Template helpers used across apps: capability checks, PII masking, money and form widgets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

from toolcrm.core.pii import mask_id_card, mask_phone
from toolcrm.core.roles import Capability, has_capability

register = template.Library()


@register.filter
def can(user: Any, capability: str) -> bool:
    """``{% if user|can:"customers.edit" %}`` — the same table the views use."""
    try:
        return has_capability(user, Capability(capability))
    except ValueError:
        return False


@register.filter
def masked_phone(value: str | None) -> str:
    return mask_phone(value or "")


@register.filter
def masked_id_card(value: str | None) -> str:
    return mask_id_card(value or "")


@register.filter
def cny(value: Decimal | int | float | None) -> str:
    """¥1,234.50 (CNY, two decimals, thousands separators)."""
    if value is None or value == "":
        return "¥0.00"
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


@register.filter
def bs_field(field: BoundField) -> SafeString:
    """Render a form field's widget with Bootstrap's ``is-invalid`` when it has errors."""
    attrs: dict[str, str | bool] = {}
    if field.errors:
        css = field.field.widget.attrs.get("class", "form-control")
        attrs["class"] = f"{css} is-invalid"
    return field.as_widget(attrs=attrs)
