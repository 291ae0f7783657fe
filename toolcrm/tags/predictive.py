"""Predictive tags read from what the insights models wrote: 12-month CLV (高价值潜力), the churn
model's probability (流失预警, the lifecycle "at risk" stage while no model is trained), the VIP
flag, the RFM "important win-back" segment (重点挽回) and overdue category repurchase cycles
(该补货了).

``PREDICTIVE_TAGS`` is the registry of tags judged on a customer's ``CustomerScore`` row: one
function per tag taking the row (the fields in ``SCORE_FIELDS``) and the thresholds, returning a
reason or ``None``. All of them share one query over the scores; a new score gets its tag by one
line in the registry plus its function (and its field in ``SCORE_FIELDS``). Overdue cycles live
in their own table and are read by ``overdue`` (one more query).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from toolcrm.insights.choices import LifecycleStage, RfmSegment
from toolcrm.insights.models import CategoryCycle, CustomerScore
from toolcrm.tags.choices import TagKind
from toolcrm.tags.conf import TagThresholds
from toolcrm.tags.reasons import bilingual
from toolcrm.tags.registry import Reason, SystemTag

ScoreRow = dict[str, Any]
GONE_STAGES = frozenset({LifecycleStage.DORMANT.value, LifecycleStage.LOST.value})
SCORE_FIELDS = (
    "customer_id",
    "clv_12m",
    "lifecycle_stage",
    "recency_days",
    "rfm_segment",
    "r_score",
    "f_score",
    "m_score",
    "churn_probability",
    "churn_reasons",
    "churn_model_version",
    "is_vip",
    "rolling_spend_12m",
)


def high_value(row: ScoreRow, limits: TagThresholds) -> Reason | None:
    clv = row["clv_12m"]
    if clv is None or clv < limits.high_clv:
        return None
    return ("high_clv", {"clv": str(clv)}, {"clv_12m": str(clv)})


def churn_risk(row: ScoreRow, limits: TagThresholds) -> Reason | None:
    """The churn model's probability at or above the threshold, with the model's reasons (kept
    as its keys, rendered by ``insights.churn.reason_text``). A warning is for customers who can
    still be kept: the dormant and lost are left out (their stage already says so, and they
    would be most of the tag). While no model has scored the customer (probability null), the
    lifecycle rule's "at risk" stage stands in."""
    if row["lifecycle_stage"] in GONE_STAGES:
        return None
    probability = row["churn_probability"]
    if probability is None:
        if row["lifecycle_stage"] != LifecycleStage.AT_RISK:
            return None
        days = row["recency_days"]
        return (
            "at_risk",
            {"days": days, "stage": LifecycleStage.AT_RISK.value},
            {"recency_days": days},
        )
    if probability < limits.churn_probability:
        return None
    rounded = round(probability, 4)
    return (
        "churn",
        {"probability": rounded, "reasons": list(row["churn_reasons"] or [])[:3]},
        {"probability": rounded, "model_version": row["churn_model_version"]},
    )


def vip(row: ScoreRow, limits: TagThresholds) -> Reason | None:
    if not row["is_vip"]:
        return None
    spend = str(row["rolling_spend_12m"])
    return ("vip", {"spend": spend}, {"rolling_spend_12m": spend})


def winback(row: ScoreRow, limits: TagThresholds) -> Reason | None:
    if row["rfm_segment"] != RfmSegment.IMPORTANT_WINBACK:
        return None
    return (
        "winback",
        {"segment": RfmSegment.IMPORTANT_WINBACK.value},
        {"r": row["r_score"], "f": row["f_score"], "m": row["m_score"]},
    )


@dataclass(frozen=True)
class PredictiveTag:
    tag: SystemTag
    judge: Callable[[ScoreRow, TagThresholds], Reason | None]
    # Rows the judge may accept, as a filter the database applies first (a necessary condition;
    # the judge decides): the nightly run reads only these rows instead of every score.
    candidates: Callable[[TagThresholds], Q]


PREDICTIVE_TAGS: tuple[PredictiveTag, ...] = (
    PredictiveTag(
        SystemTag("high_value", TagKind.PREDICTIVE, _("高价值潜力")),
        high_value,
        lambda limits: Q(clv_12m__gte=limits.high_clv),
    ),
    PredictiveTag(
        SystemTag("churn_risk", TagKind.PREDICTIVE, _("流失预警")),
        churn_risk,
        lambda limits: (
            Q(churn_probability__gte=limits.churn_probability)
            | Q(churn_probability__isnull=True, lifecycle_stage=LifecycleStage.AT_RISK)
        ),
    ),
    PredictiveTag(SystemTag("vip", TagKind.PREDICTIVE, _("VIP")), vip, lambda _l: Q(is_vip=True)),
    PredictiveTag(
        SystemTag("winback", TagKind.PREDICTIVE, _("重点挽回")),
        winback,
        lambda _limits: Q(rfm_segment=RfmSegment.IMPORTANT_WINBACK),
    ),
)
OVERDUE_TAG = SystemTag("repurchase_due", TagKind.PREDICTIVE, _("该补货了"))


def overdue(customer_ids: Sequence[int] | None) -> dict[int, Reason]:
    """Customers past their own repurchase cycle in a category they buy regularly."""
    cycles = CategoryCycle.objects.filter(is_overdue=True, customer__is_active=True)
    if customer_ids is not None:
        cycles = cycles.filter(customer_id__in=list(customer_ids))
    rows = cycles.values_list(
        "customer_id", "category_id", "category__name", "category__name_en", "next_due_on"
    ).order_by("customer_id", "category__code")
    found: dict[int, Reason] = {}
    for customer_id, group in itertools.groupby(rows.iterator(), key=lambda row: row[0]):
        items = list(group)
        found[customer_id] = (
            "overdue",
            {"categories": [bilingual(name, name_en) for _c, _i, name, name_en, _d in items]},
            {"categories": [{"id": pk, "due": due.isoformat()} for _c, pk, _n, _e, due in items]},
        )
    return found


def compute_predictive(
    customer_ids: Sequence[int] | None, *, limits: TagThresholds
) -> dict[str, dict[int, Reason]]:
    """Every predictive tag's members: one query over the scores that may carry a tag, one over
    overdue cycles."""
    found: dict[str, dict[int, Reason]] = {spec.tag.code: {} for spec in PREDICTIVE_TAGS}
    candidates = Q()
    for spec in PREDICTIVE_TAGS:
        candidates |= spec.candidates(limits)
    scores = CustomerScore.objects.filter(candidates, customer__is_active=True)
    if customer_ids is not None:
        scores = scores.filter(customer_id__in=list(customer_ids))
    for row in scores.values(*SCORE_FIELDS).iterator(chunk_size=5000):
        for spec in PREDICTIVE_TAGS:
            reason = spec.judge(row, limits)
            if reason is not None:
                found[spec.tag.code][row["customer_id"]] = reason
    found[OVERDUE_TAG.code] = overdue(customer_ids)
    return found
