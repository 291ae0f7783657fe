"""The condition builder's form data: turning the rows of the tag form (``c<n>-<field>`` inputs,
one hidden ``row`` per condition) into the JSON a definition is validated from, and a stored
definition back into rows for editing. No validation here: ``schema``/``services`` judge the
result and their messages are attached to the rows by index."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

CONDITION_TYPES = ("profile", "purchase", "discount_share")
FREE_TEXT_FIELDS = {"province", "city"}
_SPLIT = re.compile(r"[,，、;；\s]+")
ROW_FIELDS = (
    "type",
    "field",
    "text",
    "category",
    "brand",
    "channel",
    "store",
    "measure",
    "comparison",
    "minimum",
    "window_mode",
    "window_length",
    "percent",
    "window_days",
)
DEFAULTS = {
    "type": "purchase",
    "field": "kind",
    "measure": "orders",
    "comparison": "at_least",
    "minimum": "1",
    "window_mode": "days",
    "window_length": "90",
    "percent": "50",
    "window_days": "365",
}


@dataclass
class ConditionRow:
    index: int
    data: dict[str, str] = field(default_factory=dict)
    values: list[str] = field(default_factory=list)  # profile choices picked
    errors: list[str] = field(default_factory=list)

    def get(self, name: str) -> str:
        return self.data.get(name, "")


def row_indices(source: QueryDict) -> list[int]:
    return [int(value) for value in source.getlist("row") if value.isdigit()]


def row_from(source: QueryDict, index: int) -> ConditionRow:
    prefix = f"c{index}-"
    data = {name: source.get(prefix + name, "").strip() for name in ROW_FIELDS}
    for name, value in DEFAULTS.items():
        if prefix + name not in source:
            data[name] = value
    if data["type"] not in CONDITION_TYPES:
        data["type"] = "purchase"
    return ConditionRow(index=index, data=data, values=source.getlist(prefix + "values"))


def new_row(index: int) -> ConditionRow:
    return ConditionRow(index=index, data={name: DEFAULTS.get(name, "") for name in ROW_FIELDS})


def rows_from_post(source: QueryDict) -> list[ConditionRow]:
    return [row_from(source, index) for index in row_indices(source)]


def _optional_int(value: str) -> int | str | None:
    if not value:
        return None
    return int(value) if value.isdigit() else value


def condition_data(row: ConditionRow) -> dict[str, Any]:
    """One row as definition JSON (invalid values are passed on for the schema to refuse)."""
    data = row.data
    kind = data["type"]
    if kind == "profile":
        values = (
            [part for part in _SPLIT.split(data["text"]) if part]
            if data["field"] in FREE_TEXT_FIELDS
            else list(row.values)
        )
        return {"type": "profile", "field": data["field"], "values": values}
    if kind == "discount_share":
        return {
            "type": "discount_share",
            "percent": data["percent"] or None,
            "window_days": _optional_int(data["window_days"]),
        }
    condition: dict[str, Any] = {
        "type": "purchase",
        "measure": data["measure"],
        "comparison": data["comparison"] or "at_least",
        "minimum": data["minimum"] or None,
        "window": {"mode": data["window_mode"], "length": _optional_int(data["window_length"])},
    }
    for key, name in (("category_id", "category"), ("brand_id", "brand"), ("store_id", "store")):
        value = _optional_int(data[name])
        if value is not None:
            condition[key] = value
    if data["channel"]:
        condition["channel"] = data["channel"]
    return condition


def definition_from(source: QueryDict, rows: list[ConditionRow]) -> dict[str, Any]:
    return {
        "match": source.get("match", "all"),
        "conditions": [condition_data(row) for row in rows],
    }


def rows_from_definition(definition: dict[str, Any]) -> list[ConditionRow]:
    rows = []
    for index, condition in enumerate(definition.get("conditions", [])):
        row = new_row(index)
        row.data["type"] = condition["type"]
        if condition["type"] == "profile":
            row.data["field"] = condition["field"]
            if condition["field"] in FREE_TEXT_FIELDS:
                row.data["text"] = "、".join(condition["values"])
            else:
                row.values = [str(value) for value in condition["values"]]
        elif condition["type"] == "discount_share":
            row.data["percent"] = str(condition["percent"])
            row.data["window_days"] = str(condition["window_days"])
        else:
            for key, name in (
                ("category_id", "category"),
                ("brand_id", "brand"),
                ("store_id", "store"),
            ):
                row.data[name] = str(condition.get(key) or "")
            row.data["channel"] = condition.get("channel") or ""
            row.data["measure"] = condition["measure"]
            row.data["comparison"] = condition.get("comparison", "at_least")
            row.data["minimum"] = str(condition["minimum"])
            row.data["window_mode"] = condition["window"]["mode"]
            row.data["window_length"] = str(condition["window"]["length"])
        rows.append(row)
    return rows
