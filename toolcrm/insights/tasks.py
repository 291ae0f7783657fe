"""Background jobs of the insights app: the nightly full recompute and the refresh of one
customer after a sale. Both take ids only and are idempotent (a rerun writes nothing new)."""

from __future__ import annotations

from django_tasks import task

from toolcrm.insights import services


@task()
def recompute_all_scores() -> dict[str, int]:
    """Nightly: rank every customer chain-wide, refit CLV, store the scores."""
    result = services.recompute_scores()
    return {"customers": result.customers, "created": result.created, "updated": result.updated}


@task()
def refresh_customer_scores(customer_id: int) -> None:
    services.refresh_customer(customer_id=customer_id)
