"""Background work of the integrations app: running an import job (queued by the UI on commit)
and the duplicate scan. Idempotent: a finished job is left alone, an interrupted one resumes
after its last chunk; a second scan finds the same pairs and writes nothing new."""

from __future__ import annotations

from django_tasks import task

from toolcrm.integrations import identity, services


@task()
def run_import_job(job_id: int) -> None:
    services.run_import_job(job_id=job_id)


@task()
def find_duplicates(customer_ids: list[int] | None = None) -> int:
    """Store duplicate candidates for these customers, or for everyone (nightly)."""
    return identity.scan_duplicates(customer_ids=customer_ids)
