"""The ``/healthz`` probe for load balancers, systemd watchdogs and monitoring.

It answers without a login and reports only operational facts (no customer data, no task
arguments): whether the database answers and how fast, and whether background work is flowing
for the configured Tasks backend (the database queue, RQ on Redis, or the immediate backend used by
tests). HTTP 200 while the database answers, even when the worker lags ("degraded" tells monitoring
without taking the web servers out of the load balancer); 503 when the database does not answer,
because then no page can work.
"""

from __future__ import annotations

import importlib.metadata
import logging
import time
import tomllib
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Case, Count, F, Max, Min, When
from django.db.models.functions import Greatest
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

# A queued task older than this means no worker is taking work (or workers cannot keep up).
WORKER_MAX_QUEUE_AGE = timedelta(minutes=5)
TASK_BACKEND_ALIAS = "default"

JSON = dict[str, Any]


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    database = check_database()
    worker = check_worker(database_ok=database["ok"])
    if not database["ok"]:
        status, http_status = "error", 503
    elif not worker["ok"]:
        status, http_status = "degraded", 200
    else:
        status, http_status = "ok", 200
    body = {"status": status, "database": database, "worker": worker, "version": version()}
    return JsonResponse(body, status=http_status)


def check_database() -> JSON:
    connection = connections[DEFAULT_DB_ALIAS]
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down" for the probe
        logger.warning("health: database check failed: %s", exc.__class__.__name__)
        return {
            "ok": False,
            "vendor": connection.vendor,
            "latency_ms": None,
            "error": exc.__class__.__name__,
        }
    latency_ms = round((time.perf_counter() - started) * 1000, 2)
    return {"ok": True, "vendor": connection.vendor, "latency_ms": latency_ms}


def _task_backend_config() -> dict[str, Any]:
    return cast(dict[str, Any], settings.TASKS[TASK_BACKEND_ALIAS])


def check_worker(*, database_ok: bool) -> JSON:
    backend_path = _task_backend_config()["BACKEND"]
    name, checker = _WORKER_CHECKS.get(backend_path, (backend_path, _check_unknown_backend))
    report: JSON = {
        "backend": name,
        "ok": True,
        "queued": 0,
        "oldest_queued_age_s": None,
        "last_finished_at": None,
    }
    try:
        report.update(checker(database_ok))
    except Exception as exc:  # the probe must answer even when the queue is unreachable
        logger.warning("health: %s worker check failed: %s", name, exc.__class__.__name__)
        report.update(ok=False, error=exc.__class__.__name__)
    return report


def _check_immediate_backend(database_ok: bool) -> JSON:
    return {}  # tasks run inside the request: there is no queue to fall behind


def _check_unknown_backend(database_ok: bool) -> JSON:
    return {"ok": True, "queued": None}


def _check_database_backend(database_ok: bool) -> JSON:
    if not database_ok:
        return {"ok": False, "queued": None, "error": "database unavailable"}
    from django_tasks_db.models import DBTaskResult, get_date_max

    rows = DBTaskResult.objects.filter(backend_name=TASK_BACKEND_ALIAS)
    # A task is waiting since it became runnable: when enqueued, or at its run_after if later.
    # "No run_after" is stored as the maximum date, which must not count as a time.
    ready_since = Greatest(
        F("enqueued_at"),
        Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")),
    )
    queued = rows.ready().aggregate(count=Count("pk"), oldest=Min(ready_since))
    last_finished = rows.finished().aggregate(last=Max("finished_at"))["last"]
    oldest_age = _age_seconds(queued["oldest"])
    return {
        "ok": oldest_age is None or oldest_age <= WORKER_MAX_QUEUE_AGE.total_seconds(),
        "queued": queued["count"],
        "running": rows.running().count(),
        "oldest_queued_age_s": oldest_age,
        "last_finished_at": last_finished.isoformat() if last_finished else None,
    }


def _check_rq_backend(database_ok: bool) -> JSON:
    from redis import Redis
    from rq import Queue, Worker

    redis = Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    redis.ping()
    queue_names = _task_backend_config().get("QUEUES", ["default"])
    queued = 0
    oldest: datetime | None = None
    workers = 0
    for queue_name in queue_names:
        queue = Queue(queue_name, connection=redis)
        queued += queue.count
        workers += Worker.count(connection=redis, queue=queue)
        first_jobs = queue.get_jobs(0, 1)
        if first_jobs and first_jobs[0].enqueued_at is not None:
            enqueued_at = first_jobs[0].enqueued_at
            if enqueued_at.tzinfo is None:  # rq stores UTC
                enqueued_at = enqueued_at.replace(tzinfo=UTC)
            oldest = enqueued_at if oldest is None else min(oldest, enqueued_at)
    oldest_age = _age_seconds(oldest)
    is_flowing = oldest_age is None or oldest_age <= WORKER_MAX_QUEUE_AGE.total_seconds()
    return {
        "ok": is_flowing and (workers > 0 or queued == 0),
        "queued": queued,
        "workers": workers,
        "oldest_queued_age_s": oldest_age,
    }


_WORKER_CHECKS: dict[str, tuple[str, Callable[[bool], JSON]]] = {
    "django_tasks_db.DatabaseBackend": ("database", _check_database_backend),
    "django_tasks.backends.immediate.ImmediateBackend": ("immediate", _check_immediate_backend),
    "django_tasks_rq.RQBackend": ("rq", _check_rq_backend),
}


def _age_seconds(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    return round(max((timezone.now() - moment).total_seconds(), 0.0), 1)


@lru_cache(maxsize=1)
def version() -> str:
    """The project version from pyproject.toml (a checkout), else the installed distribution."""
    pyproject = settings.BASE_DIR / "pyproject.toml"
    try:
        with pyproject.open("rb") as file:
            return str(tomllib.load(file)["project"]["version"])
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        pass
    try:
        return importlib.metadata.version("toolcrm")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"
