"""Identifiers that must look real and be unique: EAN-13 barcodes, unified social credit codes,
resident ID numbers, mobile and landline numbers, member cards, WeChat ids, order numbers.

Unique numbers come from an affine permutation of a running index (``index * multiplier + offset``
modulo a power of ten, with the multiplier coprime to it): distinct indexes give distinct numbers
that still look random, without keeping a set of the numbers handed out.
"""

from __future__ import annotations

import random
import string
from datetime import date

_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_WECHAT_CHARS = string.ascii_letters + string.digits + "-_"


def permute(index: int, *, digits: int, multiplier: int, offset: int) -> int:
    """A number below 10**digits, distinct for distinct ``index`` below 10**digits (the
    multiplier must be coprime to 10)."""
    modulus = 10**digits
    return (index * multiplier + offset) % modulus


def ean13(first_twelve: str) -> str:
    """Append the EAN-13 check digit to twelve digits."""
    if len(first_twelve) != 12 or not first_twelve.isdigit():
        raise ValueError(f"EAN-13 needs twelve digits, got {first_twelve!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13(code[:12]) == code


def credit_code(*, rng: random.Random, adcode: str, is_individual: bool = False) -> str:
    """An 18-character unified social credit code (GB 32100-2015): registration authority and
    kind (91 company, 92 individual business), the 6-digit area code, a 9-character organisation
    code with its own check character (GB 11714), and the overall check character."""
    body = "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    org_total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    org_check = 11 - org_total % 11
    org_code = body + ("X" if org_check == 10 else "0" if org_check == 11 else str(org_check))
    first17 = ("92" if is_individual else "91") + adcode + org_code
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return first17 + _CREDIT_CHARS[(31 - total % 31) % 31]


def is_valid_credit_code(code: str) -> bool:
    if len(code) != 18 or any(c not in _CREDIT_CHARS for c in code):
        return False
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(code, _CREDIT_WEIGHTS, strict=False))
    return _CREDIT_CHARS[(31 - total % 31) % 31] == code[17]


def id_card_no(*, adcode: str, birthday: date, sequence: int, is_male: bool) -> str:
    """An 18-digit resident ID number with a valid check digit (odd sequence for men)."""
    order = sequence % 500 * 2 + (1 if is_male else 0)
    first17 = f"{adcode}{birthday:%Y%m%d}{order:03d}"
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + _ID_CHECK[total % 11]


def mobile(*, index: int, prefix: str, offset: int) -> str:
    """A Chinese mobile in E.164, unique for each ``index`` whatever the prefix."""
    suffix = permute(index, digits=8, multiplier=73_939_133, offset=offset)
    return f"+86{prefix}{suffix:08d}"


def landline(*, index: int, area_code: str, offset: int) -> str:
    """A city landline in E.164 (+86 21 6xxx xxxx: eight local digits, starting with 2-7; some
    8xxx ranges are special numbers)."""
    number = permute(index, digits=7, multiplier=7_654_321, offset=offset)
    return f"+86{area_code}{2 + index % 6}{number:07d}"


def member_card_no(*, index: int, offset: int) -> str:
    """M and ten digits, as printed on the chain's member cards (search accepts ^M\\d{6,12}$)."""
    return f"M{permute(index, digits=10, multiplier=1_234_567_891, offset=offset):010d}"


def wechat_id(*, rng: random.Random, prefix: str) -> str:
    """A 28-character WeChat OpenID/UnionID look-alike (``o`` / ``oU`` prefixed)."""
    return prefix + "".join(rng.choice(_WECHAT_CHARS) for _ in range(28 - len(prefix)))


def ecommerce_order_no(*, index: int, platform: str) -> str:
    """JD-style 12-digit or Tmall-style 19-digit platform order numbers."""
    if platform == "JD":
        number = permute(index, digits=11, multiplier=7_919_317_213, offset=58_213_904_117)
        return f"JD{2 * 10**11 + number}"
    number = permute(index, digits=18, multiplier=9_876_543_211, offset=418_307_215_590_117_263)
    return f"TB{3 * 10**18 + number}"
