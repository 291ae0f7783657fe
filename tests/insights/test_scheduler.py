"""The scheduler: a job runs once per slot at its local time, not before; a restart does not
run it again; a missed slot is caught up once; a new job starts from its next slot; weekly slots;
``run_scheduler --once``; a broken entry neither stops the others nor counts as run."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from tests.insights import scheduled_jobs
from toolcrm.core import scheduler
from toolcrm.core.models import ScheduledRun

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
SCHEDULE = [
    ("test.nightly", "tests.insights.scheduled_jobs.nightly", "02:00"),
    ("test.weekly", "tests.insights.scheduled_jobs.weekly", "sun 03:30"),
]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, minute, tzinfo=SHANGHAI)  # 2026-06-07 is a Sunday


@pytest.fixture(autouse=True)
def schedule(settings):  # type: ignore[no-untyped-def]
    settings.SCHEDULE = SCHEDULE
    scheduled_jobs.RUNS.clear()
    yield
    scheduled_jobs.RUNS.clear()


def record(name: str, slot: datetime) -> None:
    ScheduledRun.objects.create(name=name, task_path="x", last_slot_at=slot, enqueued_at=slot)


@pytest.mark.django_db
def test_a_new_job_starts_from_its_next_slot():
    assert scheduler.run_due(at(10, 9)) == []  # first sight: baseline only
    assert ScheduledRun.objects.get(name="test.nightly").last_slot_at == at(10, 2)
    assert ScheduledRun.objects.get(name="test.nightly").enqueued_at is None
    assert scheduler.run_due(at(11, 1, 59)) == []
    assert scheduler.run_due(at(11, 2, 0)) == ["test.nightly"]
    assert scheduled_jobs.RUNS == ["nightly"]


@pytest.mark.django_db
def test_due_not_due_and_no_double_run():
    record("test.nightly", at(9, 2))
    record("test.weekly", at(7, 3, 30))

    assert scheduler.run_due(at(10, 1, 59)) == []  # not yet today's slot
    assert scheduler.run_due(at(10, 2, 0)) == ["test.nightly"]
    assert scheduler.run_due(at(10, 2, 0)) == []  # a restart within the minute
    assert scheduler.run_due(at(10, 23, 59)) == []
    assert scheduled_jobs.RUNS == ["nightly"]
    run = ScheduledRun.objects.get(name="test.nightly")
    assert run.last_slot_at == at(10, 2) and run.enqueued_at == at(10, 2)


@pytest.mark.django_db
def test_a_missed_slot_is_caught_up_once():
    record("test.nightly", at(6, 2))  # machine off for three nights

    assert scheduler.run_due(at(9, 9, 15)) == ["test.nightly"]
    assert scheduler.run_due(at(9, 9, 16)) == []
    assert scheduled_jobs.RUNS == ["nightly"]  # once, not three times
    assert ScheduledRun.objects.get(name="test.nightly").last_slot_at == at(9, 2)


@pytest.mark.django_db
def test_weekly_job_runs_on_its_weekday_only():
    record("test.nightly", at(14, 2))
    record("test.weekly", at(7, 3, 30))

    assert scheduler.run_due(at(13, 12)) == []  # Saturday
    assert scheduler.run_due(at(14, 3, 29)) == []  # Sunday, before 03:30
    assert scheduler.run_due(at(14, 3, 30)) == ["test.weekly"]
    assert scheduler.run_due(at(15, 1)) == []
    assert scheduled_jobs.RUNS == ["weekly"]
    assert scheduler.next_slot(at(14, 4)) == at(15, 2)


def test_latest_slot_and_parsing():
    nightly, weekly = scheduler.jobs(SCHEDULE)
    assert nightly.latest_slot(at(10, 1)) == at(9, 2)
    assert weekly.latest_slot(at(10, 1)) == at(7, 3, 30)
    with pytest.raises(scheduler.ScheduleError):
        scheduler.parse_when("someday 02:00")
    with pytest.raises(scheduler.ScheduleError):
        scheduler.parse_when("25:00")
    with pytest.raises(scheduler.ScheduleError):
        scheduler.jobs([("a", "x", "02:00"), ("a", "y", "03:00")])


@pytest.mark.django_db
def test_run_scheduler_once_with_time_machine():
    record("test.nightly", at(9, 2))
    record("test.weekly", at(7, 3, 30))
    out = StringIO()

    with time_machine.travel(at(10, 2, 1), tick=False):
        call_command("run_scheduler", "--once", stdout=out)
        call_command("run_scheduler", "--once", stdout=out)

    assert out.getvalue().count("enqueued test.nightly") == 1
    assert scheduled_jobs.RUNS == ["nightly"]


@pytest.mark.django_db
def test_a_broken_entry_does_not_stop_the_others(settings):
    settings.SCHEDULE = [("broken", "tests.insights.scheduled_jobs.missing", "02:00"), SCHEDULE[0]]
    record("test.nightly", at(9, 2))

    assert scheduler.run_due(at(10, 3)) == ["test.nightly"]
    assert not ScheduledRun.objects.filter(name="broken").exists()  # stays due


def test_bad_schedule_is_a_command_error(settings):
    settings.SCHEDULE = [("x", "y", "noon")]
    with pytest.raises(CommandError, match="noon"):
        call_command("run_scheduler", "--once")


def test_the_project_schedule_parses():
    from toolcrm import settings as project  # the module: the fixture overrides django's

    names = {job.name for job in scheduler.jobs(project.SCHEDULE)}
    assert {"insights.nightly", "insights.churn_weekly"} <= names
