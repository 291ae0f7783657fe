"""The /healthz probe: its JSON shape, a lagging worker reported as degraded, a dead database as
503, and that it reveals nothing about customers."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.db import OperationalError, connections
from django.test import Client
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult, get_date_max

from tests.factories import CustomerFactory

DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _task_row(
    *,
    status: str,
    enqueued_minutes_ago: float,
    run_after: datetime | None = None,
    finished_at: datetime | None = None,
) -> None:
    row = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="toolcrm.example.tasks.nightly",
        backend_name="default",
        run_after=run_after or get_date_max(),
        finished_at=finished_at,
    )
    # enqueued_at is auto_now_add: move it back with an update, as time passing would.
    enqueued_at = timezone.now() - timedelta(minutes=enqueued_minutes_ago)
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=enqueued_at)


@pytest.mark.django_db
def test_healthz_is_public_json_with_every_field() -> None:
    response = Client().get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert set(body) == {"status", "database", "worker", "version"}
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    assert isinstance(body["database"]["latency_ms"], float)
    assert body["worker"] == {
        "backend": "immediate",
        "ok": True,
        "queued": 0,
        "oldest_queued_age_s": None,
        "last_finished_at": None,
    }
    assert body["version"] == "0.1.0"


@pytest.mark.django_db
def test_healthz_refuses_writes() -> None:
    assert Client().post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_contains_no_customer_data() -> None:
    CustomerFactory(name="王健康", phone="+8613912345678")

    text = Client().get("/healthz").content.decode()

    assert "王健康" not in text
    assert "13912345678" not in text
    assert "5678" not in text


@pytest.mark.django_db
def test_database_queue_flowing_is_ok(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = DATABASE_BACKEND
    _task_row(status="READY", enqueued_minutes_ago=1)
    finished_at = timezone.now() - timedelta(minutes=9)
    _task_row(status="SUCCESSFUL", enqueued_minutes_ago=10, finished_at=finished_at)

    response = Client().get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    worker = body["worker"]
    assert worker["backend"] == "database"
    assert worker["ok"] is True
    assert worker["queued"] == 1
    assert worker["running"] == 0
    assert 55 <= worker["oldest_queued_age_s"] <= 75
    assert worker["last_finished_at"] == finished_at.isoformat()


@pytest.mark.django_db
def test_task_queued_longer_than_five_minutes_makes_worker_degraded(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = DATABASE_BACKEND
    _task_row(status="READY", enqueued_minutes_ago=6)

    response = Client().get("/healthz")

    assert response.status_code == 200  # the web tier still serves; monitoring sees "degraded"
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"]["ok"] is True
    assert body["worker"]["ok"] is False
    assert body["worker"]["queued"] == 1
    assert body["worker"]["oldest_queued_age_s"] >= 360


@task()
def nightly_noop() -> None:
    """A module-level task, so the database backend accepts it; the test never runs it."""


@pytest.mark.django_db
def test_task_enqueued_through_the_database_backend_is_counted(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = DATABASE_BACKEND

    result = nightly_noop.enqueue()

    assert DBTaskResult.objects.get().pk == uuid.UUID(str(result.id))
    worker = Client().get("/healthz").json()["worker"]
    assert worker["queued"] == 1
    assert worker["ok"] is True
    assert worker["oldest_queued_age_s"] < 60


@pytest.mark.django_db
def test_task_scheduled_for_later_is_neither_queued_nor_late(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = DATABASE_BACKEND
    _task_row(
        status="READY", enqueued_minutes_ago=60, run_after=timezone.now() + timedelta(hours=1)
    )
    # Scheduled for 2 minutes ago although enqueued an hour ago: waiting 2 minutes, not 60.
    _task_row(
        status="READY", enqueued_minutes_ago=60, run_after=timezone.now() - timedelta(minutes=2)
    )

    body = Client().get("/healthz").json()

    assert body["status"] == "ok"
    assert body["worker"]["queued"] == 1
    assert 110 <= body["worker"]["oldest_queued_age_s"] <= 130


@pytest.mark.django_db
def test_database_down_answers_503(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = DATABASE_BACKEND
    failing_cursor = mock.patch.object(
        connections["default"], "cursor", side_effect=OperationalError("connection refused")
    )

    with failing_cursor:
        response = Client().get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["database"] == {
        "ok": False,
        "vendor": connections["default"].vendor,
        "latency_ms": None,
        "error": "OperationalError",
    }
    assert body["worker"]["ok"] is False
    assert body["worker"]["error"] == "database unavailable"
    assert "connection refused" not in response.content.decode()


@pytest.mark.django_db
def test_rq_backend_with_redis_down_is_degraded(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = Client().get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["worker"]["backend"] == "rq"
    assert body["worker"]["ok"] is False
    assert body["worker"]["error"] == "ConnectionError"


@pytest.mark.django_db
def test_rq_backend_reports_jobs_waiting_without_workers(settings) -> None:  # type: ignore[no-untyped-def]
    redis_module = pytest.importorskip("redis")
    from rq import Queue

    redis = redis_module.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
    try:
        redis.ping()
    except redis_module.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise  # CI starts Redis: a missing server there is a failure, not a skip
        pytest.skip(f"no Redis at {settings.REDIS_URL}")
    queue_name = f"toolcrm-health-test-{uuid.uuid4().hex[:8]}"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": [queue_name]}}
    queue = Queue(queue_name, connection=redis)
    queue.enqueue("os.getcwd")
    try:
        body = Client().get("/healthz").json()
    finally:
        queue.delete(delete_jobs=True)

    assert body["status"] == "degraded"
    assert body["worker"]["backend"] == "rq"
    assert body["worker"]["queued"] == 1
    assert body["worker"]["workers"] == 0
    assert body["worker"]["ok"] is False
    assert body["worker"]["oldest_queued_age_s"] < 60
