"""Programme settings edited by ``MANAGE_LOYALTY`` users: tier benefits and coupon templates;
and opening a member account from the counter."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from toolcrm.core.audit import log_event
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.models import Customer
from toolcrm.loyalty.models import CouponTemplate, LoyaltyAccount, TierBenefit
from toolcrm.loyalty.services.accounts import ensure_account

BENEFIT_FIELDS = (
    "points_multiplier",
    "discount_percent",
    "free_rental_days",
    "has_priority_repair",
)
TEMPLATE_FIELDS = (
    "code",
    "name",
    "kind",
    "amount_off",
    "percent_off",
    "min_spend",
    "category",
    "brand",
    "valid_days",
    "valid_from",
    "valid_until",
    "per_customer_limit",
    "is_active",
)


@transaction.atomic
def save_tier_benefit(*, user: Any, benefit: TierBenefit, data: dict[str, Any]) -> TierBenefit:
    require_capability(user, Capability.MANAGE_LOYALTY)
    for name in BENEFIT_FIELDS:
        if name in data:
            setattr(benefit, name, data[name])
    benefit.full_clean()
    benefit.save()
    log_event(
        actor=user,
        obj=benefit,
        event="update_tier_benefit",
        data={name: str(getattr(benefit, name)) for name in BENEFIT_FIELDS},
    )
    return benefit


@transaction.atomic
def save_coupon_template(
    *, user: Any, template: CouponTemplate | None, data: dict[str, Any]
) -> CouponTemplate:
    """Create or change a template. Coupons already issued keep their own validity dates."""
    require_capability(user, Capability.MANAGE_LOYALTY)
    template = template or CouponTemplate()
    for name in TEMPLATE_FIELDS:
        if name in data:
            setattr(template, name, data[name])
    template.full_clean()
    template.save()
    log_event(
        actor=user,
        obj=template,
        event="save_coupon_template",
        data={"code": template.code, "is_active": template.is_active},
    )
    return template


def open_account(*, user: Any, customer: Customer) -> LoyaltyAccount:
    """Open the member account (and referral code) of a customer who has not bought yet."""
    require_capability(user, Capability.REDEEM_COUPONS)
    return ensure_account(customer.pk)
