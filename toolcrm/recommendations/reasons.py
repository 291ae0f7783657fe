"""Why an item is on a customer's list, stored as a message key plus parameters and put into
words only when shown, in the reader's language (``gettext``), so one computed list serves a
Chinese page, an English page and an API client asking for either.

Names are ``Label`` values carrying both languages (category ``name`` / ``name_en``, brand
``name`` / ``name_en``); a ``Label`` renders in the active language when it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language, gettext, gettext_noop

ACCESSORY = "accessory"
CO_PURCHASE = "co_purchase"
PROPENSITY = "propensity"

MESSAGES: dict[str, str] = {
    # "Accessory of your DongCheng drill (bought 2024-03)"
    ACCESSORY: gettext_noop("您的 %(tool)s（%(purchased)s 购买）的配件"),
    # "38% of orders with an angle grinder also had cutting discs (lift 4.2)"
    CO_PURCHASE: gettext_noop(
        "买 %(antecedent)s 的订单中 %(percent)s%% 同时买了 %(consequent)s（提升度 %(lift)s）"
    ),
    # "38% of customers who bought angle grinders also bought cutting discs (lift 4.2)"
    PROPENSITY: gettext_noop(
        "买过 %(antecedent)s 的客户 %(percent)s%% 也买了 %(consequent)s（提升度 %(lift)s）"
    ),
}


@dataclass(frozen=True)
class Label:
    """A name in Chinese and, where the catalog has one, English."""

    zh: str
    en: str = ""

    def __str__(self) -> str:
        if (get_language() or "").startswith("en") and self.en:
            return self.en
        return self.zh


@dataclass(frozen=True)
class Reason:
    key: str
    params: dict[str, str | Label] = field(default_factory=dict)

    def render(self) -> str:
        """The reason in the active language."""
        return gettext(MESSAGES[self.key]) % {
            name: str(value) for name, value in self.params.items()
        }

    def __str__(self) -> str:
        return self.render()

    def params_for_api(self) -> dict[str, Any]:
        return {name: str(value) for name, value in self.params.items()}


def percent(value: float) -> str:
    return f"{round(value * 100)}"


def lift_text(value: float) -> str:
    return f"{value:.1f}"
