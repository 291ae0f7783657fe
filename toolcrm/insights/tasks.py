"""Background jobs of the insights app: the nightly full recompute, the weekly churn model
retraining, and the refresh of one customer (after a sale) or of many (after an import batch).
All take ids only and are idempotent (a rerun writes nothing new; a retraining adds a version)."""

from __future__ import annotations

import logging

from django_tasks import task

from toolcrm.insights import churn, services

logger = logging.getLogger(__name__)


@task()
def recompute_all_scores() -> dict[str, int]:
    """Nightly: rank every customer chain-wide, refit CLV, score churn with the active model,
    recompute category cycles and VIP flags, store it all."""
    result = services.recompute_scores()
    return {
        "customers": result.customers,
        "created": result.created,
        "updated": result.updated,
        "new_vips": result.new_vips,
        "overdue_cycles": result.overdue_cycles,
    }


@task()
def retrain_churn_model() -> dict[str, object]:
    """Weekly: train a new churn model version, make it active, rescore everyone with it."""
    try:
        model = services.train_churn_model()
    except churn.ChurnTrainingError as error:
        logger.warning("churn model not retrained: %s", error)
        return {"trained": False, "reason": str(error)}
    services.recompute_scores()
    return {"trained": True, "version": model.version}


@task()
def refresh_customer_scores(customer_id: int) -> None:
    services.refresh_customer(customer_id=customer_id)


@task()
def refresh_customers(customer_ids: list[int]) -> dict[str, int]:
    """Rescore a batch of customers set-based (one task per import chunk, not one per order)."""
    result = services.refresh_customers(customer_ids=customer_ids)
    return {"customers": result.customers, "new_vips": result.new_vips}
