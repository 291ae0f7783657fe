"""Chinese personal names: a surname drawn by its frequency (adjusted by region: more 陈/黄/梁
in the south, more 徐/沈/陆/顾 in the east), one or two given-name characters by gender, and the
pinyin of the whole for e-mail addresses."""

from __future__ import annotations

import random
from dataclasses import dataclass
from itertools import accumulate

from toolcrm.demo.data.people import (
    FEMALE_GIVEN,
    MALE_GIVEN,
    REGIONAL_SURNAME_FACTORS,
    SURNAMES,
)


@dataclass(frozen=True)
class PersonName:
    name: str
    pinyin: str  # zhangwei
    is_male: bool


def _split(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((entry[0], entry[1:]) for entry in text.split())


_MALE = _split(MALE_GIVEN)
_FEMALE = _split(FEMALE_GIVEN)


class NameMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = [(surname, pinyin) for surname, pinyin, _ in SURNAMES]
        self.cum_weights: dict[str, list[float]] = {}
        for region in ("", *REGIONAL_SURNAME_FACTORS):
            factors = REGIONAL_SURNAME_FACTORS.get(region, {})
            weights = [share * factors.get(surname, 1.0) for surname, _, share in SURNAMES]
            self.cum_weights[region] = list(accumulate(weights))

    def make(self, *, region: str = "", is_male: bool | None = None) -> PersonName:
        rng = self.rng
        if is_male is None:
            is_male = rng.random() < 0.5
        cum_weights = self.cum_weights.get(region, self.cum_weights[""])
        surname, surname_pinyin = rng.choices(self.surnames, cum_weights=cum_weights)[0]
        pool = _MALE if is_male else _FEMALE
        length = 1 if rng.random() < 0.3 else 2
        given = [rng.choice(pool) for _ in range(length)]
        if length == 2 and given[0][0] == given[1][0] and rng.random() < 0.7:
            given = given[:1]  # 伟伟 is a nickname, rarely a registered name
        return PersonName(
            name=surname + "".join(char for char, _ in given),
            pinyin=surname_pinyin + "".join(pinyin for _, pinyin in given),
            is_male=is_male,
        )
