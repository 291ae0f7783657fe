"""Demo phase: mine the co-purchase and propensity rules from the generated orders, as the
nightly task would, so the 360 page's recommendation list and the rules page are filled from
the start."""

from __future__ import annotations

from datetime import datetime

from toolcrm.demo.generators.writer import BulkWriter
from toolcrm.recommendations.models import AssociationRule, RuleMiningRun
from toolcrm.recommendations.services import mine_rules


def mine_demo_rules(*, writer: BulkWriter, now: datetime) -> None:
    """Mine once (rows written by the service, counted for the phase report)."""
    writer.flush()  # the rules are counted from what is in the database
    result = mine_rules(now=now)
    writer.counts[RuleMiningRun] += 1
    writer.counts[AssociationRule] += result.rules
