"""Money and counts as Chinese retail exports write them; money is ``Decimal``, never float.

Amounts (``parse_amount``), after ``clean_text`` (so full-width ``￥１，２３４．５`` is fine):

- a currency mark before or after the number: ``¥``/``￥``, ``RMB``, ``CNY``, ``人民币``, ``元``;
- thousands separators: ``,`` (also the full-width ``，``) or a space, in groups of three
  (``1,234,567.50``, ``1 234.50``); a comma anywhere else is refused, because ``1,5`` could be
  the European one-and-a-half or a mistyped 15;
- the decimal separator is always ``.``: ``1 234,00`` is refused, not guessed;
- negative as ``-12.50``, ``−12.50``, ``¥-12.50``, ``-¥12.50`` or accounting-style ``(12.50)``;
- more than two decimals are rounded half-up to the fen (``12.345`` → ``12.35``), as a till does;
- at most 12 integer digits (the database's ``DecimalField(max_digits=14, decimal_places=2)``).

Counts: ``parse_int`` takes whole numbers in any of those forms (``1,200``, ``１２``, ``12.0``);
``parse_quantity`` also takes a measure word after the number (``3件``, ``2把``, ``1台``).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

from toolcrm.integrations.parsing.errors import CellError
from toolcrm.integrations.parsing.text import clean_text

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")

_CURRENCY = re.compile(r"^(?:¥|RMB|CNY|人民币)\s*|\s*(?:元|RMB|CNY|人民币)$", re.IGNORECASE)
_MINUS_SIGNS = "-−"
# Either plain digits, or digit groups of three joined by one kind of separator throughout.
_PLAIN = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_GROUPED = re.compile(r"\d{1,3}(?P<separator>[, ])\d{3}(?:(?P=separator)\d{3})*(?:\.\d+)?")
_MEASURE_WORDS = re.compile(
    r"\s*(?:件|个|台|把|套|支|只|箱|盒|包|瓶|袋|桶|条|卷|张|块|组|副|双|pcs?)$", re.IGNORECASE
)

_REQUIRED_AMOUNT = _("请填写金额。")
_INVALID_AMOUNT = _("不是有效的金额：%(value)s（例：1234.50、¥1,234.50）")
_AMOUNT_TOO_LARGE = _("金额超出范围：%(value)s")
_REQUIRED_NUMBER = _("请填写数字。")
_INVALID_INTEGER = _("不是整数：%(value)s")
_INVALID_QUANTITY = _("不是有效的数量：%(value)s（应为整数，如 3 或 3件）")
_NEGATIVE_QUANTITY = _("数量不能为负数：%(value)s")


def parse_amount(value: object) -> Decimal:
    """A CNY amount quantised to 0.01, or CellError. Never goes through float: an Excel number
    arrives as a float and is read from its shortest decimal text (``repr``), which is the number
    Excel showed."""
    if isinstance(value, bool):
        raise CellError(_INVALID_AMOUNT, code="invalid_amount", value=value)
    if isinstance(value, int | float | Decimal):
        number = _decimal_from_number(value)
    else:
        text = clean_text(value)
        if not text:
            raise CellError(_REQUIRED_AMOUNT, code="required", value=value)
        number = _decimal_from_text(text)
    if number is None:
        raise CellError(_INVALID_AMOUNT, code="invalid_amount", value=value)
    # Compared before quantising: quantize() itself fails on numbers past Decimal's precision.
    if abs(number) >= MAX_AMOUNT + CENT / 2:
        raise CellError(_AMOUNT_TOO_LARGE, code="amount_too_large", value=value)
    return number.quantize(CENT, rounding=ROUND_HALF_UP) + 0  # "+ 0" turns -0.00 into 0.00


def parse_int(value: object) -> int:
    """A whole number (``1,200``, ``１２``, ``12.0``, ``-3``), or CellError."""
    if isinstance(value, bool):
        raise CellError(_INVALID_INTEGER, code="invalid_integer", value=value)
    if isinstance(value, int | float | Decimal):
        number = _decimal_from_number(value)
    else:
        text = clean_text(value)
        if not text:
            raise CellError(_REQUIRED_NUMBER, code="required", value=value)
        number = _decimal_from_text(text, allow_currency=False)
    if number is None or number != number.to_integral_value():
        raise CellError(_INVALID_INTEGER, code="invalid_integer", value=value)
    return int(number)


def parse_quantity(value: object, *, allow_negative: bool = False) -> int:
    """A count of items, optionally followed by a measure word (``3件``). Negative quantities
    (returns in some POS exports) only when ``allow_negative``."""
    text = value if not isinstance(value, str) else _MEASURE_WORDS.sub("", clean_text(value))
    try:
        quantity = parse_int(text)
    except CellError as error:
        if error.code == "required":
            raise CellError(_REQUIRED_NUMBER, code="required", value=value) from None
        raise CellError(_INVALID_QUANTITY, code="invalid_quantity", value=value) from None
    if quantity < 0 and not allow_negative:
        raise CellError(_NEGATIVE_QUANTITY, code="negative_quantity", value=value)
    return quantity


def _decimal_from_number(value: int | float | Decimal) -> Decimal | None:
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return number if number.is_finite() else None


def _decimal_from_text(text: str, *, allow_currency: bool = True) -> Decimal | None:
    """The number a money or count text means, or None when it is not one."""
    is_negative = False
    if text.startswith("(") and text.endswith(")"):
        is_negative, text = True, text[1:-1].strip()
    if text[:1] in _MINUS_SIGNS:
        is_negative, text = not is_negative, text[1:].lstrip()
    elif text[:1] == "+":
        text = text[1:].lstrip()
    if allow_currency:
        stripped = _CURRENCY.sub("", text)
        # "-¥12.50" and "¥-12.50" both occur; a sign after the currency mark counts once.
        if stripped != text and stripped[:1] in _MINUS_SIGNS and not is_negative:
            is_negative, stripped = True, stripped[1:].lstrip()
        text = _CURRENCY.sub("", stripped)
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "").replace(" ", "")
    elif not _PLAIN.fullmatch(text):
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the patterns above admit only valid text
        return None
    return -number if is_negative else number
