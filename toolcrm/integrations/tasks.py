"""Background work of the integrations app: running an import job (queued by the UI on commit).
Idempotent: a finished job is left alone, an interrupted one resumes after its last chunk."""

from __future__ import annotations

from django_tasks import task

from toolcrm.integrations import services


@task()
def run_import_job(job_id: int) -> None:
    services.run_import_job(job_id=job_id)
