"""Tasks for the scheduler tests: each run is counted in ``RUNS``."""

from __future__ import annotations

from django_tasks import task

RUNS: list[str] = []


@task()
def nightly() -> None:
    RUNS.append("nightly")


@task()
def weekly() -> None:
    RUNS.append("weekly")
