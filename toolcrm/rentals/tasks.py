"""Background job of the rentals app: the daily overdue marking (``settings.SCHEDULE``).
Idempotent: a second run the same day finds nothing left to mark."""

from __future__ import annotations

from django_tasks import task

from toolcrm.rentals import services


@task()
def mark_overdue_agreements() -> dict[str, int]:
    """Mark loans past their due date overdue (the stores' overdue lists show them anyway)."""
    return {"marked": len(services.mark_overdue())}
