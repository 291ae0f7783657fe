"""Customer lifetime value: BG/NBD for the number of future purchases and Gamma-Gamma for the
spend per purchase (Fader, Hardie & Lee 2005), fitted with the ``lifetimes`` library.

The chain's inputs come from ``scoring.CustomerSummary`` (purchase days, in days); the CDNOW test
fits the same functions on the published data, in weeks. The 12-month CLV is the expected number
of purchase days in the next 365 days times the expected spend per purchase day, undiscounted and
in CNY of revenue (no margin). When the spend model cannot be used (too few repeat buyers, no
convergence, or a fitted q <= 1, which means the chain's mean spend is undefined), the expected
spend is the customer's own mean spend per purchase day. ``lifetimes`` (pandas, scipy,
autograd; about 2-5 s) is imported on first use, never at Django start-up.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from toolcrm.insights.scoring import CENT, CustomerSummary

logger = logging.getLogger(__name__)

HORIZON_DAYS = 365
MIN_REPEAT_CUSTOMERS = 10  # Gamma-Gamma needs some repeat buyers with a spend


@dataclass(frozen=True)
class ClvParameters:
    """Fitted parameters; ``alpha`` is in the time unit of the fit (days for the chain)."""

    r: float
    alpha: float
    a: float
    b: float
    p: float | None = None
    q: float | None = None
    v: float | None = None

    def as_dict(self) -> dict[str, float | None]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ClvParameters | None:
        return cls(**data) if data else None


def _import_lifetimes() -> Any:
    with warnings.catch_warnings():
        # lifetimes 0.11 sets a pandas option that pandas 3 deprecates (harmless).
        warnings.simplefilter("ignore")
        import lifetimes

    return lifetimes


def _array(values: Sequence[float]) -> Any:
    import numpy as np

    return np.asarray(values, dtype="float64")


def fit_bgnbd(
    frequency: Sequence[float],
    recency: Sequence[float],
    age: Sequence[float],
    *,
    penalizer: float = 0.0,
) -> tuple[float, float, float, float]:
    """BG/NBD (r, alpha, a, b) by maximum likelihood."""
    fitter = _import_lifetimes().BetaGeoFitter(penalizer_coef=penalizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter.fit(_array(frequency), _array(recency), _array(age))
    params = fitter.params_
    return float(params["r"]), float(params["alpha"]), float(params["a"]), float(params["b"])


def fit_gamma_gamma(
    frequency: Sequence[float], monetary: Sequence[float], *, penalizer: float = 0.0
) -> tuple[float, float, float]:
    """Gamma-Gamma (p, q, v) on repeat buyers (frequency > 0, mean repeat spend > 0)."""
    fitter = _import_lifetimes().GammaGammaFitter(penalizer_coef=penalizer)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitter.fit(_array(frequency), _array(monetary))
    params = fitter.params_
    return float(params["p"]), float(params["q"]), float(params["v"])


def fit(
    summaries: Sequence[CustomerSummary], *, penalizer: float, min_customers: int
) -> ClvParameters | None:
    """Fit both models on the chain's customers, or ``None`` when there are too few customers
    (or too few repeat buyers) for a meaningful fit or the optimiser does not converge."""
    repeaters = [s for s in summaries if s.repeat_purchases > 0 and s.repeat_spend_mean > 0]
    if len(summaries) < min_customers or len(repeaters) < MIN_REPEAT_CUSTOMERS:
        return None
    try:
        r, alpha, a, b = fit_bgnbd(
            [s.repeat_purchases for s in summaries],
            [s.repeat_span_days for s in summaries],
            [s.age_days for s in summaries],
            penalizer=penalizer,
        )
    except Exception:  # lifetimes raises ConvergenceError, scipy may raise on degenerate data
        logger.warning("BG/NBD fit failed on %d customers", len(summaries), exc_info=True)
        return None
    try:
        p, q, v = fit_gamma_gamma(
            [s.repeat_purchases for s in repeaters],
            [float(s.repeat_spend_mean) for s in repeaters],
            penalizer=penalizer,
        )
    except Exception:
        logger.warning("Gamma-Gamma fit failed on %d buyers", len(repeaters), exc_info=True)
        return ClvParameters(r=r, alpha=alpha, a=a, b=b)
    if q <= 1:
        # The population's mean spend p·v/(q−1) does not exist (a very heavy tail, e.g. a few
        # contractors buying for whole sites): the model's spend prediction is meaningless.
        logger.warning("Gamma-Gamma fit has q=%.3f <= 1; using observed mean spend", q)
        return ClvParameters(r=r, alpha=alpha, a=a, b=b)
    return ClvParameters(r=r, alpha=alpha, a=a, b=b, p=p, q=q, v=v)


def predict(
    parameters: ClvParameters,
    summaries: Sequence[CustomerSummary],
    *,
    horizon_days: int = HORIZON_DAYS,
) -> list[tuple[Decimal | None, Decimal | None]]:
    """(expected purchase days, expected revenue) over the horizon for each summary; (None, None)
    where the fitted model gives no finite value for a customer (a degenerate fit on odd data)."""
    if not summaries:
        return []
    import pandas as pd

    lifetimes = _import_lifetimes()
    bgnbd = lifetimes.BetaGeoFitter()
    bgnbd.params_ = pd.Series(
        {"r": parameters.r, "alpha": parameters.alpha, "a": parameters.a, "b": parameters.b}
    )
    frequency = [s.repeat_purchases for s in summaries]
    purchases = bgnbd.conditional_expected_number_of_purchases_up_to_time(
        horizon_days,
        pd.Series(frequency, dtype="float64"),
        pd.Series([s.repeat_span_days for s in summaries], dtype="float64"),
        pd.Series([s.age_days for s in summaries], dtype="float64"),
    )
    # Without a valid Gamma-Gamma fit, each customer's own mean spend per purchase day.
    spends = [float(s.mean_spend) for s in summaries]
    if parameters.p is not None and parameters.q is not None and parameters.v is not None:
        spend_model = lifetimes.GammaGammaFitter()
        spend_model.params_ = pd.Series({"p": parameters.p, "q": parameters.q, "v": parameters.v})
        spends = list(
            spend_model.conditional_expected_average_profit(
                pd.Series(frequency, dtype="float64"),
                pd.Series([float(s.repeat_spend_mean) for s in summaries], dtype="float64"),
            )
        )
    results: list[tuple[Decimal | None, Decimal | None]] = []
    undefined = 0
    for expected, spend in zip(purchases, spends, strict=True):
        if not (math.isfinite(float(expected)) and math.isfinite(float(spend))):
            undefined += 1
            results.append((None, None))
            continue
        count = Decimal(str(round(float(expected), 2))).quantize(CENT)
        value = Decimal(str(round(float(expected) * float(spend), 2))).quantize(CENT)
        results.append((count, value))
    if undefined:
        logger.warning(
            "CLV model gives no finite value for %d of %d customers", undefined, len(results)
        )
    return results
