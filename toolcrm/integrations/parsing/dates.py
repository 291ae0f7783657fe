"""Dates and times as Chinese retail exports write them.

Accepted (after ``clean_text``, so full-width digits and ``：／`` are fine):

- ``2024年3月5日`` (also ``5号``), optionally followed by a time;
- ``2024-03-05``, ``2024/3/5``, ``2024.3.5`` (one separator used throughout), optionally followed by
  a time after a space or ``T``;
- ``20240305`` and ``20240305143000`` (compact, as POS systems write them);
- times ``14:00``, ``14:00:05``, ``14:00:05.250``, ``14时30分``, ``14点30分05秒``, with an optional
  ``上午``/``下午`` (AM/PM) before them, and an optional ``Z``/``+08:00`` offset after them;
- Excel serial numbers from 10000 (1927-05-18) on, as numbers or text (``45356`` is 2024-03-05,
  ``45356.5833`` is 2024-03-05 13:59:57: the fraction is the time of day, rounded to the second);
  openpyxl's ``from_excel`` does the arithmetic, 1900 leap-year bug included;
- ``date`` and ``datetime`` objects (what openpyxl gives for cells formatted as dates).

Years must lie in 1901–2100: anything outside is a typing slip. Day-first and two-digit-year
forms (``5/3/24``) are refused rather than guessed. Times without an offset are China Standard
Time: the exports come from systems in China whatever time zone the server runs in.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import TypeVar
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _
from openpyxl.utils.datetime import from_excel

from toolcrm.integrations.parsing.errors import CellError
from toolcrm.integrations.parsing.text import clean_text

CHINA_TZ = ZoneInfo("Asia/Shanghai")
MIN_YEAR = 1901
MAX_YEAR = 2100
# Serials below 10000 (before 1927-05-18) are years, quantities or prices typed into a date column
# far more often than dates; five-digit serials cover every plausible customer or order date.
MIN_EXCEL_SERIAL = 10_000
_MoreOrLessADate = TypeVar("_MoreOrLessADate", dt.date, dt.datetime)

_TIME = (
    r"(?:\s*T?\s*(?P<meridiem>上午|下午|AM|PM)?\s*"
    r"(?P<hour>\d{1,2})\s*[:时点]\s*(?P<minute>\d{2})\s*分?"
    r"(?:\s*:?\s*(?P<second>\d{2})(?:\.(?P<fraction>\d{1,6}))?\s*秒?)?"
    r"\s*(?P<offset>Z|[+-]\d{2}:?\d{2})?)?"
)
_DATE_FORMS = [
    re.compile(
        r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*[日号]?" + _TIME,
        re.IGNORECASE,
    ),
    re.compile(
        r"(?P<year>\d{4})(?P<sep>[-/.])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})" + _TIME,
        re.IGNORECASE,
    ),
    re.compile(
        r"(?P<year>\d{4})(?P<month>\d{2})(?P<day>\d{2})"
        r"(?:(?P<hour>\d{2})(?P<minute>\d{2})(?P<second>\d{2}))?"
    ),
]
_NUMBER = re.compile(r"\d+(?:\.\d+)?")

_REQUIRED = _("请填写日期。")
_UNREADABLE = _("无法识别的日期：%(value)s（可用格式如 2024-03-05、2024/3/5、2024年3月5日）")
_NO_SUCH_DAY = _("日期不存在：%(value)s（%(year)s 年 %(month)s 月没有 %(day)s 日）")
_NO_SUCH_MONTH = _("日期不存在：%(value)s（月份应为 1–12）")
_NO_SUCH_TIME = _("时间不存在：%(value)s")
_YEAR_OUT_OF_RANGE = _("日期的年份不合理：%(value)s（应在 %(min_year)s 至 %(max_year)s 年之间）")


def parse_date(value: object) -> dt.date:
    """The calendar date a cell means (a time part, if any, is dropped after converting an
    explicit offset to China time)."""
    moment = _read(value)
    if isinstance(moment, dt.datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(CHINA_TZ)
        return moment.date()
    return moment


def parse_datetime(value: object) -> dt.datetime:
    """An aware datetime in Asia/Shanghai (a date alone means its midnight)."""
    moment = _read(value)
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    if moment.tzinfo is None:
        return moment.replace(tzinfo=CHINA_TZ)
    return moment.astimezone(CHINA_TZ)


def _read(value: object) -> dt.datetime | dt.date:
    """A naive or aware datetime, or a date; never a date outside MIN_YEAR–MAX_YEAR."""
    if isinstance(value, dt.datetime | dt.date):
        return _check_year(value, value)
    if value is None:
        raise CellError(_REQUIRED, code="required", value=value)
    if isinstance(value, bool | dt.time | dt.timedelta) or not _is_finite(value):
        raise CellError(_UNREADABLE, code="invalid_date", value=value)
    text = clean_text(value)
    if not text:
        raise CellError(_REQUIRED, code="required", value=value)
    if _NUMBER.fullmatch(text) and not (len(text) in (8, 14) and text.isdigit()):
        return _from_serial(Decimal(text), value)
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            return _from_parts(match.groupdict(), value)
    raise CellError(_UNREADABLE, code="invalid_date", value=value)


def _is_finite(value: object) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Decimal):
        return value.is_finite()
    return True


def _from_serial(number: Decimal, value: object) -> dt.datetime | dt.date:
    """An Excel serial: days since 1899-12-30, the fraction being the time of day."""
    if number < MIN_EXCEL_SERIAL:
        raise CellError(_UNREADABLE, code="invalid_date", value=value)
    if number >= 100_000:  # 2173-10-14, already past MAX_YEAR
        raise CellError(
            _YEAR_OUT_OF_RANGE,
            code="year_out_of_range",
            value=value,
            params={"min_year": MIN_YEAR, "max_year": MAX_YEAR},
        )
    moment = from_excel(float(number))
    # Excel keeps the time of day as a binary fraction: round away the float noise.
    moment = (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
    if number == number.to_integral_value():
        return _check_year(moment.date(), value)
    return _check_year(moment, value)


def _from_parts(parts: dict[str, str | None], value: object) -> dt.datetime | dt.date:
    year, month, day = int(parts["year"] or 0), int(parts["month"] or 0), int(parts["day"] or 0)
    if not 1 <= month <= 12:
        raise CellError(_NO_SUCH_MONTH, code="invalid_date", value=value)
    _check_year_number(year, value)
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise CellError(
            _NO_SUCH_DAY,
            code="invalid_date",
            value=value,
            params={"year": year, "month": month, "day": day},
        ) from None
    if not parts.get("hour"):
        return date
    return _with_time(date, parts, value)


def _with_time(date: dt.date, parts: dict[str, str | None], value: object) -> dt.datetime:
    hour, minute = int(parts["hour"] or 0), int(parts["minute"] or 0)
    second = int(parts.get("second") or 0)
    microsecond = int((parts.get("fraction") or "").ljust(6, "0"))
    meridiem = (parts.get("meridiem") or "").upper()
    if meridiem in ("下午", "PM") and 1 <= hour < 12:
        hour += 12
    elif meridiem in ("上午", "AM") and hour == 12:
        hour = 0
    try:
        moment = dt.datetime.combine(date, dt.time(hour, minute, second, microsecond))
    except ValueError:
        raise CellError(_NO_SUCH_TIME, code="invalid_time", value=value) from None
    offset = parts.get("offset")
    if offset:
        moment = moment.replace(tzinfo=_offset(offset))
    return moment


def _offset(text: str) -> dt.tzinfo:
    if text.upper() == "Z":
        return dt.UTC
    digits = text[1:].replace(":", "")
    delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return dt.timezone(-delta if text[0] == "-" else delta)


def _check_year(moment: _MoreOrLessADate, value: object) -> _MoreOrLessADate:
    _check_year_number(moment.year, value)
    return moment


def _check_year_number(year: int, value: object) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CellError(
            _YEAR_OUT_OF_RANGE,
            code="year_out_of_range",
            value=value,
            params={"min_year": MIN_YEAR, "max_year": MAX_YEAR},
        )
