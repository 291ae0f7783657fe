"""The scheduler: enqueue each job of ``settings.SCHEDULE`` once per slot, at local time.

A schedule entry is ``(name, "dotted.path.to.task", when)`` where ``when`` is ``"HH:MM"`` (every
day) or ``"<weekday> HH:MM"`` with a weekday of mon … sun (once a week), in ``TIME_ZONE``.

The latest slot at or before now is due when the job's ``ScheduledRun`` row records an earlier
slot (or none). Claiming a slot is one conditional UPDATE (or an INSERT that a unique name makes
single), committed with the enqueue, so two schedulers — or a restart within the minute — never
enqueue a slot twice. A machine that was off at 02:00 enqueues the missed slot once when it
starts; slots older than the latest one are not replayed (a nightly recompute run twice in a row
would only do the same work twice). A job the scheduler has never seen (a new entry, a fresh
database) starts from its next slot: its latest past slot is recorded without enqueueing, so a
first ``make run`` does not fire every job at once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from toolcrm.core.models import ScheduledRun

logger = logging.getLogger(__name__)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ScheduleError(ValueError):
    """A malformed ``settings.SCHEDULE`` entry."""


@dataclass(frozen=True)
class Job:
    name: str
    task_path: str
    at: time
    weekday: int | None  # 0 = Monday; None = every day

    def latest_slot(self, now: datetime) -> datetime:
        """The latest moment at or before ``now`` this job was meant to run."""
        local = timezone.localtime(now)
        slot = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        if slot > local:
            slot -= timedelta(days=1)
        if self.weekday is not None:
            slot -= timedelta(days=(slot.weekday() - self.weekday) % 7)
        return slot


def parse_when(when: str) -> tuple[time, int | None]:
    parts = when.strip().lower().split()
    weekday = None
    if len(parts) == 2:
        if parts[0] not in WEEKDAYS:
            raise ScheduleError(f"unknown weekday {parts[0]!r} in {when!r} (use mon … sun)")
        weekday = WEEKDAYS.index(parts[0])
        parts = parts[1:]
    if len(parts) != 1:
        raise ScheduleError(f"{when!r}: expected 'HH:MM' or '<weekday> HH:MM'")
    try:
        hour, minute = (int(piece) for piece in parts[0].split(":"))
        return time(hour, minute), weekday
    except ValueError as error:
        raise ScheduleError(f"{when!r}: expected 'HH:MM' or '<weekday> HH:MM'") from error


def jobs(schedule: Any = None) -> list[Job]:
    """The parsed schedule (``settings.SCHEDULE`` by default); raises ``ScheduleError``."""
    entries = settings.SCHEDULE if schedule is None else schedule
    parsed = []
    for name, task_path, when in entries:
        at, weekday = parse_when(when)
        parsed.append(Job(name=name, task_path=task_path, at=at, weekday=weekday))
    if len({job.name for job in parsed}) != len(parsed):
        raise ScheduleError("SCHEDULE has two jobs with the same name")
    return parsed


def _claim(job: Job, slot: datetime, now: datetime) -> bool:
    """Record ``slot`` as this job's latest; True when it is to be enqueued now, False when it
    (or a later one) already was, or when the job is new (recorded as its baseline)."""
    claimed = ScheduledRun.objects.filter(name=job.name, last_slot_at__lt=slot).update(
        last_slot_at=slot, enqueued_at=now, task_path=job.task_path
    )
    if claimed:
        return True
    if ScheduledRun.objects.filter(name=job.name).exists():
        return False
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(
                name=job.name, task_path=job.task_path, last_slot_at=slot, enqueued_at=None
            )
    except IntegrityError:  # another scheduler inserted it first
        pass
    logger.info("scheduler: %s is new; first run at its next slot", job.name)
    return False


def run_due(now: datetime | None = None, schedule: Any = None) -> list[str]:
    """Enqueue every job whose latest slot has not been enqueued; returns their names."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs(schedule):
        slot = job.latest_slot(now)
        try:
            task = import_string(job.task_path)
        except ImportError:
            # One broken entry must not stop the others; it stays due and is retried next tick.
            logger.exception("scheduler: cannot import %s for %s", job.task_path, job.name)
            continue
        with transaction.atomic():
            if not _claim(job, slot, now):
                continue
            task.enqueue()
        logger.info("scheduler: enqueued %s for %s", job.name, slot.isoformat())
        enqueued.append(job.name)
    return enqueued


def next_slot(now: datetime, schedule: Any = None) -> datetime | None:
    """The earliest upcoming slot after ``now`` (for the loop's sleep)."""
    upcoming = []
    for job in jobs(schedule):
        slot = job.latest_slot(now)
        upcoming.append(slot + timedelta(days=7 if job.weekday is not None else 1))
    return min(upcoming) if upcoming else None
