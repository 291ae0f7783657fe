"""``manage.py run_scheduler``: enqueue the jobs of ``settings.SCHEDULE`` at their local times
(see ``core.scheduler``); ``--once`` enqueues what is due now and exits (tests, cron)."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone

from toolcrm.core import scheduler


class Command(BaseCommand):
    help = "Enqueue the scheduled background jobs (settings.SCHEDULE) at their local times."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run due jobs and exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=30.0,
            help="longest sleep between checks, seconds (default 30)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            jobs = scheduler.jobs()
        except scheduler.ScheduleError as error:
            raise CommandError(str(error)) from error
        if options["once"]:
            self._tick()
            return
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        names = ", ".join(job.name for job in jobs) or "none"
        self.stdout.write(f"scheduler: {len(jobs)} jobs ({names}); Ctrl-C stops")
        while not stop.is_set():
            self._tick()
            close_old_connections()
            upcoming = scheduler.next_slot(timezone.now())
            wait = options["interval"]
            if upcoming is not None:
                wait = min(wait, max(1.0, (upcoming - timezone.now()).total_seconds()))
            stop.wait(wait)
        self.stdout.write("scheduler: stopped")

    def _tick(self) -> None:
        for name in scheduler.run_due():
            self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} enqueued {name}")
