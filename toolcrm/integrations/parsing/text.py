"""Text cleaning shared by every parser: what a cell "says" once the typing accidents of Chinese
input methods and spreadsheet programs are removed.

Rule (``clean_text``): full-width ASCII (``ＡＢＣ１２３（），``) and every kind of space (the
ideographic space U+3000, no-break and thin spaces) become their plain forms; invisible characters
that exports leave behind (zero-width space, BOM, word joiner, soft hyphen) are dropped; runs of
whitespace collapse to one space and the ends are stripped; the rest is NFC-composed. This is NFKC
only "where safe": compatibility forms that carry meaning in product names and notes (``m²``,
``①``, ``℃``, ``½``, ``™``) are kept as written, because NFKC would turn them into ``m2``,
``1``, ``°C``, ``1⁄2`` and ``TM``. Chinese punctuation that is not a full-width ASCII twin
(``。、「」《》``) is kept too.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from functools import lru_cache

# Zero-width space/non-joiner, word joiner, BOM, soft hyphen: invisible, and they break matching.
# The zero-width joiner stays: it holds emoji sequences together.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u2060\ufeff\u00ad"))
_WHITESPACE_RUN = re.compile(r"\s+")
_HORIZONTAL_WHITESPACE_RUN = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029\x85\x0b\x0c]")

CellValue = (
    str | int | float | Decimal | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None
)
"""What a table cell can hold: text from CSV; typed values from Excel (dates, numbers, booleans)."""


@lru_cache(maxsize=4096)
def _fold_character(char: str) -> str:
    if char.isspace():
        return "\n" if char == "\n" else " "
    if unicodedata.decomposition(char).startswith(("<wide>", "<narrow>")):
        folded = unicodedata.normalize("NFKC", char)
        # A few wide forms (￣ FULLWIDTH MACRON) fold to space + combining mark: keep those.
        if len(folded) == 1:
            return folded
    return char


def to_halfwidth_safe(text: str) -> str:
    """Full-width and half-width forms to their plain twins; every space to U+0020, line breaks
    to ``\\n``; other characters unchanged (see the module docstring for why not plain NFKC)."""
    text = _LINE_BREAKS.sub("\n", text.translate(_INVISIBLE))
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", "".join(map(_fold_character, text)))


def clean_text(value: object, *, keep_line_breaks: bool = False) -> str:
    """The cell as one tidy line of text ("" for an empty cell). Numbers that Excel stored as
    whole floats lose the ``.0`` (a phone typed as a number arrives as ``13812345678.0``).
    ``keep_line_breaks`` keeps the line structure of notes typed with Alt+Enter."""
    if value is None:
        return ""
    text = cell_text(value)
    text = to_halfwidth_safe(text)
    if keep_line_breaks:
        lines = (_HORIZONTAL_WHITESPACE_RUN.sub(" ", line).strip() for line in text.split("\n"))
        return "\n".join(line for line in lines if line)
    return _WHITESPACE_RUN.sub(" ", text).strip()


def cell_text(value: object) -> str:
    """A cell's value as the text a person would read in the spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    return str(value)


def is_blank(value: object) -> bool:
    """True for an empty cell: None, or text that is only spaces and invisible characters."""
    if value is None:
        return True
    if isinstance(value, str):
        stripped = value.strip()
        # Fast path for the usual cell; only non-ASCII text can hide invisible characters.
        return not stripped or (not stripped.isascii() and not clean_text(stripped))
    return False
