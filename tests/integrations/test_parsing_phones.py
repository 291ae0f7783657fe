"""Phone cells in every written form → one E.164 value (through core.pii, so imports and the
counter agree), with Excel's own damage (scientific notation) explained."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from toolcrm.core.pii import try_normalise_phone
from toolcrm.integrations.parsing import CellError, parse_phone


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13812345678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("+86-138-1234-5678", "+8613812345678"),
        ("0086 13812345678", "+8613812345678"),
        ("86 138 1234 5678", "+8613812345678"),
        ("8613812345678", "+8613812345678"),
        ("(+86)138-1234-5678", "+8613812345678"),
        ("１３８ １２３４ ５６７８", "+8613812345678"),
        ("＋８６ １３８－１２３４－５６７８", "+8613812345678"),
        (" 138\u30001234\u30005678 ", "+8613812345678"),
        (13812345678, "+8613812345678"),
        (13812345678.0, "+8613812345678"),
        (8613812345678, "+8613812345678"),
        (Decimal("13812345678"), "+8613812345678"),
        ("021-6234 5678", "+862162345678"),
        ("(021)62345678", "+862162345678"),
        ("0755-8888 8888", "+8675588888888"),
    ],
)
def test_parse_phone(value: object, expected: str) -> None:
    assert parse_phone(value) == expected


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        (
            "1.38123E+10",
            "phone_scientific",
            "电话号码被 Excel 存成了科学计数法，后几位已丢失：1.38123E+10"
            "（请把该列设为文本后重新导出）",
        ),
        ("12345", "invalid", "电话号码无效：12345（手机号应为 11 位，以 1 开头）"),
        ("abc", "invalid_phone", "电话号码格式不正确：abc"),
        ("", "required", "请输入电话号码。"),
        (None, "required", "请输入电话号码。"),
    ],
)
def test_bad_phones_are_refused_with_the_reason(value: object, code: str, message: str) -> None:
    with pytest.raises(CellError) as excinfo:
        parse_phone(value)

    assert excinfo.value.code == code
    assert excinfo.value.message_in("zh-hans") == message


def test_phone_error_in_english() -> None:
    with pytest.raises(CellError) as excinfo:
        parse_phone("12345")

    assert excinfo.value.message_in("en").startswith("Invalid phone number: 12345")


MOBILE_PREFIXES = ["130", "133", "135", "136", "138", "139", "150", "158", "177", "186", "189"]
FULLWIDTH = str.maketrans("0123456789+-()", "０１２３４５６７８９＋－（）")


@given(
    st.sampled_from(MOBILE_PREFIXES),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.sampled_from(["", "+86", "+86 ", "0086", "0086 ", "86", "86 ", "(+86)", "+86-"]),
    st.sampled_from(["", " ", "-", "\u3000"]),
    st.booleans(),
)
def test_phones_in_random_written_forms_normalise_to_the_same_e164(
    prefix: str, rest: str, country: str, separator: str, fullwidth: bool
) -> None:
    number = prefix + rest
    assume(try_normalise_phone(number) is not None)
    written = country + separator.join([number[:3], number[3:7], number[7:]])
    if fullwidth:
        written = written.translate(FULLWIDTH)

    assert parse_phone(written) == "+86" + number
