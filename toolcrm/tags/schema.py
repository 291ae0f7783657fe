"""The stored shape of a rule tag: which customers it picks, as strict, validated JSON.

A definition is ``{"match": "all" | "any", "conditions": [...]}`` with one to ten conditions of
three types (the ``type`` field decides which):

* ``profile`` — a customer field is one of ``values``: kind (person/company), province, city,
  home store, source channel, company type, or the insights lifecycle stage / RFM segment.
* ``purchase`` — what the customer bought, optionally narrowed to a category (with its
  descendants), a brand, a sales channel and a store, measured as spend, orders or units and
  compared with ``minimum`` (``at_least``) or kept under it (``less_than``) over a window: the
  last N days, or each of the last N months separately ("each month" is a month-long period
  counted back from today, so a 3-month window is three consecutive periods).
* ``discount_share`` — the share of spend (line totals, net of discount) on lines that carried a
  discount, over the last N days, is more than ``percent``.

``parse_definition`` validates with pydantic (unknown keys, wrong types and out-of-range numbers
are refused) and turns every error into a translated message attached to its condition row, so
the form can show the message next to the row it belongs to. References to rows (category,
brand, store) are checked against the database by ``services``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic_core import ErrorDetails

from toolcrm.customers.choices import CompanyType, CustomerKind, SourceChannel
from toolcrm.insights.choices import LifecycleStage, RfmSegment

MAX_CONDITIONS = 10
PROFILE_CHOICES: dict[str, list[str] | None] = {
    "kind": list(CustomerKind.values),
    "source_channel": list(SourceChannel.values),
    "company_type": [value for value in CompanyType.values if value],
    "lifecycle_stage": list(LifecycleStage.values),
    "rfm_segment": list(RfmSegment.values),
    "province": None,  # free text
    "city": None,
    "home_store": None,  # store ids, checked by services
}
ProfileField = Literal[
    "kind",
    "province",
    "city",
    "home_store",
    "source_channel",
    "company_type",
    "lifecycle_stage",
    "rfm_segment",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ProfileCondition(_Strict):
    type: Literal["profile"]
    field: ProfileField
    values: Annotated[list[Annotated[str, Field(min_length=1, max_length=50)]], Field(min_length=1)]

    @model_validator(mode="after")
    def _values_allowed(self) -> ProfileCondition:
        allowed = PROFILE_CHOICES[self.field]
        if allowed is not None and any(value not in allowed for value in self.values):
            raise ValueError("value_not_allowed")
        if self.field == "home_store" and not all(value.isdigit() for value in self.values):
            raise ValueError("value_not_allowed")
        return self


class Window(_Strict):
    mode: Literal["days", "each_month"]
    length: Annotated[int, Field(ge=1, le=730)]

    @model_validator(mode="after")
    def _months_bounded(self) -> Window:
        if self.mode == "each_month" and self.length > 24:
            raise ValueError("too_many_months")
        return self


class PurchaseCondition(_Strict):
    type: Literal["purchase"]
    category_id: int | None = None
    brand_id: int | None = None
    channel: Literal["pos", "ecommerce", "miniprogram", "b2b"] | None = None
    store_id: int | None = None
    measure: Literal["amount", "orders", "quantity"]
    comparison: Literal["at_least", "less_than"] = "at_least"
    minimum: Annotated[Decimal, Field(ge=0, le=Decimal("999999999"), decimal_places=2)]
    window: Window

    @model_validator(mode="after")
    def _meaningful(self) -> PurchaseCondition:
        if self.comparison == "at_least" and self.minimum == 0:
            raise ValueError("minimum_zero")
        if self.measure != "amount" and self.minimum != self.minimum.to_integral_value():
            raise ValueError("minimum_whole")
        return self


class DiscountShareCondition(_Strict):
    type: Literal["discount_share"]
    percent: Annotated[Decimal, Field(ge=0, lt=100, decimal_places=1)]
    window_days: Annotated[int, Field(ge=1, le=730)]


Condition = Annotated[
    ProfileCondition | PurchaseCondition | DiscountShareCondition, Field(discriminator="type")
]


class RuleDefinition(_Strict):
    match: Literal["all", "any"] = "all"
    conditions: Annotated[list[Condition], Field(min_length=1, max_length=MAX_CONDITIONS)]


@dataclass
class DefinitionErrors(Exception):
    """Validation failures: ``general`` for the definition as a whole, ``rows`` per condition
    index (0-based), each a list of translated messages."""

    general: list[str] = field(default_factory=list)
    rows: dict[int, list[str]] = field(default_factory=dict)

    def add(self, row: int | None, message: str) -> None:
        if row is None:
            self.general.append(message)
        else:
            self.rows.setdefault(row, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.general or self.rows)

    def messages(self) -> list[str]:
        """Every message as one flat list, rows numbered from 1 (for the API and logs)."""
        flat = list(self.general)
        for row, row_messages in sorted(self.rows.items()):
            flat += [
                _("条件 %(row)s：%(message)s") % {"row": row + 1, "message": m}
                for m in row_messages
            ]
        return flat


FIELD_LABELS = {
    "type": gettext_lazy("条件类型"),
    "field": gettext_lazy("客户属性"),
    "values": gettext_lazy("取值"),
    "measure": gettext_lazy("统计口径"),
    "comparison": gettext_lazy("比较"),
    "minimum": gettext_lazy("数值"),
    "window": gettext_lazy("时间范围"),
    "mode": gettext_lazy("时间范围"),
    "length": gettext_lazy("时间长度"),
    "percent": gettext_lazy("百分比"),
    "window_days": gettext_lazy("天数"),
    "category_id": gettext_lazy("品类"),
    "brand_id": gettext_lazy("品牌"),
    "channel": gettext_lazy("渠道"),
    "store_id": gettext_lazy("门店"),
    "match": gettext_lazy("匹配方式"),
    "conditions": gettext_lazy("条件"),
}


def _field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def _message(error: ErrorDetails) -> str:
    """One pydantic error as a sentence in the reader's language."""
    kind = error["type"]
    context = error.get("ctx") or {}
    reason = str(context.get("error", ""))
    custom = {
        "value_not_allowed": _("取值不在可选范围内。"),
        "too_many_months": _("“每月”最多回看 24 个月。"),
        "minimum_zero": _("“至少”的数值必须大于 0（要表示“没有购买”，请用“少于 1”）。"),
        "minimum_whole": _("订单数和件数必须是整数。"),
    }
    if kind == "value_error" and reason in custom:
        return custom[reason]
    fixed = {
        "missing": _("必填。"),
        "int_parsing": _("应为整数。"),
        "int_type": _("应为整数。"),
        "decimal_parsing": _("应为数字。"),
        "decimal_type": _("应为数字。"),
        "decimal_max_places": _("小数位数过多。"),
        "literal_error": _("不是可选的值。"),
        "union_tag_invalid": _("未知的条件类型。"),
        "union_tag_not_found": _("请选择条件类型。"),
        "extra_forbidden": _("多余的字段。"),
        "string_too_short": _("不能为空。"),
        "string_too_long": _("太长。"),
        "too_short": _("至少选择一项。"),
        "too_long": _("项目过多。"),
        "list_type": _("应为列表。"),
    }
    if kind in fixed:
        return fixed[kind]
    if kind in {"greater_than_equal", "greater_than"}:
        return _("不能小于 %(limit)s。") % {"limit": context.get("ge", context.get("gt"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("不能大于 %(limit)s。") % {"limit": context.get("le", context.get("lt"))}
    return _("值无效。")


def parse_definition(data: Any) -> RuleDefinition:
    """Validate raw JSON-like data; raises ``DefinitionErrors`` with per-row messages."""
    try:
        return RuleDefinition.model_validate(data)
    except ValidationError as exc:
        errors = DefinitionErrors()
        for error in exc.errors():
            location = list(error["loc"])
            row: int | None = None
            if len(location) >= 2 and location[0] == "conditions" and isinstance(location[1], int):
                row = location[1]
                location = location[3:] if len(location) > 2 else []
            names = [str(part) for part in location if isinstance(part, str)]
            text = _message(error)
            if names and names[-1] != "conditions":
                text = f"{_field_label(names[-1])}：{text}"
            elif names == ["conditions"] and error["type"] == "too_short":
                text = _("至少需要一个条件。")
            elif names == ["conditions"] and error["type"] == "too_long":
                text = _("最多 %(count)s 个条件。") % {"count": MAX_CONDITIONS}
            errors.add(row, text)
        raise errors from exc
