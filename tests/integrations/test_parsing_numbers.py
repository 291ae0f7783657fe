"""Amounts (¥, ￥, RMB, 元, thousands separators, full-width digits, minus or brackets) → Decimal
quantised to the fen, never through float; whole numbers and quantities with measure words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolcrm.integrations.parsing import CellError, parse_amount, parse_int, parse_quantity


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("¥1,234.50", "1234.50"),
        ("￥1，234.5", "1234.50"),
        ("￥１，２３４．５", "1234.50"),
        ("1234.5", "1234.50"),
        ("1 234.50", "1234.50"),
        ("1\u00a0234.50", "1234.50"),
        ("1,234,567.89", "1234567.89"),
        ("RMB 1,234.50", "1234.50"),
        ("rmb1234.5", "1234.50"),
        ("CNY 88", "88.00"),
        ("1,234.50元", "1234.50"),
        ("人民币1234.5元", "1234.50"),
        ("¥980元", "980.00"),
        ("-12.50", "-12.50"),
        ("−12.50", "-12.50"),
        ("－１２．５", "-12.50"),
        ("(12.50)", "-12.50"),
        ("（12.50）", "-12.50"),
        ("(¥1,234.50)", "-1234.50"),
        ("¥-12.50", "-12.50"),
        ("-¥12.50", "-12.50"),
        ("+3", "3.00"),
        (".5", "0.50"),
        ("0", "0.00"),
        ("12.345", "12.35"),
        ("12.344", "12.34"),
        ("0.005", "0.01"),
        ("-0.001", "0.00"),
        ("999999999999.99", "999999999999.99"),
        (1299, "1299.00"),
        (12345.5, "12345.50"),
        (0.1 + 0.2, "0.30"),
        (2.675, "2.68"),  # float(2.675) is 2.67499999…; its shortest text 2.675 rounds half-up
        (Decimal("1.005"), "1.01"),
        (Decimal("-0"), "0.00"),
    ],
)
def test_parse_amount(value: object, expected: str) -> None:
    amount = parse_amount(value)

    assert amount == Decimal(expected)
    assert str(amount) == expected
    assert isinstance(amount, Decimal)


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "1,23",
        "1234,00",  # decimal comma: refused, not guessed
        "1 234,00",
        "1,2345",
        "12.3.4",
        "1e5",
        "¥",
        "--5",
        "1.5万",
        "12 元 5 角",
        "#N/A",
        True,
        float("nan"),
        float("inf"),
    ],
)
def test_garbage_amounts_are_refused(value: object) -> None:
    with pytest.raises(CellError) as excinfo:
        parse_amount(value)

    assert excinfo.value.code == "invalid_amount"
    assert excinfo.value.message_in("zh-hans").startswith("不是有效的金额：")


@pytest.mark.parametrize(
    ("value", "code"), [("", "required"), (None, "required"), ("  ", "required")]
)
def test_missing_amount(value: object, code: str) -> None:
    with pytest.raises(CellError) as excinfo:
        parse_amount(value)

    assert excinfo.value.code == code
    assert excinfo.value.message_in("zh-hans") == "请填写金额。"


@pytest.mark.parametrize("value", ["1000000000000", "999999999999.995", 1e20, "9" * 40])
def test_amounts_beyond_the_database_column_are_refused(value: object) -> None:
    with pytest.raises(CellError) as excinfo:
        parse_amount(value)

    assert excinfo.value.code == "amount_too_large"


cents = st.integers(min_value=-(10**14) + 1, max_value=10**14 - 1)
FULLWIDTH_DIGITS = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


def written_amount(amount: Decimal, *, separator: str, currency: str, negative: str) -> str:
    whole, fraction = f"{abs(amount):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    body = f"{separator.join(groups)}.{fraction}"
    if currency in ("元", "RMB_after"):
        body = f"{body}{'元' if currency == '元' else ' RMB'}"
    elif currency:
        body = f"{currency}{body}"
    if amount < 0:
        body = f"({body})" if negative == "()" else f"{negative}{body}"
    return body


@given(
    cents,
    st.sampled_from(["", ",", "，", " "]),
    st.sampled_from(["", "¥", "￥", "RMB ", "人民币", "元", "RMB_after"]),
    st.sampled_from(["-", "−", "()", "－"]),
    st.booleans(),
)
def test_written_amounts_round_trip_to_the_same_decimal(
    amount_in_cents: int, separator: str, currency: str, negative: str, fullwidth: bool
) -> None:
    amount = Decimal(amount_in_cents).scaleb(-2)
    written = written_amount(amount, separator=separator, currency=currency, negative=negative)
    if fullwidth:
        written = written.translate(FULLWIDTH_DIGITS)

    assert parse_amount(written) == amount


@given(st.decimals(min_value=-(10**11), max_value=10**11, places=2, allow_nan=False))
def test_amount_parsing_is_exact_for_two_decimal_values(amount: Decimal) -> None:
    assert parse_amount(str(amount)) == amount
    assert parse_amount(amount) == amount


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,200", 1200),
        ("１２", 12),
        ("12.0", 12),
        (12.0, 12),
        ("-3", -3),
        (7, 7),
        (Decimal("5"), 5),
    ],
)
def test_parse_int(value: object, expected: int) -> None:
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.5", "不是整数：1.5"),
        (1.5, "不是整数：1.5"),
        ("abc", "不是整数：abc"),
        ("¥12", "不是整数：¥12"),
        (True, "不是整数：True"),
        ("", "请填写数字。"),
    ],
)
def test_parse_int_refuses(value: object, message: str) -> None:
    with pytest.raises(CellError) as excinfo:
        parse_int(value)

    assert excinfo.value.message_in("zh-hans") == message


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3件", 3), ("2 把", 2), ("1台", 1), ("5 PCS", 5), ("１０个", 10), (4, 4), (4.0, 4), ("0", 0)],
)
def test_parse_quantity(value: object, expected: int) -> None:
    assert parse_quantity(value) == expected


def test_negative_quantities_only_when_allowed() -> None:
    assert parse_quantity("-1件", allow_negative=True) == -1
    with pytest.raises(CellError) as excinfo:
        parse_quantity("-1")

    assert excinfo.value.code == "negative_quantity"
    assert excinfo.value.message_in("zh-hans") == "数量不能为负数：-1"


@pytest.mark.parametrize(
    ("value", "code", "message"),
    [
        ("1.5件", "invalid_quantity", "不是有效的数量：1.5件（应为整数，如 3 或 3件）"),
        ("三件", "invalid_quantity", "不是有效的数量：三件（应为整数，如 3 或 3件）"),
        ("", "required", "请填写数字。"),
        (None, "required", "请填写数字。"),
    ],
)
def test_parse_quantity_refuses(value: object, code: str, message: str) -> None:
    with pytest.raises(CellError) as excinfo:
        parse_quantity(value)

    assert excinfo.value.code == code
    assert excinfo.value.message_in("zh-hans") == message
