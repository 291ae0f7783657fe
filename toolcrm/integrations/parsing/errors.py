"""The errors the parsers raise. Each carries a Chinese source message (translated through gettext
when it is shown), a stable ``code`` for programs and the offending value, so that an importer can
write one error-report line per bad cell with the reason in both Chinese and English."""

from __future__ import annotations

from collections.abc import Mapping

from django.utils import translation
from django.utils.functional import Promise

# A cell can hold a whole paragraph; an error message quotes only its start.
_MAX_QUOTED = 40


def quote_value(value: object) -> str:
    """The value as a message shows it: text as it is, shortened when long."""
    text = "" if value is None else str(value)
    return text if len(text) <= _MAX_QUOTED else text[: _MAX_QUOTED - 1] + "…"


class ParseError(ValueError):
    """Base of every parsing problem. ``str(error)`` is the message in the active language;
    ``message_in("en")`` renders it in a given one (for the bilingual error report)."""

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str,
        value: object = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        self.template = message
        self.code = code
        self.value = value
        self.params: dict[str, object] = {"value": quote_value(value), **(params or {})}
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(self.template) % self.params

    def message_in(self, language: str) -> str:
        with translation.override(language):
            return self.message

    def __str__(self) -> str:
        return self.message


class CellError(ParseError):
    """One value that cannot be read as the type its column needs."""


class TableError(ParseError):
    """The file as a whole cannot be read (unknown encoding, not a table, old .xls, empty…)."""
