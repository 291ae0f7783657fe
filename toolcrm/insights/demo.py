"""The insights phase of ``load_demo``: train the first churn model on the generated history,
then the first full recompute (scores, CLV, churn probabilities, category cycles, VIP flags)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from toolcrm.insights import churn, services

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoInsights:
    scores: int
    churn_models: int
    cycles: int


def build_demo_insights(*, now: datetime) -> DemoInsights:
    models = 0
    try:
        services.train_churn_model(now=now)
        models = 1
    except churn.ChurnTrainingError as error:  # a very small demo (--customers 20)
        logger.warning("demo: churn model not trained: %s", error)
    result = services.recompute_scores(now=now)
    return DemoInsights(scores=result.created, churn_models=models, cycles=result.cycles)
