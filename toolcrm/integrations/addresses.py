"""Chinese postal addresses → province / city / district / street remainder + administrative code,
with ``cpca`` doing the recognition, and a review flag wherever it cannot be trusted.

Rules on top of cpca's result:

- **Placed** means resolved down to a district/county, or to a division that has none below it
  (东莞市, 中山市, 儋州市; Hong Kong, Macau, Taiwan in cpca's table). A province or city without a
  district is kept but flagged ``INCOMPLETE``.
- **Municipalities** (北京, 上海, 天津, 重庆): cpca's placeholder city (市辖区, 县) becomes the
  municipality's name, so ``city`` is "上海市". County-level units directly under a province
  (湖北省仙桃市, 海南省定安县) have no prefecture city: ``city`` stays empty.
- **Province left out** (深圳市南山区…) is filled in from the city; **autonomous regions** take
  their full names (新疆 → 新疆维吾尔自治区).
- **District alone**: a unique name (浦东新区) is placed; a name used in several cities (朝阳区:
  Beijing and Changchun; 鼓楼区 ×4) is flagged ``AMBIGUOUS_DISTRICT`` with no province or city
  guessed — unless ``near_adcode`` (e.g. the importing store's city) picks exactly one of them.
- **Street names that contain a place name** (中山路, 北京东路, 南京东路): cpca takes the place
  name for a division; when the text after the match starts a street (路, 街, 大道, 巷…), that
  match was part of the street. If it was the only match, nothing is placed (``NOT_FOUND``);
  otherwise the name is given back to the street ("广东省中山市中山路" keeps "中山路").
- **Not recognised**: the whole (cleaned) text goes to ``street``, flagged ``NOT_FOUND``. Empty
  input gives an empty address that needs no review.

cpca and pandas take about 2.5 s to import, so they are imported on first use (a cached loader),
never when Django starts; ``normalise_addresses`` handles a whole batch in one cpca call, which is
what an importer should use.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from toolcrm.integrations.choices import AddressReview
from toolcrm.integrations.parsing.text import clean_text

_PLACEHOLDER_CITIES = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
_STREET_START = re.compile(r"^[东南西北中]?(?:路|街|大街|大道|道|巷|弄|胡同)")
_LEADING_SEPARATORS = re.compile(r"^[\s,，、:：;；/|\-]+")


@dataclass(frozen=True)
class NormalisedAddress:
    raw: str
    province: str = ""
    city: str = ""
    district: str = ""
    street: str = ""
    adcode: str = ""
    is_placed: bool = False
    review_reason: AddressReview | None = None

    @property
    def needs_review(self) -> bool:
        return self.review_reason is not None


def normalise_address(text: str, *, near_adcode: str = "") -> NormalisedAddress:
    """One address. For many, ``normalise_addresses`` is several times faster per address."""
    return normalise_addresses([text], near_adcode=near_adcode)[0]


def normalise_addresses(texts: Sequence[str], *, near_adcode: str = "") -> list[NormalisedAddress]:
    """The addresses in order. ``near_adcode`` (2-, 4- or 6-digit administrative code, trailing
    zeros allowed) settles district names shared by several cities."""
    cleaned = [clean_text(text) for text in texts]
    present = [text for text in cleaned if text]
    records = iter(_recognise(present) if present else [])
    return [
        _address(raw, text, next(records), near_adcode) if text else NormalisedAddress(raw=raw)
        for raw, text in zip(texts, cleaned, strict=True)
    ]


def preload_address_data() -> None:
    """Pay cpca's and pandas' import cost now (a worker about to import addresses)."""
    _recognise(["上海市"])


def _address(raw: str, text: str, record: dict[str, Any], near_adcode: str) -> NormalisedAddress:
    adcode = _text(record["adcode"])
    if not adcode:
        return _not_found(raw, text)
    positions = [int(record[key]) for key in ("省_pos", "市_pos", "区_pos")]
    found = [position for position in positions if position >= 0]
    street = _LEADING_SEPARATORS.sub("", _text(record["地址"])).strip()
    if _STREET_START.match(street):
        if len(found) <= 1:
            return _not_found(raw, text)
        street = text[max(found) :]
    district = _text(record["区"])
    province_position, city_position, _district_position = positions
    if district and province_position < 0 and city_position < 0:
        candidates = _district_codes().get(district, ())
        if len(candidates) > 1:
            chosen = _near(candidates, near_adcode)
            if chosen is None:
                return NormalisedAddress(
                    raw=raw,
                    district=district,
                    street=street,
                    review_reason=AddressReview.AMBIGUOUS_DISTRICT,
                )
            adcode = chosen
    return _placed(raw, adcode, street)


def _placed(raw: str, adcode: str, street: str) -> NormalisedAddress:
    province = _division_name(adcode[:2])
    city = "" if adcode.endswith("0000") else _division_name(adcode[:4])
    district = "" if adcode.endswith("00") else _division_name(adcode)
    if adcode[:2] in _MUNICIPALITIES:
        city = province
    elif city in _PLACEHOLDER_CITIES:
        city = ""
    is_placed = bool(district) or adcode in _childless_codes()
    return NormalisedAddress(
        raw=raw,
        province=province,
        city=city,
        district=district,
        street=street,
        adcode=adcode,
        is_placed=is_placed,
        review_reason=None if is_placed else AddressReview.INCOMPLETE,
    )


def _not_found(raw: str, text: str) -> NormalisedAddress:
    return NormalisedAddress(raw=raw, street=text, review_reason=AddressReview.NOT_FOUND)


def _near(candidates: Sequence[str], near_adcode: str) -> str | None:
    """The one candidate inside the hinted city (else province), or None."""
    hint = near_adcode.strip()
    while hint.endswith("00"):
        hint = hint[:-2]
    for prefix in (hint[:4], hint[:2]):
        if len(prefix) < 2:
            continue
        inside = [code for code in candidates if code.startswith(prefix)]
        if len(inside) == 1:
            return inside[0]
        if inside:
            return None
    return None


def _division_name(code: str) -> str:
    return str(_cpca().adcode_name(code) or "")


def _text(value: object) -> str:
    """cpca fills unknown levels with NaN (pandas): anything but text means empty."""
    return value if isinstance(value, str) else ""


def _recognise(texts: list[str]) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = _cpca().transform(texts, pos_sensitive=True).to_dict("records")
    return records


@functools.cache
def _cpca() -> Any:
    with warnings.catch_warnings():
        # cpca 0.5.5 reads its data file through pkg_resources, which warns that it is deprecated
        # (setuptools is pinned below 81, where it still exists: see pyproject.toml).
        warnings.filterwarnings(
            "ignore", message="pkg_resources is deprecated", category=UserWarning
        )
        import cpca
    return cpca


@functools.cache
def _district_codes() -> dict[str, tuple[str, ...]]:
    """District/county name → the 6-digit codes of every division that bears it."""
    codes: defaultdict[str, list[str]] = defaultdict(list)
    for info in _cpca().ad_2_addr_dict.values():
        if info.rank == 2:
            codes[info.name].append(info.adcode)
    return {name: tuple(sorted(found)) for name, found in codes.items()}


@functools.cache
def _childless_codes() -> frozenset[str]:
    """Province- and city-level codes with nothing below them in cpca's table (东莞市, 香港)."""
    all_codes = {info.adcode for info in _cpca().ad_2_addr_dict.values()}
    parents = {code[:4] + "00" for code in all_codes if not code.endswith("00")}
    parents |= {code[:2] + "0000" for code in all_codes if not code.endswith("0000")}
    return frozenset(all_codes - parents)
