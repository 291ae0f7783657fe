"""Background jobs of the tags app: the nightly recompute of every tag and the refresh of one
customer's tags after a sale. Both take ids only and are idempotent (a rerun writes nothing)."""

from __future__ import annotations

from django_tasks import task

from toolcrm.tags import services


@task()
def recompute_all_tags() -> dict[str, int]:
    """Nightly: every active rule, behaviour and predictive tag for every customer, set-based."""
    result = services.recompute_all_tags()
    return {"created": result.created, "updated": result.updated, "deleted": result.deleted}


@task()
def refresh_customer_tags(customer_id: int) -> None:
    services.refresh_customer_tags(customer_id=customer_id)


@task()
def refresh_customers_tags(customer_ids: list[int]) -> None:
    """A batch of orders (an import chunk, a batch API call): one task for all its customers."""
    services.refresh_customers_tags(customer_ids=customer_ids)


@task()
def recompute_tag(tag_id: int) -> dict[str, int]:
    """A rule tag was defined, changed or switched on: compute its members."""
    result = services.recompute_tag(tag_id=tag_id)
    return {"created": result.created, "updated": result.updated, "deleted": result.deleted}
