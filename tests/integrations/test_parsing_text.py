"""Text cleaning: full-width ASCII and odd spaces become plain, invisible characters go, meaningful
compatibility characters (m², ①, ℃) stay; cleaning twice changes nothing."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolcrm.integrations.parsing import CellError, clean_text, is_blank, to_halfwidth_safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  ＡＢＣ１２３  ", "ABC123"),
        ("张三\u3000李四", "张三 李四"),
        ("张三\u00a0\u2009李四", "张三 李四"),
        ("a\u200bb\ufeff", "ab"),
        ("\ufeff姓名", "姓名"),
        ("（备注）：好", "(备注):好"),
        ("ｍｍ，ＰＣＳ", "mm,PCS"),
        ("m²", "m²"),
        ("①号", "①号"),
        ("30℃", "30℃"),
        ("1/2\u2033", "1/2\u2033"),
        ("。、《》", "。、《》"),
        ("ｶﾞ", "ガ"),
        ("a \t\r\n b", "a b"),
        ("", ""),
        (None, ""),
        (13812345678.0, "13812345678"),
        (12.5, "12.5"),
        (12, "12"),
        (dt.datetime(2024, 3, 5, 14, 0), "2024-03-05 14:00:00"),
    ],
)
def test_clean_text(value: object, expected: str) -> None:
    assert clean_text(value) == expected


def test_clean_text_keeps_line_breaks_when_asked() -> None:
    assert clean_text(" 第一行 \r\n\n  第二行\u3000末尾 \n", keep_line_breaks=True) == (
        "第一行\n第二行 末尾"
    )


@pytest.mark.parametrize("value", [None, "", "   ", "\u3000", "\u200b", "\t\r\n"])
def test_blank_cells(value: object) -> None:
    assert is_blank(value)


@pytest.mark.parametrize("value", ["0", 0, 0.0, False, "-", dt.date(2024, 3, 5)])
def test_non_blank_cells(value: object) -> None:
    assert not is_blank(value)


@given(st.text())
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text)

    assert clean_text(once) == once
    assert clean_text(once, keep_line_breaks=True) == once


@given(st.text())
def test_halfwidth_folding_is_idempotent_and_leaves_no_fullwidth_ascii(text: str) -> None:
    once = to_halfwidth_safe(text)

    assert to_halfwidth_safe(once) == once
    assert not any("\uff01" <= char <= "\uff5e" for char in once)
    assert unicodedata.is_normalized("NFC", once)


@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E)))
def test_fullwidth_ascii_folds_to_the_same_ascii(ascii_text: str) -> None:
    fullwidth = "".join(chr(ord(char) + 0xFEE0) for char in ascii_text)

    assert clean_text(fullwidth) == clean_text(ascii_text) == ascii_text


def test_cell_error_renders_in_chinese_and_english() -> None:
    from toolcrm.integrations.parsing import parse_amount

    with pytest.raises(CellError) as excinfo:
        parse_amount("abc")

    error = excinfo.value
    assert error.code == "invalid_amount"
    assert error.value == "abc"
    assert error.message_in("zh-hans") == "不是有效的金额：abc（例：1234.50、¥1,234.50）"
    assert error.message_in("en") == "Not a valid amount: abc (e.g. 1234.50, ¥1,234.50)"
    assert isinstance(error, ValueError)


def test_cell_error_quotes_long_values_shortened() -> None:
    from toolcrm.integrations.parsing import parse_int

    with pytest.raises(CellError) as excinfo:
        parse_int("数" * 100)

    assert excinfo.value.message_in("zh-hans") == "不是整数：" + "数" * 39 + "…"
