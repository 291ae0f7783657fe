"""The loyalty part of the HTTP API (``/api/loyalty/``): a member's tier, points, ledger and
coupons; checking and redeeming a coupon at the POS; issuing a coupon; spending points.

Handlers are thin: customers come through ``get_customer_for`` and coupons through
``find_coupon_for`` (404 outside the caller's scope), writes through ``loyalty.services``.
A coupon that fails a rule answers 400 with one ``{"field": "code", "message"}`` per failing
rule; ``/coupons/check`` answers 200 with ``ok`` and the same messages, so the POS can show
them before the sale.
"""

# No ``from __future__ import annotations``: django-ninja reads the annotations at import time.

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import Field

from toolcrm.core.api_errors import ErrorOut, FieldErrorsOut
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.api import LocalDateTime
from toolcrm.customers.selectors import get_customer_for
from toolcrm.loyalty import selectors
from toolcrm.loyalty.choices import CouponKind, CouponSource, CouponStatus, EntryKind, Tier
from toolcrm.loyalty.models import Coupon, PointsEntry
from toolcrm.loyalty.services import coupons, points
from toolcrm.loyalty.services.coupons import BasketLine, CouponCheck

router = Router(tags=["loyalty"])

AUTH_ERRORS: dict[int, type[Schema]] = {401: ErrorOut, 403: ErrorOut}
READ_ERRORS: dict[int, type[Schema]] = {**AUTH_ERRORS, 404: ErrorOut}
WRITE_ERRORS: dict[int, type[Schema]] = {**READ_ERRORS, 400: FieldErrorsOut, 422: FieldErrorsOut}


class BenefitOut(Schema):
    points_multiplier: Decimal = Field(examples=["1.50"])
    discount_percent: Decimal = Field(examples=["5.0"])
    free_rental_days: int = Field(examples=[7])
    has_priority_repair: bool


class CouponOut(Schema):
    code: str = Field(description="As printed: `ABCD-EFGH-JKMN`.", examples=["7KQM-4XPA-9RTW"])
    template: str = Field(examples=["生日礼 满 200 减 50"])
    kind: CouponKind
    amount_off: Decimal | None = Field(examples=["50.00"])
    percent_off: Decimal | None = Field(examples=[None])
    min_spend: Decimal = Field(examples=["200.00"])
    status: CouponStatus
    source: CouponSource
    valid_from: LocalDateTime
    valid_until: LocalDateTime
    redeemed_at: LocalDateTime | None
    discount_amount: Decimal | None

    @staticmethod
    def resolve_code(obj: Coupon) -> str:
        return obj.display_code

    @staticmethod
    def resolve_template(obj: Coupon) -> str:
        return obj.template.name

    @staticmethod
    def resolve_kind(obj: Coupon) -> str:
        return obj.template.kind

    @staticmethod
    def resolve_amount_off(obj: Coupon) -> Decimal | None:
        return obj.template.amount_off

    @staticmethod
    def resolve_percent_off(obj: Coupon) -> Decimal | None:
        return obj.template.percent_off

    @staticmethod
    def resolve_min_spend(obj: Coupon) -> Decimal:
        return obj.template.min_spend


class MemberOut(Schema):
    customer_id: int
    tier: Tier
    spend_12m: Decimal = Field(description="Net spend of the last 12 months (CNY).")
    next_tier: Tier | None
    to_next_tier: Decimal = Field(description="CNY still to spend for the next tier.")
    review_on: date | None = Field(description="Yearly tier review date (the only downgrade).")
    benefit: BenefitOut | None
    points_balance: int
    points_value: Decimal = Field(description="What the balance is worth in CNY when redeemed.")
    pooled_into_id: int | None = Field(description="Company account the points are pooled into.")
    referral_code: str
    usable_coupons: list[CouponOut]


class EntryOut(Schema):
    id: int
    kind: EntryKind
    points: int
    created_at: LocalDateTime
    expires_at: LocalDateTime | None
    order_id: int | None
    member_id: int | None = Field(description="The crew member whose order earned pooled points.")
    reason: str


class LineIn(Schema):
    sku: str = Field(max_length=40, examples=["BSH-GSB18V"])
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2, examples=["899.00"])


class BasketIn(Schema):
    code: str = Field(max_length=30, examples=["7KQM-4XPA-9RTW"])
    amount: Decimal = Field(
        gt=0,
        max_digits=14,
        decimal_places=2,
        description="Basket total (CNY).",
        examples=["1299.00"],
    )
    lines: list[LineIn] = Field(
        default_factory=list,
        max_length=200,
        description="Needed for coupons limited to a category or brand; must add up to `amount`.",
    )
    customer_id: int | None = Field(
        None, description="When given, the coupon must belong to this customer."
    )


class RedeemIn(BasketIn):
    order_reference: str = Field("", max_length=64, examples=["POS-SH01-20261125-0042"])


class CheckOut(Schema):
    ok: bool
    code: str
    discount: Decimal = Field(examples=["50.00"])
    eligible_amount: Decimal = Field(description="Part of the basket the coupon applies to.")
    failures: list[str] = Field(description="Every rule the coupon fails, in words.")
    coupon: CouponOut


class IssueIn(Schema):
    template_id: int
    note: str = Field("", max_length=200)


class PointsRedeemIn(Schema):
    points: int = Field(gt=0, examples=[500])
    reference: str = Field("", max_length=64)


class PointsRedeemOut(Schema):
    entry: EntryOut
    value: Decimal = Field(description="CNY the redeemed points are worth.", examples=["5.00"])
    points_balance: int


def _check_out(check: CouponCheck) -> dict[str, Any]:
    return {
        "ok": check.is_ok,
        "code": check.coupon.display_code,
        "discount": check.discount,
        "eligible_amount": check.eligible_amount,
        "failures": check.failures,
        "coupon": check.coupon,
    }


def _lines(payload: BasketIn) -> list[BasketLine]:
    return [BasketLine(sku=line.sku.strip(), amount=line.amount) for line in payload.lines]


@router.get(
    "/customers/{customer_id}", response={200: MemberOut, **READ_ERRORS}, summary="A member"
)
def member(request: HttpRequest, customer_id: int) -> dict[str, Any]:
    """Tier and progress, points balance and usable coupons of a customer."""
    require_capability(request.user, Capability.VIEW_CUSTOMERS)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    summary = selectors.loyalty_summary(customer=customer)
    return {
        "customer_id": customer.pk,
        "tier": summary.tier,
        "spend_12m": summary.spend_12m,
        "next_tier": summary.next_tier or None,
        "to_next_tier": summary.to_next,
        "review_on": summary.review_on,
        "benefit": summary.benefit,
        "points_balance": summary.points_balance,
        "points_value": summary.points_value.quantize(Decimal("0.01")),
        "pooled_into_id": summary.pooled_into.pk if summary.pooled_into else None,
        "referral_code": summary.referral_code,
        "usable_coupons": summary.usable_coupons,
    }


@router.get(
    "/customers/{customer_id}/ledger",
    response={200: list[EntryOut], **READ_ERRORS},
    summary="A member's points ledger",
)
@paginate(LimitOffsetPagination)
def ledger(request: HttpRequest, customer_id: int) -> Any:
    """Newest first. Rows are never changed; corrections are new rows."""
    require_capability(request.user, Capability.VIEW_CUSTOMERS)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    return selectors.ledger(customer=customer)


@router.get(
    "/customers/{customer_id}/coupons",
    response={200: list[CouponOut], **READ_ERRORS},
    summary="A member's coupons",
)
@paginate(LimitOffsetPagination)
def customer_coupons(request: HttpRequest, customer_id: int) -> Any:
    require_capability(request.user, Capability.VIEW_CUSTOMERS)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    return selectors.customer_coupons(customer=customer)


@router.post(
    "/customers/{customer_id}/coupons",
    response={201: CouponOut, **WRITE_ERRORS},
    summary="Issue a coupon",
)
def issue(request: HttpRequest, customer_id: int, payload: IssueIn) -> Status[Coupon]:
    """Needs the issue-coupons permission; the template's per-customer limit applies."""
    require_capability(request.user, Capability.ISSUE_COUPONS)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    template = selectors.issuable_templates().filter(pk=payload.template_id).first()
    if template is None:
        raise ValidationError({"template_id": _("券模板不存在或已停用。")})
    coupon = coupons.issue_coupon(
        user=request.user, template=template, customer=customer, note=payload.note
    )
    return Status(201, coupon)


@router.post("/coupons/check", response={200: CheckOut, **WRITE_ERRORS}, summary="Check a coupon")
def check(request: HttpRequest, payload: BasketIn) -> dict[str, Any]:
    """Every rule against the basket; `ok` with the discount, or the failing rules. Writes
    nothing."""
    result = coupons.check_coupon(
        user=request.user,
        code=payload.code,
        amount=payload.amount,
        lines=_lines(payload),
        customer_id=payload.customer_id,
    )
    return _check_out(result)


@router.post("/coupons/redeem", response={200: CheckOut, **WRITE_ERRORS}, summary="Redeem a coupon")
def redeem(request: HttpRequest, payload: RedeemIn) -> dict[str, Any]:
    """Marks the coupon used, once: of two concurrent redemptions exactly one succeeds, the
    other gets 400 (`code`: used)."""
    result = coupons.redeem_coupon(
        user=request.user,
        code=payload.code,
        amount=payload.amount,
        lines=_lines(payload),
        customer_id=payload.customer_id,
        order_reference=payload.order_reference,
    )
    return _check_out(result)


@router.post(
    "/customers/{customer_id}/points/redeem",
    response={200: PointsRedeemOut, **WRITE_ERRORS},
    summary="Spend points",
)
def redeem_points(
    request: HttpRequest, customer_id: int, payload: PointsRedeemIn
) -> dict[str, Any]:
    require_capability(request.user, Capability.REDEEM_COUPONS)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    result = points.redeem_points(
        user=request.user, customer=customer, points=payload.points, reference=payload.reference
    )
    entry: PointsEntry = result.entry
    return {
        "entry": entry,
        "value": result.value,
        "points_balance": entry.account.points_balance,
    }
