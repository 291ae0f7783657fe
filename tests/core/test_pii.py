"""Phone and ID-card normalising and masking: every written form of one phone gives one E.164
value and one blind index; invalid input is refused with a message; masks hide the middle."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from toolcrm.core import pii

WRITTEN_FORMS = [
    "13812345678",
    "+86 138 1234 5678",
    "+86-138-1234-5678",
    "0086 13812345678",
    "138-1234-5678",
    "(+86)13812345678",
    "（+86）138 1234 5678",
    "１３８１２３４５６７８",
    "＋８６ １３８ １２３４ ５６７８",
    "\t138 1234\t5678 ",
    " 138\u30001234\u30005678",
    "+86 138.1234.5678",
]


@pytest.mark.parametrize("written", WRITTEN_FORMS)
def test_every_written_form_normalises_to_the_same_e164(written: str) -> None:
    assert pii.normalise_phone(written) == "+8613812345678"


def test_every_written_form_has_the_same_blind_index() -> None:
    indexes = {pii.phone_index(written) for written in WRITTEN_FORMS}

    assert len(indexes) == 1
    (index,) = indexes
    assert index and "13812345678" not in index


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "请输入电话号码"),
        ("   ", "请输入电话号码"),
        ("abc", "电话号码格式不正确"),
        ("12345", "电话号码无效"),
        ("1381234567", "电话号码无效"),  # 10 digits
        ("138123456789", "电话号码无效"),  # 12 digits
        ("12012345678", "电话号码无效"),  # no such mobile prefix
        ("+86 100 0000 0000", "电话号码无效"),
    ],
)
def test_invalid_phone_raises_validation_error_with_a_message(raw: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        pii.normalise_phone(raw)

    assert message in excinfo.value.messages[0]
    assert pii.try_normalise_phone(raw) is None
    assert pii.phone_index(raw) is None


def test_invalid_phone_message_quotes_what_was_typed() -> None:
    with pytest.raises(ValidationError) as excinfo:
        pii.normalise_phone("138-1234")

    assert "138-1234" in excinfo.value.messages[0]


def test_foreign_numbers_keep_their_country_code() -> None:
    assert pii.normalise_phone("+852 6123 4567") == "+85261234567"
    assert pii.normalise_phone("001 650 253 0000") == "+16502530000"


def test_safe_normaliser_falls_back_to_the_raw_text() -> None:
    assert pii.safe_phone_normaliser("138 1234 5678") == "+8613812345678"
    assert pii.safe_phone_normaliser("not a phone") == "not a phone"


# --- property tests -----------------------------------------------------------------------------

MOBILE_PREFIXES = ["130", "135", "138", "139", "150", "158", "166", "177", "186", "199"]
national_mobiles = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(MOBILE_PREFIXES),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)
SEPARATORS = [" ", "-", "\t", "(", ")", "（", "）", ".", "\u3000", "·", "/"]
COUNTRY_PREFIXES = ["", "+86", "+86 ", "0086", "0086-", "(+86)", "（+86）", "＋86", "+ 86"]


def _full_width(char: str) -> str:
    return chr(ord(char) + 0xFEE0) if char.isdigit() else char


@st.composite
def written_forms(draw: st.DrawFn) -> tuple[str, str]:
    """A valid national mobile and one way a person might type it."""
    national = draw(national_mobiles)
    chars = [draw(st.sampled_from([digit, _full_width(digit)])) for digit in national]
    written = ""
    for char in chars:
        written += draw(st.lists(st.sampled_from(SEPARATORS), max_size=2).map("".join)) + char
    prefix = draw(st.sampled_from(COUNTRY_PREFIXES))
    padding = draw(st.sampled_from(["", " ", "\t", "  "]))
    return national, f"{padding}{prefix}{written}{padding}"


@given(written_forms())
def test_separators_and_full_width_digits_never_change_the_result(case: tuple[str, str]) -> None:
    national, written = case

    assert pii.normalise_phone(written) == pii.normalise_phone(national) == f"+86{national}"
    assert pii.phone_index(written) == pii.phone_index(national)


@given(national_mobiles)
def test_masked_phone_keeps_three_and_four_digits_and_hides_the_middle(national: str) -> None:
    masked = pii.mask_phone(f"+86{national}")

    assert masked == f"{national[:3]}****{national[-4:]}"
    assert masked[3:7] == "****"
    assert sum(char.isdigit() for char in masked) == 7  # the 4 middle digits are gone
    assert national not in masked


@given(st.text(alphabet="0123456789", min_size=6, max_size=14))
def test_masked_foreign_phone_never_shows_more_than_seven_digits(digits: str) -> None:
    masked = pii.mask_phone(f"+1{digits}")

    assert "****" in masked
    assert sum(char.isdigit() for char in masked) <= 7


def test_mask_and_format_of_empty_values() -> None:
    assert pii.mask_phone("") == ""
    assert pii.mask_id_card("") == ""
    assert pii.format_phone("+8613812345678") == "138 1234 5678"


# --- Chinese resident ID numbers ----------------------------------------------------------------


def _with_check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


id_bodies = st.text(alphabet="0123456789", min_size=17, max_size=17)


def test_known_valid_id_card_normalises() -> None:
    assert pii.normalise_id_card("11010519491231002x") == "11010519491231002X"
    assert pii.normalise_id_card(" 1101 0519 4912 3100 2X ") == "11010519491231002X"
    assert pii.normalise_id_card("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("110105194912310021", "checksum"),
        ("11010519491231002", "invalid"),
        ("1101051949123100211", "invalid"),
        ("11010519491231002Y", "invalid"),
        ("", "invalid"),
    ],
)
def test_invalid_id_card_is_refused(raw: str, code: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        pii.normalise_id_card(raw)

    assert excinfo.value.code == code
    assert excinfo.value.messages[0]
    assert pii.id_card_index(raw) is None


@given(id_bodies)
def test_id_card_with_correct_check_digit_is_accepted_and_any_other_refused(body: str) -> None:
    valid = _with_check_digit(body)

    assert pii.normalise_id_card(valid) == valid
    for wrong in set("0123456789X") - {valid[-1]}:
        with pytest.raises(ValidationError):
            pii.normalise_id_card(body + wrong)


@given(id_bodies)
def test_masked_id_card_keeps_first_three_and_last_four(body: str) -> None:
    value = _with_check_digit(body)

    masked = pii.mask_id_card(value)

    assert masked == value[:3] + "*" * 11 + value[-4:]
    assert masked[3:14] == "*" * 11
    assert sum(char != "*" for char in masked) == 7
