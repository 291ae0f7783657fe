"""What every importer shares: the fields a kind accepts (``FieldSpec``: required or not, the
header names that map onto it automatically), reading a mapped cell, and turning a problem into
a bilingual ``RowProblem`` (row number, column, value, code, reason in Chinese and English).

An importer handles one *unit* at a time (one row; for orders, the consecutive rows of one
order) inside its own savepoint, and answers with an ``Outcome`` or raises ``RowRejected``."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from toolcrm.core.pii import to_halfwidth
from toolcrm.core.scoping import ALL_STORES, store_ids_for
from toolcrm.integrations.parsing import CellError, Row, clean_text, is_blank
from toolcrm.integrations.parsing.errors import quote_value
from toolcrm.stores.models import Store

# Shared by the customer and order importers: a phone or card that belongs to someone out of scope.
CUSTOMER_NOT_YOURS = _("该手机号/会员卡号属于您权限范围外的客户：%(value)s")


def error_items(error: ValidationError) -> list[tuple[str, list[str]]]:
    """A ValidationError as ``(key, messages)`` pairs; a plain list comes under key ``""``."""
    if hasattr(error, "error_dict"):
        return list(error.message_dict.items())
    return [("", error.messages)]


T = TypeVar("T")

REQUIRED_MISSING = _("缺少必填值：%(field)s")
STORE_OUT_OF_SCOPE = _("门店不存在或不在您的权限范围内：%(value)s")
STORE_NEEDED = _("请填写门店编码（您的账号没有默认门店）")
TOO_LONG = _("内容过长（最多 %(limit)s 个字符）：%(value)s")
NOT_CHOICE = _("无法识别的取值：%(value)s（可填：%(choices)s）")


class Outcome(enum.Enum):
    CREATED = "created"
    UPDATED = "updated"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class FieldSpec:
    """One field an import kind understands."""

    name: str
    label: str | Promise
    is_required: bool = False
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowProblem:
    row_number: int
    column: str
    value: str
    code: str
    message_zh: str
    message_en: str


def render_problem(
    *,
    row_number: int,
    column: str,
    value: object,
    code: str,
    template: str | Promise,
    params: Mapping[str, object] | None = None,
) -> RowProblem:
    """A problem with its message rendered in both languages."""
    values: dict[str, object] = {"value": quote_value(value), **(params or {})}
    messages = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            rendered_params = {k: str(v) for k, v in values.items()}
            messages[language] = str(template) % rendered_params
    return RowProblem(
        row_number=row_number,
        column=column,
        value="" if value is None else str(value),
        code=code,
        message_zh=messages["zh-hans"],
        message_en=messages["en"],
    )


def translated_pair(message: str) -> tuple[str, str]:
    """A message a service raised (rendered in Chinese, the import's active language) and its
    English translation when the catalogue has it as a whole (messages without parameters)."""
    with translation.override("en"):
        return message, gettext(message)


@dataclass
class RowRejected(Exception):
    """The unit cannot be imported; nothing of it was written."""

    problems: list[RowProblem] = field(default_factory=list)


class Importer:
    """Base of the four importers. ``mapping`` is {field name: source column}."""

    kind: str = ""
    fields: tuple[FieldSpec, ...] = ()

    def __init__(self, *, user: Any, mapping: Mapping[str, str], default_store: Store | None):
        self.user = user
        self.mapping = {k: v for k, v in mapping.items() if v}
        self.default_store = default_store
        self._store_ids = store_ids_for(user)
        self._stores: dict[str, Store | None] = {}

    # -- columns ---------------------------------------------------------------------------

    @classmethod
    def required_fields(cls) -> list[FieldSpec]:
        return [spec for spec in cls.fields if spec.is_required]

    def column(self, name: str) -> str:
        return self.mapping.get(name, "")

    def raw(self, row: Row, name: str) -> Any:
        column = self.mapping.get(name)
        return row.get(column) if column else None

    def text(self, row: Row, name: str, problems: list[RowProblem], *, limit: int = 0) -> str:
        value = clean_text(self.raw(row, name))
        if limit and len(value) > limit:
            problems.append(self.problem(row, name, value, "too_long", TOO_LONG, limit=limit))
            return ""
        return value

    def parse(
        self, row: Row, name: str, parser: Callable[[Any], T], problems: list[RowProblem]
    ) -> T | None:
        """The parsed cell, ``None`` when blank; a parse error becomes a problem."""
        value = self.raw(row, name)
        if is_blank(value):
            return None
        try:
            return parser(value)
        except CellError as error:
            problems.append(
                RowProblem(
                    row_number=row.number,
                    column=self.column(name),
                    value=quote_value(value),
                    code=error.code,
                    message_zh=error.message_in("zh-hans"),
                    message_en=error.message_in("en"),
                )
            )
            return None

    def require(self, row: Row, name: str, value: object, problems: list[RowProblem]) -> None:
        """A problem when a required value is blank (unless its cell was already reported)."""
        column = self.column(name) or name
        if any(p.row_number == row.number and p.column == column for p in problems):
            return
        if value is None or value == "":
            label = next((spec.label for spec in self.fields if spec.name == name), name)
            problems.append(
                self.problem(
                    row, name, self.raw(row, name), "required", REQUIRED_MISSING, field=label
                )
            )

    def choice(
        self,
        row: Row,
        name: str,
        choices: Mapping[str, str],
        problems: list[RowProblem],
    ) -> str | None:
        """A value looked up in {accepted spelling (lower case): stored value}."""
        text = to_halfwidth(clean_text(self.raw(row, name))).strip().lower()
        if not text:
            return None
        if text in choices:
            return choices[text]
        shown = "、".join(sorted({k for k in choices if not k.isascii()} or set(choices)))
        problems.append(self.problem(row, name, text, "not_a_choice", NOT_CHOICE, choices=shown))
        return None

    def problem(
        self, row: Row, name: str, value: object, code: str, template: str | Promise, **params: Any
    ) -> RowProblem:
        return render_problem(
            row_number=row.number,
            column=self.column(name) or name,
            value=value,
            code=code,
            template=template,
            params=params,
        )

    def validation_problems(
        self, row: Row, error: ValidationError, columns: Mapping[str, str]
    ) -> list[RowProblem]:
        """A service's ValidationError as problems on the columns its keys map to."""
        return [
            self.service_problem(row, name, message, value=quote_value(self.raw(row, name)))
            for key, messages in error_items(error)
            for name in [columns.get(key, key)]
            for message in messages
        ]

    def service_problem(self, row: Row, name: str, message: str, *, value: str) -> RowProblem:
        """One message a domain service raised, reported on column ``name`` in both languages."""
        zh, en = translated_pair(message)
        return RowProblem(
            row_number=row.number,
            column=self.column(name) or name,
            value=value,
            code="invalid",
            message_zh=zh,
            message_en=en,
        )

    # -- stores ----------------------------------------------------------------------------

    def store(self, row: Row, name: str, problems: list[RowProblem]) -> Store | None:
        """The store named by code in the row, else the job's default store; either must be in
        the user's scope."""
        code = to_halfwidth(clean_text(self.raw(row, name))).strip().upper()
        if not code:
            if self.default_store is None:
                problems.append(self.problem(row, name, "", "store_required", STORE_NEEDED))
            return self.default_store
        if code not in self._stores:
            self._stores[code] = Store.objects.filter(code__iexact=code).first()
        store = self._stores[code]
        allowed = self._store_ids
        if store is None or not (allowed is ALL_STORES or store.pk in (allowed or ())):
            problems.append(self.problem(row, name, code, "store_out_of_scope", STORE_OUT_OF_SCOPE))
            return None
        return store

    # -- the work --------------------------------------------------------------------------

    def unit_key(self, row: Row) -> str | None:
        """Rows with the same key next to each other form one unit (orders); ``None``: a row
        is a unit on its own."""
        return None

    def duplicate_key(self, row: Row) -> str | None:
        """The natural key of the record a row describes: a second row with the same key in
        one file is reported as a duplicate."""
        return None

    def describe_key(self, key: str) -> str:
        """A duplicate key as an error message shows it (never a full phone number)."""
        return key

    def import_unit(self, rows: Sequence[Row]) -> Outcome:
        raise NotImplementedError


def lower_choices(choices: Mapping[str, str], labels: Mapping[str, Any]) -> dict[str, str]:
    """Accepted spellings: each stored value, each Chinese label and any extra spelling."""
    accepted = {value.lower(): value for value in labels if value}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            accepted.update({str(label).lower(): value for value, label in labels.items() if value})
    accepted.update({k.lower(): v for k, v in choices.items()})
    return accepted
