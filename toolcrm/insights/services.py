"""Writes of the insights app: recompute customers' scores (all of them nightly, or a few after a
sale) and record the chain's scoring run.

Set-based: ``summaries`` gives every customer's purchase summary (aggregated in one query on
PostgreSQL, from raw purchase-day rows elsewhere), the scoring rules (``scoring``, ``clv``) run in
Python over plain tuples, and rows are written with set statements (COPY on PostgreSQL) or in
chunks; nothing queries per customer. A row is written only when one of its values changed, so
running the same recompute twice changes nothing.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from toolcrm.accounts.models import User
from toolcrm.core.notifications import notify
from toolcrm.core.roles import Role
from toolcrm.customers.models import Customer
from toolcrm.insights import churn, clv, cycles, scoring
from toolcrm.insights import summaries as customer_summaries
from toolcrm.insights.conf import InsightThresholds, thresholds
from toolcrm.insights.models import ChurnModel, CustomerScore, ScoringRun
from toolcrm.insights.scoring import CustomerSummary

CHUNK_SIZE = 1000
SCORE_FIELDS = [
    "recency_days",
    "frequency",
    "monetary",
    "r_score",
    "f_score",
    "m_score",
    "rfm_segment",
    "lifecycle_stage",
    "first_purchase_on",
    "last_purchase_on",
    "purchase_cycle_days",
    "predicted_purchases_12m",
    "clv_12m",
    "rolling_spend_12m",
    "is_vip",
    "churn_probability",
    "churn_reasons",
    "churn_model_version",
    "computed_at",
]
Item = TypeVar("Item")


@dataclass(frozen=True)
class RecomputeResult:
    is_full: bool
    customers: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    is_clv_fitted: bool
    seconds: float
    new_vips: int = 0
    churn_scored: int = 0
    cycles: int = 0
    overdue_cycles: int = 0


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _breakpoints(summaries: Sequence[CustomerSummary]) -> dict[str, list[Any]]:
    return {
        "recency": scoring.quintile_breakpoints(
            [s.recency_days for s in summaries], lower_is_better=True
        ),
        "frequency": scoring.quintile_breakpoints([s.frequency for s in summaries]),
        "monetary": [
            str(cut) for cut in scoring.quintile_breakpoints([s.monetary for s in summaries])
        ],
    }


# A score as written: (customer id, the values of ``SCORE_FIELDS`` in order). Plain tuples, not
# ``CustomerScore`` instances: at 200,000 customers building model instances alone took seconds.
ScoreRow = tuple[int, tuple[Any, ...]]
IS_VIP = SCORE_FIELDS.index("is_vip")
ROLLING_SPEND = SCORE_FIELDS.index("rolling_spend_12m")
CHURN_REASONS = SCORE_FIELDS.index("churn_reasons")


def _score_row(
    summary: CustomerSummary,
    cuts: dict[str, list[Any]],
    prediction: tuple[Decimal | None, Decimal | None],
    *,
    rolling_spend: Decimal,
    churn_score: churn.ChurnScore | None,
    now: datetime,
    limits: InsightThresholds,
) -> ScoreRow:
    """One customer's score. ``cuts["monetary"]`` holds Decimals here (the run stores text)."""
    r_score = scoring.score(summary.recency_days, cuts["recency"], lower_is_better=True)
    f_score = scoring.score(summary.frequency, cuts["frequency"])
    m_score = scoring.score(summary.monetary, cuts["monetary"])
    return summary.customer_id, (
        summary.recency_days,
        summary.frequency,
        summary.monetary,
        r_score,
        f_score,
        m_score,
        scoring.rfm_segment(r_score, f_score, m_score),
        scoring.lifecycle_stage(summary, limits),
        summary.first_day,
        summary.last_day,
        summary.purchase_cycle_days,
        prediction[0],
        prediction[1],
        rolling_spend,
        rolling_spend >= limits.vip_threshold,
        churn_score.probability if churn_score else None,
        churn_score.reasons if churn_score else [],
        churn_score.version if churn_score else None,
        now,
    )


def _values(score: CustomerScore) -> tuple[Any, ...]:
    return tuple(getattr(score, name) for name in SCORE_FIELDS)


# From this many scores on, PostgreSQL writes them through COPY into a temporary table and three
# set statements (insert new, update changed, find new VIPs) instead of ORM batches: at 200,000
# customers the ORM write was about half of the nightly run.
COPY_WRITE_MIN = 2000


def _write_by_copy(scores: Sequence[ScoreRow]) -> tuple[int, int, int, list[int]]:
    """PostgreSQL: the same outcome as ``_write`` (rows inserted, changed rows replaced, equal rows
    untouched, the customers who became VIP) with the rows streamed by COPY."""
    from psycopg.types.json import Jsonb

    table = CustomerScore._meta.db_table
    columns = ["customer_id", *SCORE_FIELDS]
    column_list = ", ".join(f'"{name}"' for name in columns)
    fields = [f'"{name}"' for name in SCORE_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE TEMPORARY TABLE score_stage (LIKE "{table}") ON COMMIT DROP')
        raw = cursor.cursor
        with raw.copy(f"COPY score_stage ({column_list}) FROM STDIN") as copy:
            for customer_id, values in scores:
                row = [customer_id, *values]
                row[1 + CHURN_REASONS] = Jsonb(values[CHURN_REASONS])
                copy.write_row(row)
        cursor.execute(
            f'SELECT s.customer_id FROM score_stage s LEFT JOIN "{table}" c '
            "ON c.customer_id = s.customer_id "
            "WHERE s.is_vip AND (c.customer_id IS NULL OR NOT c.is_vip)"
        )
        became_vip = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f'UPDATE "{table}" c SET ({", ".join(fields)}) = '
            f"({', '.join('s.' + f for f in fields)}) FROM score_stage s "
            "WHERE c.customer_id = s.customer_id AND "
            f"({', '.join('c.' + f for f in fields)}) IS DISTINCT FROM "
            f"({', '.join('s.' + f for f in fields)})"
        )
        updated = cursor.rowcount
        cursor.execute(
            f'INSERT INTO "{table}" ({column_list}) SELECT {column_list} FROM score_stage s '
            f'WHERE NOT EXISTS (SELECT 1 FROM "{table}" c WHERE c.customer_id = s.customer_id)'
        )
        created = cursor.rowcount
        cursor.execute("DROP TABLE score_stage")
    return created, updated, len(scores) - created - updated, became_vip


def _write(scores: Sequence[ScoreRow]) -> tuple[int, int, int, list[int]]:
    """Insert new rows and replace changed ones, in chunks; returns (created, updated, same,
    the customers who became VIP: not VIP, or not scored, before this write).

    A changed row is deleted and inserted again (its primary key is the customer id, so nothing
    else moves): two set statements per chunk, where Django's ``bulk_update`` would build a
    CASE expression per row and field (about 10 ms a row in Python).
    """
    if connection.vendor == "postgresql" and len(scores) >= COPY_WRITE_MIN:
        return _write_by_copy(scores)
    created = updated = 0
    became_vip: list[int] = []
    for chunk in _chunks(scores, CHUNK_SIZE):
        rows = CustomerScore.objects.filter(customer_id__in=[pk for pk, _ in chunk])
        existing = {row.customer_id: _values(row) for row in rows}
        was_vip = {pk for pk, values in existing.items() if values[IS_VIP]}
        became_vip += [pk for pk, values in chunk if values[IS_VIP] and pk not in was_vip]
        new = [(pk, values) for pk, values in chunk if pk not in existing]
        changed = [
            (pk, values) for pk, values in chunk if pk in existing and existing[pk] != values
        ]
        if changed:
            CustomerScore.objects.filter(customer_id__in=[pk for pk, _ in changed]).delete()
        CustomerScore.objects.bulk_create(
            CustomerScore(customer_id=pk, **dict(zip(SCORE_FIELDS, values, strict=True)))
            for pk, values in new + changed
        )
        created += len(new)
        updated += len(changed)
    return created, updated, len(scores) - created - updated, became_vip


def _delete_unscored(customer_ids: Sequence[int] | None, scored: set[int]) -> int:
    """Delete the score rows of ``customer_ids`` (every row when ``None``) whose customer was not
    scored now: no purchase any more, or inactive. The summaries cover every purchasing
    customer, so the scored set is all that is needed (no anti-join against the orders)."""
    if customer_ids is None:
        candidates = list(CustomerScore.objects.values_list("customer_id", flat=True))
    else:
        candidates = list(customer_ids)
    stale = [pk for pk in candidates if pk not in scored]
    deleted = 0
    for chunk in _chunks(stale, CHUNK_SIZE):
        deleted += CustomerScore.objects.filter(customer_id__in=chunk).delete()[0]
    return deleted


def _notify_new_vips(
    customer_ids: Sequence[int],
    *,
    spend: Mapping[int, Decimal],
    today: date,
    limits: InsightThresholds,
) -> int:
    """Tell each new VIP's account manager (or, without one, the managers of the customer's home
    store) in-app. Keyed per customer and day, so a rerun or a concurrent refresh notifies once;
    losing the flag and passing the threshold again later is a new transition."""
    if not customer_ids:
        return 0
    customers = list(
        Customer.objects.filter(pk__in=list(customer_ids)).values(
            "pk", "name", "account_manager_id", "home_store_id"
        )
    )
    store_managers: dict[int, list[int]] = {}
    for user_id, store_id in User.objects.filter(
        role=Role.STORE_MANAGER,
        is_active=True,
        store_id__in={c["home_store_id"] for c in customers if not c["account_manager_id"]},
    ).values_list("pk", "store_id"):
        store_managers.setdefault(store_id, []).append(user_id)
    sent = 0
    for customer in customers:
        recipients = (
            [customer["account_manager_id"]]
            if customer["account_manager_id"]
            else store_managers.get(customer["home_store_id"], [])
        )
        sent += notify(
            recipient_ids=recipients,
            title=gettext("新晋 VIP 客户：%(name)s") % {"name": customer["name"]},
            body=gettext("近12个月消费 ¥%(spend)s，已达到 VIP 门槛 ¥%(threshold)s。请及时跟进。")
            % {
                "spend": f"{spend.get(customer['pk'], Decimal('0')):,.2f}",
                "threshold": f"{limits.vip_threshold:,.0f}",
            },
            url=reverse("workspace:customer_360", args=[customer["pk"]]),
            key=f"insights.vip:{customer['pk']}:{today.isoformat()}",
        )
    return sent


@transaction.atomic
def recompute_scores(
    *, customer_ids: Sequence[int] | None = None, now: datetime | None = None
) -> RecomputeResult:
    """Recompute the scores of ``customer_ids``, or of every customer when ``None``.

    A full run ranks customers chain-wide, fits the CLV models and records a ``ScoringRun``; a
    partial run scores against the latest run's cut values and CLV parameters (and becomes a full
    run when there is none yet). Customers without a purchase any more lose their row.
    """
    started = time.perf_counter()
    if customer_ids is not None and not customer_ids:
        return RecomputeResult(
            is_full=False,
            customers=0,
            created=0,
            updated=0,
            unchanged=0,
            deleted=0,
            is_clv_fitted=False,
            seconds=0.0,
        )
    now = now or timezone.now()
    today = timezone.localdate(now)
    limits = thresholds()
    latest_run = None if customer_ids is None else ScoringRun.objects.order_by("-pk").first()
    if customer_ids is not None and latest_run is None:
        customer_ids = None
    summaries, rolling = customer_summaries.summaries(
        customer_ids, today=today, window_days=limits.rfm_window_days
    )
    triples = cycles.category_days(customer_ids)  # shared by the cycles and the churn features
    churn_scores = churn.score(
        customer_ids,
        today=today,
        horizon_days=limits.churn_horizon_days,
        category_triples=triples,
    )
    if latest_run is None:
        cuts = _breakpoints(summaries)
        parameters = clv.fit(
            summaries, penalizer=limits.clv_penalizer, min_customers=limits.clv_min_customers
        )
    else:
        cuts = latest_run.breakpoints
        parameters = clv.ClvParameters.from_dict(latest_run.clv_parameters)
    predictions: list[tuple[Decimal | None, Decimal | None]] = [(None, None)] * len(summaries)
    if parameters is not None:
        predictions = list(clv.predict(parameters, summaries))
    score_cuts = {**cuts, "monetary": [Decimal(cut) for cut in cuts["monetary"]]}
    scores = [
        _score_row(
            summary,
            score_cuts,
            prediction,
            rolling_spend=spend,
            churn_score=churn_scores.get(summary.customer_id),
            now=now,
            limits=limits,
        )
        for summary, prediction, spend in zip(summaries, predictions, rolling, strict=True)
    ]
    created, updated, unchanged, became_vip = _write(scores)
    _notify_new_vips(
        became_vip,
        spend={pk: values[ROLLING_SPEND] for pk, values in scores if values[IS_VIP]},
        today=today,
        limits=limits,
    )
    cycle_result = cycles.write_cycles(
        customer_ids, now=now, today=today, limits=limits, triples=triples
    )
    deleted = _delete_unscored(customer_ids, {summary.customer_id for summary in summaries})
    if latest_run is None:
        ScoringRun.objects.create(
            computed_at=now,
            customers=len(scores),
            breakpoints=cuts,
            clv_parameters=parameters.as_dict() if parameters else None,
            duration_seconds=round(time.perf_counter() - started, 3),
        )
    return RecomputeResult(
        is_full=latest_run is None,
        customers=len(scores),
        created=created,
        updated=updated,
        unchanged=unchanged,
        deleted=deleted,
        is_clv_fitted=parameters is not None,
        seconds=round(time.perf_counter() - started, 3),
        new_vips=len(became_vip),
        churn_scored=len(churn_scores),
        cycles=cycle_result.cycles,
        overdue_cycles=cycle_result.overdue,
    )


def refresh_customer(*, customer_id: int, now: datetime | None = None) -> CustomerScore | None:
    """Rescore one customer (after a sale or a return) against the latest chain-wide run."""
    recompute_scores(customer_ids=[customer_id], now=now)
    return CustomerScore.objects.filter(customer_id=customer_id).first()


def refresh_customers(
    *, customer_ids: Sequence[int], now: datetime | None = None
) -> RecomputeResult:
    """Rescore many customers at once (an import batch): the same set-based path as the nightly
    run, restricted to ``customer_ids``."""
    return recompute_scores(customer_ids=sorted(set(customer_ids)), now=now)


@transaction.atomic
def train_churn_model(*, now: datetime | None = None) -> ChurnModel:
    """Train, evaluate and store a new churn model version and make it the active one (older
    versions are kept, inactive). Raises ``churn.ChurnTrainingError`` on too little history;
    nothing is written then."""
    import sklearn

    now = now or timezone.now()
    limits = thresholds()
    pipeline, metrics, cutoff = churn.train(
        today=timezone.localdate(now), horizon_days=limits.churn_horizon_days
    )
    latest = ChurnModel.objects.select_for_update().order_by("-version").first()
    ChurnModel.objects.filter(is_active=True).update(is_active=False)
    return ChurnModel.objects.create(
        version=(latest.version + 1) if latest else 1,
        trained_at=now,
        cutoff_on=cutoff,
        algorithm=churn.ALGORITHM,
        features=churn.FEATURES,
        metrics=metrics,
        sklearn_version=sklearn.__version__,
        model_blob=churn.dump(pipeline),
        is_active=True,
    )
