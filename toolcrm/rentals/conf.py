"""Rental rules read from Django settings at call time (so tests can override them).

Each has an environment variable of the same name in ``toolcrm/settings.py``; see "Rentals and
trial loans" in ``docs/architecture.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings


@dataclass(frozen=True)
class RentalRules:
    # Daily rate of a product without its own rental price: this percentage of its list price.
    daily_rate_percent: Decimal = Decimal("5")
    # Minimum deposit of a product without its own: this percentage of its list price.
    deposit_percent: Decimal = Decimal("50")
    # Late fee per day overdue, as a percentage of the daily rate (on top of the day's rent).
    late_fee_percent: Decimal = Decimal("50")
    # Longest loan at lending or extension, in days.
    max_rental_days: int = 30
    max_trial_days: int = 7
    # Converting to a purchase credits this percentage of the rent charged …
    conversion_credit_percent: Decimal = Decimal("100")
    # … capped at this percentage of the list price.
    conversion_credit_cap_percent: Decimal = Decimal("50")


def rules() -> RentalRules:
    default = RentalRules()
    return RentalRules(
        daily_rate_percent=Decimal(
            str(getattr(settings, "RENTALS_DAILY_RATE_PERCENT", default.daily_rate_percent))
        ),
        deposit_percent=Decimal(
            str(getattr(settings, "RENTALS_DEPOSIT_PERCENT", default.deposit_percent))
        ),
        late_fee_percent=Decimal(
            str(getattr(settings, "RENTALS_LATE_FEE_PERCENT", default.late_fee_percent))
        ),
        max_rental_days=int(getattr(settings, "RENTALS_MAX_DAYS", default.max_rental_days)),
        max_trial_days=int(getattr(settings, "RENTALS_TRIAL_MAX_DAYS", default.max_trial_days)),
        conversion_credit_percent=Decimal(
            str(
                getattr(
                    settings,
                    "RENTALS_CONVERSION_CREDIT_PERCENT",
                    default.conversion_credit_percent,
                )
            )
        ),
        conversion_credit_cap_percent=Decimal(
            str(
                getattr(
                    settings,
                    "RENTALS_CONVERSION_CREDIT_CAP_PERCENT",
                    default.conversion_credit_cap_percent,
                )
            )
        ),
    )
