"""Background jobs of the recommendations app: the nightly rule mining (idempotent: the same
orders give the same rules, replaced in one transaction)."""

from __future__ import annotations

from django_tasks import task

from toolcrm.recommendations import services


@task()
def mine_association_rules() -> dict[str, int]:
    """Nightly: mine co-purchase and propensity rules from all orders, replace the stored set."""
    result = services.mine_rules()
    return {"run": result.run_id, "rules": result.rules, "orders": result.order_baskets}
