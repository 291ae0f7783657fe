"""The behaviour tags as churn-model features: membership (0/1) of five behaviour tags, evaluated
as of the model's cut-off day from the order history (``behaviour.behaviour_as_of``), never read
from today's ``CustomerTag`` rows, which would tell the model about purchases after the cut-off.
Registered with the churn model from ``TagsConfig.ready``.

Chosen: price sensitive, professional, seasonal, brand preference, preferred channel. Left out:
DIY (every customer with an order in the window is either professional or DIY, so it is
professional's complement — perfectly collinear); rule tags (written by managers, they change
meaning when edited and can restate the label itself, "no purchase for 90 days"; their compiler
also evaluates profile conditions as they are today); predictive tags (computed from the churn
model and the other insights models, so they would feed the model its own output).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from toolcrm.insights.features import FeatureProvider, end_of_day
from toolcrm.tags.behaviour import behaviour_as_of
from toolcrm.tags.conf import thresholds

# tag code → (feature, the tag's reason parameter that the reason text quotes, its detail column)
TAG_FEATURES: dict[str, tuple[str, str | None, str | None]] = {
    "price_sensitive": ("tag_price_sensitive", "share", "tag_price_sensitive_share"),
    "professional": ("tag_professional", None, None),
    "seasonal": ("tag_seasonal", "share", "tag_seasonal_share"),
    "brand_preference": ("tag_brand_preference", "share", "tag_brand_preference_share"),
    "preferred_channel": ("tag_preferred_channel", "share", "tag_preferred_channel_share"),
}
SEASONAL_QUARTER = "tag_seasonal_quarter"
# 1 when the customer had enough orders in the window for the tags that need them (brand, channel,
# price): only then does "not tagged" say something about the customer.
JUDGED = "tag_judged"
NEEDS_JUDGEMENT = {"tag_price_sensitive", "tag_brand_preference", "tag_preferred_channel"}
# 1 when the customer has any order in the window: only such customers are professional or DIY
# (a customer silent for a year is neither, so "DIY user" would not be true of them).
IN_WINDOW = "tag_in_window"

LABELS: dict[str, Any] = {
    "tag_price_sensitive": _("标签：价格敏感"),
    "tag_professional": _("标签：专业用户"),
    "tag_seasonal": _("标签：季节性购买"),
    "tag_brand_preference": _("标签：品牌偏好"),
    "tag_preferred_channel": _("标签：偏好渠道"),
}
# "high" = has the tag, "low" = has not; a direction without a text gives no reason (not being
# a seasonal buyer explains nothing).
TEXTS: dict[str, Any] = {
    "tag_price_sensitive:high": _("价格敏感：近一年 %(percent)s%% 的消费有折扣"),
    "tag_price_sensitive:low": _("近一年很少购买折扣商品"),
    "tag_professional:high": _("专业用户"),
    "tag_professional:low": _("DIY 用户（非专业用户）"),
    "tag_seasonal:high": _("季节性购买：%(percent)s%% 的订单在第%(quarter)s季度"),
    "tag_brand_preference:high": _("偏好单一品牌：近一年 %(percent)s%% 的消费是同一品牌"),
    "tag_brand_preference:low": _("近一年没有偏好的品牌"),
    "tag_preferred_channel:high": _("固定渠道购买：近一年 %(percent)s%% 的订单来自同一渠道"),
    "tag_preferred_channel:low": _("近一年在多个渠道购买，没有固定渠道"),
}


def behaviour_features(
    customer_ids: Sequence[int] | None, as_of: date
) -> dict[int, dict[str, float]]:
    """Each customer's tag features at the end of ``as_of``, non-zero values only (the model
    reads a missing value as 0)."""
    limits = thresholds()
    behaviour = behaviour_as_of(customer_ids, now=end_of_day(as_of), limits=limits)
    # Zeros are left out (most customers are DIY with a few orders: an empty row each).
    values: dict[int, dict[str, float]] = {
        customer_id: {IN_WINDOW: 1.0, **({JUDGED: 1.0} if orders >= limits.min_orders else {})}
        for customer_id, orders in behaviour.window_orders.items()
        if orders > 0
    }
    for code, (feature, parameter, detail) in TAG_FEATURES.items():
        for customer_id, (_key, params, _evidence) in behaviour.members.get(code, {}).items():
            row = values.setdefault(customer_id, {})
            row[feature] = 1.0
            if parameter is not None and detail is not None:
                row[detail] = float(params[parameter])
            if code == "seasonal":
                row[SEASONAL_QUARTER] = float(params["quarter"])
    return values


def reason_params(feature: str, direction: str, raw: Mapping[str, Any]) -> dict[str, Any] | None:
    """The parameters of the feature's reason text, or ``None`` when it would not be true of the
    customer (a "not tagged" reason for someone with too few orders to be judged)."""
    is_member = float(raw.get(feature, 0.0)) > 0
    if direction == "high":
        if not is_member:
            return None
        detail = TAG_FEATURES[feature.removeprefix("tag_")][2]
        params: dict[str, Any] = {}
        if detail is not None:
            params["percent"] = round(100 * float(raw.get(detail, 0.0)))
        if feature == "tag_seasonal":
            params["quarter"] = int(float(raw.get(SEASONAL_QUARTER, 0.0)))
        return params
    if is_member or (feature in NEEDS_JUDGEMENT and not float(raw.get(JUDGED, 0.0))):
        return None
    if feature == "tag_professional" and not float(raw.get(IN_WINDOW, 0.0)):
        return None
    return {}


BEHAVIOUR_TAG_FEATURES = FeatureProvider(
    name="tags.behaviour",
    features=tuple(feature for feature, _parameter, _detail in TAG_FEATURES.values()),
    details=(
        *(detail for _feature, _parameter, detail in TAG_FEATURES.values() if detail),
        SEASONAL_QUARTER,
        JUDGED,
        IN_WINDOW,
    ),
    labels=LABELS,
    texts=TEXTS,
    compute=behaviour_features,
    reason_params=reason_params,
)
