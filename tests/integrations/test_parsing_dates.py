"""Dates and times as exports write them: Chinese, slash, dash, dot and compact forms, Excel
serials and Excel date cells; impossible dates and absurd years refused with the reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl.utils.datetime import to_excel

from toolcrm.integrations.parsing import CHINA_TZ, CellError, parse_date, parse_datetime

MARCH_5 = dt.date(2024, 3, 5)


def shanghai(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=CHINA_TZ)  # type: ignore[misc]


@pytest.mark.parametrize(
    "value",
    [
        "2024年3月5日",
        "2024年03月05日",
        "2024 年 3 月 5 日",
        "2024年3月5号",
        "２０２４年３月５日",
        "2024/3/5",
        "2024/03/05",
        "2024-03-05",
        "２０２４－０３－０５",
        "2024.3.5",
        "20240305",
        20240305,
        "45356",
        45356,
        45356.0,
        Decimal("45356"),
        45356.5833,
        " 2024-03-05 ",
        "2024-03-05 14:00",
        "2024-03-04T18:30:00Z",  # 02:30 on the 5th in Shanghai
        dt.date(2024, 3, 5),
        dt.datetime(2024, 3, 5, 14, 0),
        dt.datetime(2024, 3, 5, 23, 59, tzinfo=CHINA_TZ),
    ],
)
def test_parse_date_accepts(value: object) -> None:
    assert parse_date(value) == MARCH_5


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024年3月5日 14:00", shanghai(2024, 3, 5, 14, 0)),
        ("2024年3月5日14时30分", shanghai(2024, 3, 5, 14, 30)),
        ("2024年3月5日 14点30分05秒", shanghai(2024, 3, 5, 14, 30, 5)),
        ("2024-03-05 14:00", shanghai(2024, 3, 5, 14, 0)),
        ("2024-03-05 14:00:05", shanghai(2024, 3, 5, 14, 0, 5)),
        ("2024-03-05 14:00:05.25", shanghai(2024, 3, 5, 14, 0, 5, 250000)),
        ("2024/3/5 9:05", shanghai(2024, 3, 5, 9, 5)),
        ("2024.3.5 09:05:00", shanghai(2024, 3, 5, 9, 5)),
        ("2024-03-05T14:00:00", shanghai(2024, 3, 5, 14, 0)),
        ("2024-03-05T14:00:00+08:00", shanghai(2024, 3, 5, 14, 0)),
        ("2024-03-05T06:00:00Z", shanghai(2024, 3, 5, 14, 0)),
        ("2024-03-05 06:00:00 +0000", shanghai(2024, 3, 5, 14, 0)),
        ("2024-03-05 下午2:00", shanghai(2024, 3, 5, 14, 0)),
        ("2024-03-05 上午12:30", shanghai(2024, 3, 5, 0, 30)),
        ("2024-03-05 PM 2:00", shanghai(2024, 3, 5, 14, 0)),
        ("２０２４－０３－０５　１４：００", shanghai(2024, 3, 5, 14, 0)),
        ("20240305143000", shanghai(2024, 3, 5, 14, 30)),
        ("2024-03-05", shanghai(2024, 3, 5, 0, 0)),
        ("45356", shanghai(2024, 3, 5, 0, 0)),
        (45356.5833, shanghai(2024, 3, 5, 13, 59, 57)),
        ("45356.5833", shanghai(2024, 3, 5, 13, 59, 57)),
        (45356.583333333336, shanghai(2024, 3, 5, 14, 0)),
        (dt.datetime(2024, 3, 5, 14, 0), shanghai(2024, 3, 5, 14, 0)),
        (dt.datetime(2024, 3, 5, 6, 0, tzinfo=dt.UTC), shanghai(2024, 3, 5, 14, 0)),
        (dt.date(2024, 3, 5), shanghai(2024, 3, 5, 0, 0)),
    ],
)
def test_parse_datetime_gives_aware_shanghai_time(value: object, expected: dt.datetime) -> None:
    parsed = parse_datetime(value)

    assert parsed == expected
    assert parsed.tzinfo == CHINA_TZ
    assert parsed.utcoffset() == dt.timedelta(hours=8)


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("2024-02-30", "invalid_date", "日期不存在：2024-02-30（2024 年 2 月没有 30 日）"),
        ("2023年2月29日", "invalid_date", "日期不存在：2023年2月29日（2023 年 2 月没有 29 日）"),
        ("2024/4/31", "invalid_date", "日期不存在：2024/4/31（2024 年 4 月没有 31 日）"),
        ("2024-13-01", "invalid_date", "日期不存在：2024-13-01（月份应为 1–12）"),
        ("20240230", "invalid_date", "日期不存在：20240230（2024 年 2 月没有 30 日）"),
        (
            "1899-12-31",
            "year_out_of_range",
            "日期的年份不合理：1899-12-31（应在 1901 至 2100 年之间）",
        ),
        (
            "3024-03-05",
            "year_out_of_range",
            "日期的年份不合理：3024-03-05（应在 1901 至 2100 年之间）",
        ),
        (
            "0202年3月5日",
            "year_out_of_range",
            "日期的年份不合理：0202年3月5日（应在 1901 至 2100 年之间）",
        ),
        (
            dt.date(1800, 1, 1),
            "year_out_of_range",
            "日期的年份不合理：1800-01-01（应在 1901 至 2100 年之间）",
        ),
        (150000, "year_out_of_range", "日期的年份不合理：150000（应在 1901 至 2100 年之间）"),
        ("2024-03-05 25:00", "invalid_time", "时间不存在：2024-03-05 25:00"),
        ("2024-03-05 14:60", "invalid_time", "时间不存在：2024-03-05 14:60"),
        ("", "required", "请填写日期。"),
        ("  ", "required", "请填写日期。"),
        (None, "required", "请填写日期。"),
    ],
)
def test_impossible_dates_are_refused_with_the_reason(
    value: object, code: str, message: str
) -> None:
    with pytest.raises(CellError) as excinfo:
        parse_date(value)

    assert excinfo.value.code == code
    assert excinfo.value.message_in("zh-hans") == message


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "5",  # Excel serial 5 would be 1900-01-05: a typing slip, not a date
        5,
        "2024",
        2024,
        "2024.03",
        "5/3/2024",  # day-first: refused, not guessed
        "3/5/24",
        "24-3-5",
        "2024/03-05",  # two different separators
        "2024-3",
        "2024年3月",
        "-45356",
        float("nan"),
        float("inf"),
        True,
        dt.time(14, 0),
        dt.timedelta(days=1),
    ],
)
def test_unreadable_dates(value: object) -> None:
    with pytest.raises(CellError) as excinfo:
        parse_date(value)

    assert excinfo.value.code == "invalid_date"
    assert "无法识别的日期" in excinfo.value.message_in("zh-hans")
    assert "Unrecognised date" in excinfo.value.message_in("en")


def test_date_error_in_english() -> None:
    with pytest.raises(CellError) as excinfo:
        parse_date("2024-02-30")

    assert excinfo.value.message_in("en") == ("No such date: 2024-02-30 (2024-2 has no day 30)")


dates = st.dates(min_value=dt.date(1901, 1, 1), max_value=dt.date(2100, 12, 31))
FULLWIDTH = str.maketrans("0123456789-/:", "０１２３４５６７８９－／：")


@given(dates, st.sampled_from(range(8)))
def test_any_date_in_any_supported_form_parses_back_to_itself(date: dt.date, form: int) -> None:
    y, m, d = date.year, date.month, date.day
    written: object = [
        f"{y}年{m}月{d}日",
        f"{y}/{m}/{d}",
        f"{y}-{m:02d}-{d:02d}",
        f"{y}.{m}.{d}",
        f"{y}{m:02d}{d:02d}",
        int(f"{y}{m:02d}{d:02d}"),
        f"{y}-{m:02d}-{d:02d}".translate(FULLWIDTH),
        dt.datetime(y, m, d),
    ][form]

    assert parse_date(written) == date


@given(st.dates(min_value=dt.date(1927, 5, 18), max_value=dt.date(2100, 12, 31)))
def test_excel_serials_parse_back_to_their_date(date: dt.date) -> None:
    serial = to_excel(dt.datetime(date.year, date.month, date.day))

    assert parse_date(serial) == date
    assert parse_date(str(int(serial))) == date


@given(
    st.datetimes(min_value=dt.datetime(1927, 6, 1), max_value=dt.datetime(2100, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)
    ),
    st.sampled_from(range(4)),
)
def test_any_datetime_in_any_supported_form_parses_back_to_itself(
    moment: dt.datetime, form: int
) -> None:
    written: object = [
        moment.strftime("%Y-%m-%d %H:%M:%S"),
        f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M:%S}",
        moment.strftime("%Y%m%d%H%M%S"),
        to_excel(moment),
    ][form]

    assert parse_datetime(written) == moment.replace(tzinfo=CHINA_TZ)
