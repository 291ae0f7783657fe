"""Writes of the insights app: recompute customers' scores (all of them nightly, or a few after a
sale) and record the chain's scoring run.

Set-based: one streamed aggregate query gives every customer's purchase days, the scoring rules
(``scoring``, ``clv``) run in Python, and rows are written with set statements in
chunks; nothing queries per customer. A row is written only when one of its
values changed, so running the same recompute twice changes nothing.
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
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from toolcrm.accounts.models import User
from toolcrm.core.notifications import notify
from toolcrm.core.roles import Role
from toolcrm.customers.models import Customer
from toolcrm.insights import churn, clv, cycles, scoring
from toolcrm.insights.conf import InsightThresholds, thresholds
from toolcrm.insights.models import ChurnModel, CustomerScore, ScoringRun
from toolcrm.insights.purchases import purchasing_orders
from toolcrm.insights.scoring import CustomerSummary, PurchaseDay
from toolcrm.sales.models import Return

CHUNK_SIZE = 1000
ZERO = Decimal("0.00")
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
ROLLING_DAYS = 365
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


def _purchase_days(customer_ids: Sequence[int] | None) -> Iterator[tuple[int, list[PurchaseDay]]]:
    """Each customer's purchase days (local date, net spend, order count), from one aggregate
    query streamed in customer order."""
    refunds = (
        Return.objects.filter(order=OuterRef("pk"))
        .values("order")
        .annotate(amount=Sum("refund_amount"))
        .values("amount")
    )
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
    rows = (
        purchasing_orders(customer_ids)
        .annotate(day=TruncDate("ordered_at"))
        .values("customer_id", "day")
        .annotate(
            spend=Sum(
                F("total") - Coalesce(Subquery(refunds), Value(ZERO), output_field=money),
                output_field=money,
            ),
            orders=Count("id"),
        )
        .order_by("customer_id", "day")
    )
    for customer_id, group in itertools.groupby(
        rows.iterator(chunk_size=5000), key=lambda row: row["customer_id"]
    ):
        yield (
            customer_id,
            [
                PurchaseDay(day=row["day"], spend=row["spend"], orders=row["orders"])
                for row in group
            ],
        )


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


def _build_score(
    summary: CustomerSummary,
    cuts: dict[str, list[Any]],
    prediction: tuple[Decimal | None, Decimal | None],
    *,
    rolling_spend: Decimal,
    churn_score: churn.ChurnScore | None,
    now: datetime,
    limits: InsightThresholds,
) -> CustomerScore:
    r_score = scoring.score(summary.recency_days, cuts["recency"], lower_is_better=True)
    f_score = scoring.score(summary.frequency, cuts["frequency"])
    m_score = scoring.score(summary.monetary, [Decimal(cut) for cut in cuts["monetary"]])
    return CustomerScore(
        customer_id=summary.customer_id,
        recency_days=summary.recency_days,
        frequency=summary.frequency,
        monetary=summary.monetary,
        r_score=r_score,
        f_score=f_score,
        m_score=m_score,
        rfm_segment=scoring.rfm_segment(r_score, f_score, m_score),
        lifecycle_stage=scoring.lifecycle_stage(summary, limits),
        first_purchase_on=summary.first_day,
        last_purchase_on=summary.last_day,
        purchase_cycle_days=summary.purchase_cycle_days,
        predicted_purchases_12m=prediction[0],
        clv_12m=prediction[1],
        rolling_spend_12m=rolling_spend,
        is_vip=rolling_spend >= limits.vip_threshold,
        churn_probability=churn_score.probability if churn_score else None,
        churn_reasons=churn_score.reasons if churn_score else [],
        churn_model_version=churn_score.version if churn_score else None,
        computed_at=now,
    )


def _values(score: CustomerScore) -> tuple[Any, ...]:
    return tuple(getattr(score, name) for name in SCORE_FIELDS)


# From this many scores on, PostgreSQL writes them through COPY into a temporary table and three
# set statements (insert new, update changed, find new VIPs) instead of ORM batches: at 200,000
# customers the ORM write was about half of the nightly run.
COPY_WRITE_MIN = 2000


def _write_by_copy(scores: Sequence[CustomerScore]) -> tuple[int, int, int, list[int]]:
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
            for score in scores:
                row = [score.customer_id, *(getattr(score, name) for name in SCORE_FIELDS)]
                row[columns.index("churn_reasons")] = Jsonb(score.churn_reasons)
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


def _write(scores: Sequence[CustomerScore]) -> tuple[int, int, int, list[int]]:
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
        rows = CustomerScore.objects.filter(customer_id__in=[s.customer_id for s in chunk])
        existing = {row.customer_id: _values(row) for row in rows}
        was_vip = {pk for pk, values in existing.items() if values[SCORE_FIELDS.index("is_vip")]}
        became_vip += [s.customer_id for s in chunk if s.is_vip and s.customer_id not in was_vip]
        new = [score for score in chunk if score.customer_id not in existing]
        changed = [
            score
            for score in chunk
            if score.customer_id in existing and existing[score.customer_id] != _values(score)
        ]
        if changed:
            CustomerScore.objects.filter(customer_id__in=[s.customer_id for s in changed]).delete()
        CustomerScore.objects.bulk_create(new + changed)
        created += len(new)
        updated += len(changed)
    return created, updated, len(scores) - created - updated, became_vip


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
    now = now or timezone.now()
    today = timezone.localdate(now)
    limits = thresholds()
    latest_run = None if customer_ids is None else ScoringRun.objects.order_by("-pk").first()
    if customer_ids is not None and latest_run is None:
        customer_ids = None
    summaries = []
    rolling: list[Decimal] = []
    for customer_id, days in _purchase_days(customer_ids):
        summaries.append(
            scoring.summarise(customer_id, days, today=today, window_days=limits.rfm_window_days)
        )
        rolling.append(
            sum(
                (day.spend for day in days if (today - day.day).days < ROLLING_DAYS),
                Decimal("0"),
            ).quantize(Decimal("0.01"))
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
    scores = [
        _build_score(
            summary,
            cuts,
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
        spend={score.customer_id: score.rolling_spend_12m for score in scores if score.is_vip},
        today=today,
        limits=limits,
    )
    cycle_result = cycles.write_cycles(
        customer_ids, now=now, today=today, limits=limits, triples=triples
    )
    if customer_ids is None:
        still_buying = purchasing_orders(None).filter(customer_id=OuterRef("customer_id"))
        stale = CustomerScore.objects.filter(~Exists(still_buying))
    else:
        scored = {summary.customer_id for summary in summaries}
        stale = CustomerScore.objects.filter(
            customer_id__in=[pk for pk in customer_ids if pk not in scored]
        )
    deleted, _ = stale.delete()
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
