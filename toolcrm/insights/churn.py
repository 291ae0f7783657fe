"""The churn model: features as of a cut-off day, a time-split training run, scoring with the
active version, and each customer's top three reasons in words.

**Label.** A customer churns when they make no purchase in the ``churn_horizon_days`` (90) days
after the cut-off. **Population.** Customers with a purchase in the 365 days up to the cut-off
(older ones are lost already; including them would flatter both the model and the rule).

**Time split.** With T = today: features at T−180 and labels from (T−180, T−90] train the model
that is evaluated out of time on features at T−90 and labels from (T−90, T] — the figures
``train_churn`` prints and the model page shows. The version that is stored and scores customers
is then refitted on the latest labelled snapshot (features at T−90, labels up to T), so it has
seen the most recent behaviour; its cut-off is T−90.

**Model.** Standardised features → logistic regression (scikit-learn). A feature's contribution to
one customer's score is its coefficient × the customer's standardised value; the three largest
positive contributions, read against the raw values, become the reasons ("已 120 天未购买").

Features come from orders (recency, tenure, frequency, spend, 90-day trend, cycle ratio, category
breadth, channel mix, returns), interactions (recent contacts, complaints; a complaint is an
interaction of kind complaint — there is no ticket model yet) and, through
``register_feature_provider``, from apps above insights: the tags app adds its behaviour tags as
0/1 features evaluated as of the cut-off (``tags.features``). ``FEATURES`` is stored with each
version; a version whose features this code no longer computes is not used (see ``score``).
"""

from __future__ import annotations

import hashlib
import io
import itertools
import logging
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import F
from django.db.models.functions import TruncDate
from django.utils.translation import gettext_lazy as _

from toolcrm.customers.choices import InteractionKind
from toolcrm.customers.models import Interaction
from toolcrm.insights import cycles
from toolcrm.insights.features import FeatureProvider
from toolcrm.insights.models import ChurnModel
from toolcrm.insights.purchases import as_date, fetch_rows, purchasing_orders
from toolcrm.sales.choices import OrderChannel
from toolcrm.sales.models import Return

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd

logger = logging.getLogger(__name__)

ALGORITHM = "StandardScaler + LogisticRegression"
POPULATION_DAYS = 365
MIN_CUSTOMERS = 30  # per snapshot
MIN_PER_CLASS = 5
ONLINE = (OrderChannel.ECOMMERCE.value, OrderChannel.MINIPROGRAM.value)

# Model inputs (counts and money log1p-transformed) in a fixed order stored with each version;
# registered providers append theirs (``register_feature_provider``).
FEATURES = [
    "recency_days",
    "tenure_days",
    "purchase_days_365",
    "spend_365",
    "spend_trend_90",
    "cycle_ratio",
    "category_breadth_365",
    "online_share",
    "b2b_share",
    "return_share_365",
    "interactions_90",
    "complaints_365",
]
FEATURE_LABELS: dict[str, Any] = {
    "recency_days": _("距最近购买天数"),
    "tenure_days": _("首购至今天数"),
    "purchase_days_365": _("近一年购买天数"),
    "spend_365": _("近一年消费"),
    "spend_trend_90": _("近90天较前90天消费变化"),
    "cycle_ratio": _("距上次购买 / 平时购买间隔"),
    "category_breadth_365": _("近一年购买品类数"),
    "online_share": _("线上订单占比"),
    "b2b_share": _("大客户订单占比"),
    "return_share_365": _("近一年退货占比"),
    "interactions_90": _("近90天互动次数"),
    "complaints_365": _("近一年投诉次数"),
}
_LOGGED = {
    "recency_days",
    "tenure_days",
    "purchase_days_365",
    "spend_365",
    "category_breadth_365",
    "interactions_90",
    "complaints_365",
}

# Raw values beside the features that only the reasons read.
_RAW_ONLY = {"spend_90", "spend_prev_90", "cycle_ratio_unclipped"}

# Reason texts: "<feature>:high" when the customer's value is above the chain's mean, ":low"
# below. A feature whose contribution points towards churn but whose direction has no sensible
# wording (a very recent purchase "explaining" churn) is skipped in favour of the next one.
REASON_TEXTS: dict[str, Any] = {
    "recency_days:high": _("已 %(days)s 天未购买"),
    "tenure_days:high": _("首次购买已是 %(days)s 天前"),
    "tenure_days:low": _("成为客户仅 %(days)s 天"),
    "purchase_days_365:low": _("过去一年仅购买 %(count)s 天"),
    "purchase_days_365:none": _("过去一年没有购买"),
    "spend_365:low": _("过去一年消费仅 ¥%(amount)s"),
    "spend_trend_90:low": _("近 90 天消费较前 90 天下降 %(percent)s%%"),
    "cycle_ratio:high": _("距上次购买已达平时购买间隔的 %(ratio)s 倍"),
    "category_breadth_365:low": _("过去一年只买过 %(count)s 个品类"),
    "online_share:high": _("%(percent)s%% 的订单来自线上"),
    "online_share:low": _("线上订单仅占 %(percent)s%%"),
    "online_share:none": _("过去一年没有线上订单"),
    "b2b_share:high": _("%(percent)s%% 的订单为大客户订单"),
    "b2b_share:low": _("大客户订单仅占 %(percent)s%%"),
    "b2b_share:none": _("过去一年没有大客户订单"),
    "return_share_365:high": _("过去一年退货金额占消费的 %(percent)s%%"),
    "interactions_90:low": _("近 90 天仅 %(count)s 次互动"),
    "interactions_90:none": _("近 90 天没有互动记录"),
    "interactions_90:high": _("近 90 天互动 %(count)s 次"),
    "complaints_365:high": _("过去一年投诉 %(count)s 次"),
}

# Providers registered by apps above insights, in registration (INSTALLED_APPS) order, and the
# provider of each of their features.
_PROVIDERS: list[FeatureProvider] = []
_PROVIDED: dict[str, FeatureProvider] = {}


def register_feature_provider(provider: FeatureProvider) -> None:
    """Append ``provider``'s features to ``FEATURES`` (and its labels and reason texts), for an
    app above insights to call from ``AppConfig.ready``. Registering the same name again does
    nothing; a feature name that is taken already is a programming error."""
    if any(known.name == provider.name for known in _PROVIDERS):
        return
    taken = set(FEATURES) | _RAW_ONLY | {c for known in _PROVIDERS for c in known.columns}
    clashes = sorted(taken & set(provider.columns))
    if clashes:
        raise ValueError(f"churn feature provider {provider.name!r} reuses names {clashes}")
    _PROVIDERS.append(provider)
    FEATURES.extend(provider.features)
    FEATURE_LABELS.update(provider.labels)
    REASON_TEXTS.update(provider.texts)
    _PROVIDED.update({name: provider for name in provider.features})


def _extra_columns() -> list[str]:
    return [column for provider in _PROVIDERS for column in provider.columns]


def extra_values(customer_ids: Sequence[int] | None, as_of: date) -> dict[int, dict[str, float]]:
    """The registered providers' values as of the end of ``as_of`` (customer → column → value;
    a customer a provider leaves out gets 0 there)."""
    merged: dict[int, dict[str, float]] = {}
    for provider in _PROVIDERS:
        for customer_id, values in provider.compute(customer_ids, as_of).items():
            merged.setdefault(customer_id, {}).update(
                {column: float(values.get(column, 0.0)) for column in provider.columns}
            )
    return merged


class ChurnTrainingError(Exception):
    """Too little history to train or evaluate (the message says what is missing)."""


@dataclass(frozen=True)
class History:
    """Everything the features need, up to ``until``, as pandas frames."""

    orders: pd.DataFrame  # customer, day, total, channel
    refunds: pd.DataFrame  # customer, day, amount
    interactions: pd.DataFrame  # customer, day, complaint
    categories: pd.DataFrame  # customer, category, day


@dataclass(frozen=True)
class Snapshot:
    features: pd.DataFrame  # index customer, columns FEATURES (model inputs)
    raw: pd.DataFrame  # the same in plain units, for the reasons
    labels: pd.Series | None  # 1 = churned (no purchase in the horizon), when known


def _frame(rows: list[tuple[Any, ...]], columns: list[str]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(rows, columns=columns)
    if "day" in frame:
        frame["day"] = pd.to_datetime(frame["day"])
    return frame


@dataclass(frozen=True)
class Rows:
    """The history as plain rows (what the queries return)."""

    orders: list[tuple[int, date, float, str]]
    refunds: list[tuple[int, date, float]]
    interactions: list[tuple[int, date, bool]]
    categories: list[tuple[int, int, date]]  # category already at its cycle level


def load_rows(
    customer_ids: Sequence[int] | None,
    category_triples: list[tuple[int, int, date]] | None = None,
) -> Rows:
    """Four queries: purchasing orders, refunds, interactions and category purchase days (the
    last one skipped when the caller passes ``cycles.category_days`` it has read already)."""
    orders = purchasing_orders(customer_ids).annotate(day=TruncDate("ordered_at"))
    order_rows = [
        (customer_id, as_date(day), float(total), channel)
        for customer_id, day, total, channel in fetch_rows(
            orders.values_list("customer_id", "day", "total", "channel")
        )
    ]
    refunds = Return.objects.filter(order__in=purchasing_orders(customer_ids)).annotate(
        day=TruncDate("returned_at"), customer=F("order__customer_id")
    )
    refund_rows = [
        (customer_id, as_date(day), float(amount))
        for customer_id, day, amount in fetch_rows(
            refunds.values_list("customer", "day", "refund_amount")
        )
    ]
    interactions = Interaction.objects.annotate(day=TruncDate("occurred_at"))
    if customer_ids is not None:
        interactions = interactions.filter(customer_id__in=list(customer_ids))
    interaction_rows = [
        (customer_id, as_date(day), kind == InteractionKind.COMPLAINT)
        for customer_id, day, kind in fetch_rows(
            interactions.values_list("customer_id", "day", "kind")
        )
    ]
    level = cycles.cycle_category_map()
    category_rows = [
        (customer_id, level.get(category_id, category_id), day)
        for customer_id, category_id, day in (
            category_triples if category_triples is not None else cycles.category_days(customer_ids)
        )
    ]
    return Rows(
        orders=order_rows,
        refunds=refund_rows,
        interactions=interaction_rows,
        categories=category_rows,
    )


def load_history(
    customer_ids: Sequence[int] | None,
    category_triples: list[tuple[int, int, date]] | None = None,
) -> History:
    return history_frames(load_rows(customer_ids, category_triples))


def history_frames(rows: Rows) -> History:
    history = History(
        orders=_frame(rows.orders, ["customer", "day", "total", "channel"]),
        refunds=_frame(rows.refunds, ["customer", "day", "amount"]),
        interactions=_frame(rows.interactions, ["customer", "day", "complaint"]),
        categories=_frame(rows.categories, ["customer", "category", "day"]),
    )
    history.orders["total"] = history.orders["total"].astype(float)
    history.refunds["amount"] = history.refunds["amount"].astype(float)
    return history


SMALL_INPUT = 50  # customers; below this plain Python beats pandas' per-call overhead


def raw_features_python(
    rows: Rows,
    as_of: date,
    *,
    horizon_days: int,
    customers: Sequence[int],
    extras: Mapping[int, Mapping[str, float]] | None = None,
) -> dict[int, dict[str, float]]:
    """The raw features of ``snapshot`` for a few customers, without pandas (a refresh after a
    sale); ``test_churn`` checks both give the same values. ``extras``: the providers' values
    (``extra_values``), read here when not given."""

    def inside(day: date, length: int, offset: int = 0) -> bool:
        return as_of - timedelta(days=length + offset) < day <= as_of - timedelta(days=offset)

    wanted = set(customers)
    spend: dict[int, dict[date, float]] = {pk: {} for pk in wanted}
    channels: dict[int, list[str]] = {pk: [] for pk in wanted}
    for pk, day, total, channel in rows.orders:
        if pk in wanted and day <= as_of:
            spend[pk][day] = spend[pk].get(day, 0.0) + total
            if inside(day, 365):
                channels[pk].append(channel)
    result: dict[int, dict[str, float]] = {}
    for pk in sorted(wanted):
        days = sorted(spend[pk])
        if not days:
            continue
        recency = float((as_of - days[-1]).days)
        year = [day for day in days if inside(day, 365)]
        recent = sum(spend[pk][day] for day in days if inside(day, 90))
        previous = sum(spend[pk][day] for day in days if inside(day, 90, 90))
        gaps = [(later - earlier).days for earlier, later in itertools.pairwise(days)]
        gap = max(1.0, float(statistics.median(gaps)) if gaps else float(horizon_days))
        spend_365 = sum(spend[pk][day] for day in year)
        orders = channels[pk]
        result[pk] = {
            "recency_days": recency,
            "tenure_days": float((as_of - days[0]).days),
            "purchase_days_365": float(len(year)),
            "spend_365": spend_365,
            "spend_90": recent,
            "spend_prev_90": previous,
            "spend_trend_90": (recent - previous) / (recent + previous)
            if recent + previous > 0
            else 0.0,
            "cycle_ratio_unclipped": recency / gap,
            "cycle_ratio": min(recency / gap, 20.0),
            "category_breadth_365": 0.0,
            "online_share": sum(c in ONLINE for c in orders) / len(orders) if orders else 0.0,
            "b2b_share": sum(c == OrderChannel.B2B.value for c in orders) / len(orders)
            if orders
            else 0.0,
            "return_share_365": 0.0,
            "interactions_90": 0.0,
            "complaints_365": 0.0,
        }
    breadth: dict[int, set[int]] = {}
    for pk, category, day in rows.categories:
        if pk in result and inside(day, 365):
            breadth.setdefault(pk, set()).add(category)
    for pk, found in breadth.items():
        result[pk]["category_breadth_365"] = float(len(found))
    refunds: dict[int, float] = {}
    for pk, day, amount in rows.refunds:
        if pk in result and inside(day, 365):
            refunds[pk] = refunds.get(pk, 0.0) + amount
    for pk, amount in refunds.items():
        if result[pk]["spend_365"] > 0:
            result[pk]["return_share_365"] = min(amount / result[pk]["spend_365"], 1.0)
    for pk, day, complaint in rows.interactions:
        if pk in result:
            result[pk]["interactions_90"] += inside(day, 90)
            result[pk]["complaints_365"] += bool(complaint) and inside(day, 365)
    columns = _extra_columns()
    if columns and result:
        if extras is None:
            extras = extra_values(sorted(result), as_of)
        for pk, values in result.items():
            provided = extras.get(pk, {})
            values.update({column: float(provided.get(column, 0.0)) for column in columns})
    for values in result.values():
        for name in _LOGGED:
            values[f"log:{name}"] = math.log1p(max(values[name], 0.0))
    return result


def model_inputs(raw: dict[str, float]) -> list[float]:
    """One customer's model inputs in ``FEATURES`` order (log1p where ``snapshot`` takes it)."""
    return [raw[f"log:{name}"] if name in _LOGGED else raw[name] for name in FEATURES]


def _between(frame: pd.DataFrame, start: Any, end: Any) -> pd.DataFrame:
    """Rows with start < day ≤ end."""
    return frame[(frame["day"] > start) & (frame["day"] <= end)]


def snapshot(
    history: History,
    as_of: date,
    *,
    horizon_days: int,
    with_labels: bool,
    customers: Sequence[int] | None = None,
    extras: Mapping[int, Mapping[str, float]] | None = None,
) -> Snapshot:
    """Features as of the end of ``as_of`` for the customers with a purchase in the 365 days up
    to it (or exactly ``customers``, when scoring), and the labels from the next horizon.
    ``extras``: the providers' values (``extra_values``), read here when not given."""
    import numpy as np
    import pandas as pd

    end = pd.Timestamp(as_of)
    orders = history.orders[history.orders["day"] <= end]
    days = orders.groupby(["customer", "day"], as_index=False)["total"].sum()
    if customers is None:
        population = days.loc[days["day"] > end - pd.Timedelta(days=POPULATION_DAYS), "customer"]
        index = pd.Index(sorted(population.unique()), name="customer")
    else:
        index = pd.Index(sorted(set(customers) & set(days["customer"])), name="customer")
    days = days[days["customer"].isin(index)]
    grouped = days.groupby("customer")["day"]
    raw = pd.DataFrame(index=index)
    raw["recency_days"] = (end - grouped.max()).dt.days
    raw["tenure_days"] = (end - grouped.min()).dt.days

    def window(frame: pd.DataFrame, length: int, offset: int = 0) -> pd.DataFrame:
        return _between(
            frame, end - pd.Timedelta(days=length + offset), end - pd.Timedelta(days=offset)
        )

    year = window(days, 365)
    raw["purchase_days_365"] = year.groupby("customer").size()
    raw["spend_365"] = year.groupby("customer")["total"].sum()
    recent = window(days, 90).groupby("customer")["total"].sum()
    previous = window(days, 90, 90).groupby("customer")["total"].sum()
    raw["spend_90"] = recent
    raw["spend_prev_90"] = previous
    raw = raw.fillna(0.0)
    both = raw["spend_90"] + raw["spend_prev_90"]
    raw["spend_trend_90"] = np.where(
        both > 0, (raw["spend_90"] - raw["spend_prev_90"]) / both.where(both > 0, 1), 0.0
    )
    median_gap = (
        (days.sort_values(["customer", "day"]).groupby("customer")["day"].diff().dt.days)
        .groupby(days["customer"])
        .median()
    )
    gap = median_gap.reindex(index).fillna(float(horizon_days)).clip(lower=1)
    raw["cycle_ratio_unclipped"] = raw["recency_days"] / gap
    raw["cycle_ratio"] = raw["cycle_ratio_unclipped"].clip(upper=20)
    categories = window(history.categories, 365)
    raw["category_breadth_365"] = categories.groupby("customer")["category"].nunique()
    year_orders = window(orders, 365)
    year_orders = year_orders[year_orders["customer"].isin(index)]
    counts = year_orders.groupby("customer").size()
    raw["online_share"] = (
        year_orders[year_orders["channel"].isin(ONLINE)].groupby("customer").size() / counts
    )
    raw["b2b_share"] = (
        year_orders[year_orders["channel"] == OrderChannel.B2B.value].groupby("customer").size()
        / counts
    )
    refunds = window(history.refunds, 365).groupby("customer")["amount"].sum()
    raw["return_share_365"] = (refunds / raw["spend_365"].where(raw["spend_365"] > 0)).clip(upper=1)
    contacts = window(history.interactions, 90)
    raw["interactions_90"] = contacts.groupby("customer").size()
    complaints = window(history.interactions, 365)
    is_complaint = complaints["complaint"].astype(bool)
    raw["complaints_365"] = complaints.loc[is_complaint].groupby("customer").size()
    columns = _extra_columns()
    if columns:
        if extras is None:
            extras = extra_values(None if customers is None else list(index), as_of)
        provided = pd.DataFrame.from_dict(dict(extras), orient="index", dtype=float)
        raw[columns] = provided.reindex(index=index, columns=columns)
    raw = raw.fillna(0.0)
    features = raw[FEATURES].astype(float).copy()
    for name in _LOGGED:
        features[name] = np.log1p(features[name].clip(lower=0))
    labels = None
    if with_labels:
        future = _between(history.orders, end, end + pd.Timedelta(days=horizon_days))
        labels = pd.Series((~index.isin(future["customer"].unique())).astype(int), index=index)
    return Snapshot(features=features, raw=raw, labels=labels)


def _pipeline() -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))


def _check(snap: Snapshot, name: str) -> None:
    assert snap.labels is not None
    positives = int(snap.labels.sum())
    customers = len(snap.labels)
    if customers < MIN_CUSTOMERS or min(positives, customers - positives) < MIN_PER_CLASS:
        raise ChurnTrainingError(
            f"{name}: {customers} customers, {positives} churned — need at least "
            f"{MIN_CUSTOMERS} customers and {MIN_PER_CLASS} of each outcome"
        )


def _precision_top_decile(labels: Any, scores: Any) -> float:
    import numpy as np

    count = max(1, math.ceil(len(labels) / 10))
    order = np.argsort(-np.asarray(scores, dtype=float), kind="stable")[:count]
    return float(np.asarray(labels)[order].mean())


def evaluate(
    labels: Any, model_scores: Any, recency_days: Any, horizon_days: int
) -> dict[str, Any]:
    """ROC-AUC and precision in the top decile for the model, and the same for the plain rule
    "no purchase for more than ``horizon_days`` days ⇒ churn" (AUC of its yes/no verdict; its top
    decile is the longest-silent customers)."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    rule = (np.asarray(recency_days) > horizon_days).astype(int)
    return {
        "customers": len(labels),
        "positives": int(np.sum(labels)),
        "base_rate": round(float(np.mean(labels)), 4),
        "model": {
            "roc_auc": round(float(roc_auc_score(labels, model_scores)), 4),
            "precision_top_decile": round(_precision_top_decile(labels, model_scores), 4),
        },
        "rule": {
            "roc_auc": round(float(roc_auc_score(labels, rule)), 4),
            "precision_top_decile": round(
                _precision_top_decile(labels, np.asarray(recency_days, dtype=float)), 4
            ),
        },
    }


def train(*, today: date, horizon_days: int) -> tuple[Any, dict[str, Any], date]:
    """Fit and evaluate (see the module docstring); returns the refitted pipeline, the metrics
    and its cut-off. Raises ``ChurnTrainingError`` when the history is too thin."""
    import sklearn

    eval_cutoff = today - timedelta(days=horizon_days)
    train_cutoff = eval_cutoff - timedelta(days=horizon_days)
    history = load_history(None)
    if history.orders.empty:
        raise ChurnTrainingError("no purchases yet")
    train_snap = snapshot(history, train_cutoff, horizon_days=horizon_days, with_labels=True)
    eval_snap = snapshot(history, eval_cutoff, horizon_days=horizon_days, with_labels=True)
    _check(train_snap, f"training snapshot {train_cutoff}")
    _check(eval_snap, f"evaluation snapshot {eval_cutoff}")
    assert train_snap.labels is not None and eval_snap.labels is not None
    candidate = _pipeline().fit(train_snap.features.to_numpy(), train_snap.labels.to_numpy())
    scores = candidate.predict_proba(eval_snap.features.to_numpy())[:, 1]
    evaluation = evaluate(
        eval_snap.labels.to_numpy(),
        scores,
        eval_snap.raw["recency_days"].to_numpy(),
        horizon_days,
    )
    evaluation.update(train_cutoff=str(train_cutoff), eval_cutoff=str(eval_cutoff))
    final = _pipeline().fit(eval_snap.features.to_numpy(), eval_snap.labels.to_numpy())
    coefficients = final[-1].coef_[0]
    metrics = {
        "evaluation": evaluation,
        "training": {
            "customers": len(train_snap.labels),
            "positives": int(train_snap.labels.sum()),
            "refit_customers": len(eval_snap.labels),
            "refit_positives": int(eval_snap.labels.sum()),
            "horizon_days": horizon_days,
            "sklearn": sklearn.__version__,
        },
        "coefficients": {
            name: round(float(value), 4) for name, value in zip(FEATURES, coefficients, strict=True)
        },
    }
    return final, metrics, eval_cutoff


def dump(pipeline: Any) -> bytes:
    import joblib

    buffer = io.BytesIO()
    joblib.dump(pipeline, buffer)
    return buffer.getvalue()


_loaded: dict[tuple[int, bytes], Any] = {}


def load(model: ChurnModel) -> Any | None:
    """The fitted pipeline of ``model`` (cached per process), or ``None`` when it was written by
    another scikit-learn version (retrain with ``manage.py train_churn``)."""
    import joblib
    import sklearn

    if model.sklearn_version != sklearn.__version__:
        logger.warning(
            "churn model v%s was trained with scikit-learn %s, this is %s: not scoring",
            model.version,
            model.sklearn_version,
            sklearn.__version__,
        )
        return None
    blob = bytes(model.model_blob)
    # Keyed by the blob's digest too: a primary key can come back with other contents (a
    # restored database, or the tests' rolled-back rows), a digest cannot.
    key = (model.pk, hashlib.blake2b(blob, digest_size=16).digest())
    if key not in _loaded:
        _loaded.clear()
        _loaded[key] = joblib.load(io.BytesIO(blob))
    return _loaded[key]


def _reason(name: str, direction: str, raw: Any) -> dict[str, Any] | None:
    provider = _PROVIDED.get(name)
    if provider is not None:
        if f"{name}:{direction}" not in REASON_TEXTS:
            return None
        provided = provider.reason_params(name, direction, raw)
        return None if provided is None else {"key": f"{name}:{direction}", "params": provided}
    value = float(raw[name])
    if direction == "low" and value == 0 and f"{name}:none" in REASON_TEXTS:
        return {"key": f"{name}:none", "params": {}}
    key = f"{name}:{direction}"
    if key not in REASON_TEXTS:
        return None
    params: dict[str, Any]
    if name in {"recency_days", "tenure_days"}:
        params = {"days": int(value)}
    elif name in {"purchase_days_365", "category_breadth_365", "interactions_90", "complaints_365"}:
        params = {"count": int(value)}
    elif name == "spend_365":
        params = {"amount": f"{Decimal(str(value)).quantize(Decimal('1')):,}"}
    elif name == "spend_trend_90":
        previous, recent = float(raw["spend_prev_90"]), float(raw["spend_90"])
        if previous <= 0 or recent >= previous:
            return None
        params = {"percent": round(100 * (previous - recent) / previous)}
    elif name == "cycle_ratio":
        ratio = float(raw["cycle_ratio_unclipped"])
        if ratio < 1:
            return None
        params = {"ratio": f"{ratio:.1f}"}
    else:  # shares
        if direction == "high" and value <= 0:
            return None
        params = {"percent": round(100 * value)}
    return {"key": key, "params": params}


def reasons_for(
    pipeline: Any, features: Any, raw: Any, limit: int = 3, names: Sequence[str] | None = None
) -> list[list[dict[str, Any]]]:
    """Each row's strongest reasons towards churn: coefficient × standardised value, largest
    positive first, worded from the raw values (``raw``: one mapping per row; ``names``: the
    columns of ``features``, ``FEATURES`` unless given)."""
    import numpy as np

    names = FEATURES if names is None else names
    scaler, classifier = pipeline[0], pipeline[-1]
    standardised = scaler.transform(features)
    contributions = standardised * classifier.coef_[0]
    # One sort for the whole matrix: per row it was most of the time at 150,000 customers.
    ranked = np.argsort(-contributions, axis=1, kind="stable").tolist()
    above_mean = (standardised > 0).tolist()
    result = []
    for row, contribution in enumerate(contributions.tolist()):
        reasons: list[dict[str, Any]] = []
        for column in ranked[row]:
            if contribution[column] <= 0 or len(reasons) == limit:
                break
            name = names[column]
            direction = "high" if above_mean[row][column] else "low"
            reason = _reason(name, direction, raw[row])
            if reason is not None:
                reasons.append(reason)
        result.append(reasons)
    return result


@dataclass(frozen=True)
class ChurnScore:
    probability: float
    reasons: list[dict[str, Any]]
    version: int


def score(
    customer_ids: Sequence[int] | None,
    *,
    today: date,
    horizon_days: int,
    category_triples: list[tuple[int, int, date]] | None = None,
) -> dict[int, ChurnScore]:
    """Churn probabilities and reasons of ``customer_ids`` (everyone who has bought when
    ``None``) with the active model; empty without one.

    A version trained on fewer features than the code now computes (one from before a provider
    was added) keeps scoring on its own columns until the next retraining; one that needs a
    feature the code no longer computes scores nobody (logged), like a model from another
    scikit-learn version."""
    model = ChurnModel.objects.filter(is_active=True).first()
    if model is None:
        return {}
    names = list(model.features)
    if not set(names) <= set(FEATURES):
        logger.warning(
            "churn model v%s needs features this code does not compute (%s): not scoring",
            model.version,
            ", ".join(sorted(set(names) - set(FEATURES))),
        )
        return {}
    pipeline = load(model)
    if pipeline is None:
        return {}
    rows = load_rows(customer_ids, category_triples)
    if not rows.orders:
        return {}
    customers = (
        sorted(set(customer_ids))
        if customer_ids is not None
        else sorted({pk for pk, _day, _total, _channel in rows.orders})
    )
    # One provider read for the requested customers (no id list when scoring everyone), none
    # when the model uses no provided feature.
    extras = extra_values(customer_ids, today) if set(names) & set(_PROVIDED) else {}
    if len(customers) < SMALL_INPUT:
        raws = raw_features_python(
            rows, today, horizon_days=horizon_days, customers=customers, extras=extras
        )
        index = list(raws)
        matrix_rows = [model_inputs(raws[pk]) for pk in index]
        raw_rows: list[Any] = [raws[pk] for pk in index]
    else:
        snap = snapshot(
            history_frames(rows),
            today,
            horizon_days=horizon_days,
            with_labels=False,
            customers=customers,
            extras=extras,
        )
        index = [int(pk) for pk in snap.features.index]
        matrix_rows = snap.features.to_numpy().tolist()
        raw_rows = snap.raw.to_dict("records")
    if not index:
        return {}
    import numpy as np

    matrix = np.asarray(matrix_rows, dtype=float)
    if names != FEATURES:
        matrix = matrix[:, [FEATURES.index(name) for name in names]]
    probabilities = pipeline.predict_proba(matrix)[:, 1]
    reasons = reasons_for(pipeline, matrix, raw_rows, names=names)
    return {
        customer_id: ChurnScore(
            probability=round(float(probability), 4), reasons=row_reasons, version=model.version
        )
        for customer_id, probability, row_reasons in zip(index, probabilities, reasons, strict=True)
    }


def reason_text(reason: dict[str, Any]) -> str:
    """One stored reason in the active language ("" for an unknown key)."""
    template = REASON_TEXTS.get(str(reason.get("key", "")))
    if template is None:
        return ""
    try:
        return str(template) % reason.get("params", {})
    except (KeyError, TypeError, ValueError):
        return ""
