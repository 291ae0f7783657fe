"""Normalising and masking of personal data: phone numbers (E.164 via ``phonenumbers``) and
Chinese resident ID numbers. Normalisation feeds the blind index, so every written form of one
phone (``+86 138-1234-5678``, ``0086 13812345678``, full-width digits) yields the same index."""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-()（）.·/]")
_ID_CARD = re.compile(r"^\d{17}[\dX]$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def to_halfwidth(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


def normalise_phone(raw: str) -> str:
    """Return the E.164 form of a Chinese (or international) phone number, or raise
    ValidationError with a message a clerk understands."""
    text = _SEPARATORS.sub("", to_halfwidth(raw or "")).strip()
    if not text:
        raise ValidationError(_("请输入电话号码。"), code="required")
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        parsed = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("电话号码格式不正确：%(value)s"), params={"value": raw}) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _("电话号码无效：%(value)s（手机号应为 11 位，以 1 开头）"),
            code="invalid",
            params={"value": raw},
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_normalise_phone(raw: str) -> str | None:
    try:
        return normalise_phone(raw)
    except ValidationError:
        return None


def mask_phone(e164: str) -> str:
    """138****5678 for Chinese numbers; other countries keep country code and last 4 digits."""
    if not e164:
        return ""
    if e164.startswith("+86"):
        national = e164[3:]
        if len(national) >= 11:
            return f"{national[:3]}****{national[-4:]}"
        return f"{national[:2]}****{national[-2:]}"
    return f"{e164[:3]}****{e164[-4:]}"


def format_phone(e164: str) -> str:
    """Human form for an unmasked phone: 138 1234 5678."""
    if e164.startswith("+86") and len(e164) == 14:
        national = e164[3:]
        return f"{national[:3]} {national[3:7]} {national[7:]}"
    return e164


def normalise_id_card(raw: str) -> str:
    value = to_halfwidth(raw or "").strip().upper().replace(" ", "")
    if not _ID_CARD.match(value):
        raise ValidationError(_("身份证号应为 18 位（最后一位可为 X）。"), code="invalid")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValidationError(_("身份证号校验位不正确。"), code="checksum")
    return value


def mask_id_card(value: str) -> str:
    """Keep the first 3 and last 4 characters: 110***********123X."""
    if not value:
        return ""
    return f"{value[:3]}{'*' * max(len(value) - 7, 0)}{value[-4:]}"


def phone_index(raw: str) -> str | None:
    """Blind-index value for a phone in any written form, or None if it is not a valid phone."""
    from toolcrm.core.crypto import blind_index

    normalised = try_normalise_phone(raw)
    return blind_index(normalised, purpose="phone") if normalised else None


def id_card_index(raw: str) -> str | None:
    from toolcrm.core.crypto import blind_index

    try:
        return blind_index(normalise_id_card(raw), purpose="id_card")
    except ValidationError:
        return None


def safe_phone_normaliser(value: str) -> str:
    """Normaliser for the phone blind index: E.164 when it parses, the raw text otherwise."""
    return try_normalise_phone(value) or value


def safe_id_card_normaliser(value: str) -> str:
    try:
        return normalise_id_card(value)
    except ValidationError:
        return value
