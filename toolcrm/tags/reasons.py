"""Why a customer carries a tag, in the reader's language.

Reasons are stored as a message key and JSON parameters (``CustomerTag.reason_key`` /
``reason_params``) and rendered here with gettext at display time, so a clerk who switches to
English reads English. Names that are data (categories, brands) are stored in both languages
(``{"zh": "电动工具", "en": "Power tools"}``) and picked by the active language; choice values
(channels, stages, segments) are stored as codes and translated through their ``TextChoices``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from toolcrm.core.templatetags.toolcrm import cny
from toolcrm.customers.choices import CompanyType, CustomerKind, SourceChannel
from toolcrm.insights.choices import LifecycleStage, RfmSegment
from toolcrm.insights.churn import reason_text as churn_reason_text
from toolcrm.sales.choices import OrderChannel

_CHOICE_LABELS: dict[str, Any] = {
    "kind": CustomerKind,
    "source_channel": SourceChannel,
    "company_type": CompanyType,
    "lifecycle_stage": LifecycleStage,
    "rfm_segment": RfmSegment,
    "channel": OrderChannel,
}


def bilingual(zh: str, en: str = "") -> dict[str, str]:
    return {"zh": zh, "en": en or zh}


def _localised(value: Any) -> str:
    if isinstance(value, dict):
        language = (get_language() or "zh-hans").lower()
        return str(value.get("en") if language.startswith("en") else value.get("zh", ""))
    return str(value)


def choice_label(field: str, value: str) -> str:
    choices = _CHOICE_LABELS.get(field)
    if choices is None:
        return value
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def percent(share: Any) -> str:
    return f"{float(share) * 100:.0f}%"


def _profile_field_label(field: str) -> str:
    labels = {
        "kind": _("客户类型"),
        "province": _("省份"),
        "city": _("城市"),
        "home_store": _("归属门店"),
        "source_channel": _("来源渠道"),
        "company_type": _("企业类型"),
        "lifecycle_stage": _("生命周期阶段"),
        "rfm_segment": _("RFM 分群"),
    }
    return labels.get(field, field)


def _what(filters: dict[str, Any]) -> str:
    """What was bought: the category and brand, or "商品" (goods) when neither is given."""
    parts = [_localised(filters[name]) for name in ("category", "brand") if filters.get(name)]
    return " · ".join(parts) if parts else _("商品")


def _where(filters: dict[str, Any]) -> str:
    """Where it was bought ("在电商、上海浦东店"), or "" for any channel and store."""
    places = []
    if filters.get("channel"):
        places.append(choice_label("channel", filters["channel"]))
    if filters.get("store"):
        places.append(_localised(filters["store"]))
    return _("在%(places)s") % {"places": "、".join(places)} if places else ""


def _measure_value(measure: str, value: Any) -> str:
    if measure == "amount":
        return cny(value)
    if measure == "orders":
        return _("%(count)s 单") % {"count": value}
    return _("%(count)s 件") % {"count": value}


def _comparison(comparison: str) -> str:
    return _("至少") if comparison == "at_least" else _("少于")


def _is_bought_once(params: dict[str, Any]) -> bool:
    return (
        params["measure"] == "orders"
        and params["comparison"] == "at_least"
        and Decimal(str(params["minimum"])) == 1
    )


def _is_not_bought(params: dict[str, Any]) -> bool:
    return (
        params["measure"] == "orders"
        and params["comparison"] == "less_than"
        and Decimal(str(params["minimum"])) == 1
    )


def _profile(params: dict[str, Any]) -> str:
    field = params["field"]
    labels = params.get("labels") or [choice_label(field, value) for value in params["values"]]
    if field == "kind" and len(labels) == 1:
        return _("%(kind)s客户") % {"kind": labels[0]}
    return _("%(field)s：%(values)s") % {
        "field": _profile_field_label(field),
        "values": "、".join(_localised(label) for label in labels),
    }


def _purchase_days(params: dict[str, Any]) -> str:
    what, where = _what(params["filters"]), _where(params["filters"])
    if _is_bought_once(params):
        return _("近%(days)s天%(where)s购买过%(what)s（%(count)s 单）") % {
            "days": params["days"],
            "where": where,
            "what": what,
            "count": params["value"],
        }
    if _is_not_bought(params):
        return _("近%(days)s天%(where)s没有购买%(what)s") % {
            "days": params["days"],
            "where": where,
            "what": what,
        }
    return _("近%(days)s天%(where)s购买%(what)s %(value)s（条件：%(comparison)s %(minimum)s）") % {
        "days": params["days"],
        "where": where,
        "what": what,
        "value": _measure_value(params["measure"], params["value"]),
        "comparison": _comparison(params["comparison"]),
        "minimum": _measure_value(params["measure"], params["minimum"]),
    }


def _purchase_each_month(params: dict[str, Any]) -> str:
    what, where = _what(params["filters"]), _where(params["filters"])
    if _is_bought_once(params):
        return _("近%(months)s个月每月都%(where)s购买了%(what)s") % {
            "months": params["months"],
            "where": where,
            "what": what,
        }
    if _is_not_bought(params):
        return _("近%(months)s个月每月都没有%(where)s购买%(what)s") % {
            "months": params["months"],
            "where": where,
            "what": what,
        }
    return _(
        "近%(months)s个月每月%(where)s购买%(what)s都%(comparison)s %(minimum)s（各月：%(values)s）"
    ) % {
        "months": params["months"],
        "where": where,
        "what": what,
        "comparison": _comparison(params["comparison"]),
        "minimum": _measure_value(params["measure"], params["minimum"]),
        "values": "、".join(_measure_value(params["measure"], v) for v in params["values"]),
    }


def _discount_share(params: dict[str, Any]) -> str:
    return _("近%(days)s天 %(share)s 的消费在折扣商品上（条件：超过 %(percent)s%%）") % {
        "days": params["days"],
        "share": percent(params["value"]),
        "percent": params["percent"],
    }


RULE_PARTS: dict[str, Callable[[dict[str, Any]], str]] = {
    "profile": _profile,
    "purchase_days": _purchase_days,
    "purchase_each_month": _purchase_each_month,
    "discount_share": _discount_share,
}


def _rule(params: dict[str, Any]) -> str:
    joiner = "；" if params.get("match", "all") == "all" else _("；或 ")
    return joiner.join(RULE_PARTS[part["key"]](part["params"]) for part in params["parts"])


def _brand_preference(params: dict[str, Any]) -> str:
    return _("近%(days)s天 %(share)s 的消费是%(brand)s") % {
        "days": params["days"],
        "share": percent(params["share"]),
        "brand": _localised(params["brand"]),
    }


def _preferred_channel(params: dict[str, Any]) -> str:
    return _("近%(days)s天 %(share)s 的订单来自%(channel)s（%(orders)s 单）") % {
        "days": params["days"],
        "share": percent(params["share"]),
        "channel": choice_label("channel", params["channel"]),
        "orders": params["orders"],
    }


def _price_sensitive(params: dict[str, Any]) -> str:
    return _("近%(days)s天 %(share)s 的消费在折扣商品上") % {
        "days": params["days"],
        "share": percent(params["share"]),
    }


def _professional(params: dict[str, Any]) -> str:
    parts = []
    for basis in params["basis"]:
        if basis == "company":
            parts.append(_("企业客户"))
        elif basis == "b2b":
            parts.append(_("有大客户渠道订单"))
        elif basis == "consumables":
            parts.append(_("近%(days)s天购买耗材 %(units)s 件") % params)
        elif basis == "pro_brands":
            parts.append(_("专业品牌占消费 %(share)s") % {"share": percent(params["pro_share"])})
    return "；".join(parts)


def _diy(params: dict[str, Any]) -> str:
    return _("个人客户，近%(days)s天购买耗材 %(units)s 件，无大客户订单") % params


def _seasonal(params: dict[str, Any]) -> str:
    return _("%(years)s 年间 %(share)s 的订单在第%(quarter)s季度") % {
        "years": params["years"],
        "share": percent(params["share"]),
        "quarter": params["quarter"],
    }


def _high_clv(params: dict[str, Any]) -> str:
    return _("预计未来12个月消费 %(clv)s") % {"clv": cny(params["clv"])}


def _at_risk(params: dict[str, Any]) -> str:
    return _("%(days)s 天未购买，生命周期阶段为“%(stage)s”") % {
        "days": params["days"],
        "stage": choice_label("lifecycle_stage", params["stage"]),
    }


def _winback(params: dict[str, Any]) -> str:
    return _("RFM 分群为“%(segment)s”：曾经消费高，但近期少有购买") % {
        "segment": choice_label("rfm_segment", params["segment"]),
    }


def _churn(params: dict[str, Any]) -> str:
    text = _("流失概率 %(probability)s") % {"probability": percent(params["probability"])}
    reasons = [churn_reason_text(reason) for reason in params.get("reasons") or []]
    reasons = [reason for reason in reasons if reason]
    return text + ("：" + "；".join(reasons) if reasons else "")


def _vip(params: dict[str, Any]) -> str:
    return _("近12个月消费 %(spend)s") % {"spend": cny(params["spend"])}


def _overdue(params: dict[str, Any]) -> str:
    return _("已超过自己的复购周期：%(categories)s") % {
        "categories": "、".join(_localised(name) for name in params["categories"]),
    }


MESSAGES: dict[str, Callable[[dict[str, Any]], str]] = {
    "rule": _rule,
    "brand_preference": _brand_preference,
    "preferred_channel": _preferred_channel,
    "price_sensitive": _price_sensitive,
    "professional": _professional,
    "diy": _diy,
    "seasonal": _seasonal,
    "high_clv": _high_clv,
    "at_risk": _at_risk,
    "winback": _winback,
    "churn": _churn,
    "vip": _vip,
    "overdue": _overdue,
}


def render_reason(key: str, params: dict[str, Any]) -> str:
    """The reason in the active language; an unknown key (a tag kind since removed) renders as
    an empty string rather than breaking the 360 page."""
    renderer = MESSAGES.get(key)
    if renderer is None:
        return ""
    try:
        return renderer(params)
    except (KeyError, TypeError, ValueError):
        return ""
