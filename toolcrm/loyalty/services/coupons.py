"""Coupons: issuing (by staff, by campaigns in bulk, by referral and birthday rules) and
redeeming at the POS with every rule checked.

Codes are 12 characters drawn with ``secrets`` from an alphabet without look-alikes (no 0/O,
1/I/L), shown as ``ABCD-EFGH-JKMN``; input is normalised (case, dashes, spaces, full-width).
Redemption is one conditional ``UPDATE … WHERE status = 'issued'``: of two counters redeeming
one code at the same moment exactly one changes the row, the other is told it is used.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from toolcrm.catalog.models import Product
from toolcrm.core.audit import log_event
from toolcrm.core.pii import to_halfwidth
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.loyalty.choices import CouponKind, CouponSource, CouponStatus
from toolcrm.loyalty.models import Coupon, CouponTemplate
from toolcrm.loyalty.services.accounts import CODE_ALPHABET, lock_account, new_code

COUPON_CODE_LENGTH = 12
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")


def normalise_code(text: str) -> str:
    return "".join(ch for ch in to_halfwidth(text or "").upper() if ch.isalnum())


# ---------------------------------------------------------------------------------- issuing


@dataclass
class IssueResult:
    issued: list[Coupon] = field(default_factory=list)
    skipped: dict[int, str] = field(default_factory=dict)  # customer id → reason


def _validity(template: CouponTemplate, now: datetime) -> tuple[datetime, datetime]:
    start = max(now, template.valid_from) if template.valid_from else now
    end = start + timedelta(days=template.valid_days)
    if template.valid_until and template.valid_until < end:
        end = template.valid_until
    return start, end


def _refusal(template: CouponTemplate, customer: Customer, now: datetime) -> str:
    """Why this customer may not receive this template's coupon now, or ""."""
    if not template.is_active:
        return _("券模板已停用。")
    if template.valid_until and template.valid_until <= now:
        return _("券模板的活动已结束。")
    if not customer.is_active:
        return _("客户已停用或已合并。")
    held = Coupon.objects.filter(template=template, customer=customer).exclude(
        status=CouponStatus.VOID
    )
    if held.count() >= template.per_customer_limit:
        return _("已达每人限领 %(limit)s 张。") % {"limit": template.per_customer_limit}
    return ""


def _issue_one(
    *,
    template: CouponTemplate,
    customer: Customer,
    source: str,
    user: Any,
    now: datetime,
    issue_key: str | None,
    note: str,
) -> Coupon | str:
    with transaction.atomic():
        lock_account(customer.pk)  # serialises the per-customer limit check
        if issue_key and Coupon.objects.filter(issue_key=issue_key).exists():
            return _("已发放过（重复请求）。")
        if refusal := _refusal(template, customer, now):
            return refusal
        valid_from, valid_until = _validity(template, now)
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    return Coupon.objects.create(
                        code=new_code(COUPON_CODE_LENGTH),
                        template=template,
                        customer=customer,
                        source=source,
                        issued_at=now,
                        issued_by=user if getattr(user, "is_authenticated", False) else None,
                        valid_from=valid_from,
                        valid_until=valid_until,
                        issue_key=issue_key,
                        note=note[:200],
                    )
            except IntegrityError:
                if issue_key and Coupon.objects.filter(issue_key=issue_key).exists():
                    return _("已发放过（重复请求）。")
                continue  # a code collision: draw again
        raise RuntimeError("could not draw a unique coupon code")


def issue_coupons(
    *,
    template: CouponTemplate,
    customers: Iterable[Customer],
    user: Any = None,
    source: str = CouponSource.CAMPAIGN,
    issue_key_prefix: str = "",
    note: str = "",
    now: datetime | None = None,
) -> IssueResult:
    """Issue one coupon of ``template`` to each customer (the campaigns' bulk entry point).

    Each customer is its own transaction: one refusal (limit reached, inactive customer) skips
    that customer with a reason and does not stop the others. With ``issue_key_prefix`` the call
    is idempotent per customer (``<prefix>:<customer id>``), so a campaign re-run issues nothing
    twice. With a ``user``, they need ``ISSUE_COUPONS`` and only customers in their scope get one.
    """
    now = now or timezone.now()
    visible: set[int] | None = None
    customers = list(customers)
    if user is not None:
        require_capability(user, Capability.ISSUE_COUPONS)
        visible = set(
            customers_visible_to(user)
            .filter(pk__in=[c.pk for c in customers])
            .values_list("pk", flat=True)
        )
    result = IssueResult()
    for customer in customers:
        if visible is not None and customer.pk not in visible:
            result.skipped[customer.pk] = _("客户不存在或不在您的权限范围内。")
            continue
        key = f"{issue_key_prefix}:{customer.pk}" if issue_key_prefix else None
        outcome = _issue_one(
            template=template,
            customer=customer,
            source=source,
            user=user,
            now=now,
            issue_key=key,
            note=note,
        )
        if isinstance(outcome, Coupon):
            result.issued.append(outcome)
        else:
            result.skipped[customer.pk] = outcome
    return result


def issue_coupon(
    *, user: Any, template: CouponTemplate, customer: Customer, note: str = ""
) -> Coupon:
    """A member of staff hands one coupon to one customer (audit-logged)."""
    require_capability(user, Capability.ISSUE_COUPONS)
    result = issue_coupons(
        template=template, customers=[customer], user=user, source=CouponSource.STAFF, note=note
    )
    if not result.issued:
        raise ValidationError({"template": result.skipped.get(customer.pk, _("无法发放。"))})
    coupon = result.issued[0]
    log_event(
        actor=user,
        obj=customer,
        event="issue_coupon",
        data={"coupon_id": coupon.pk, "template_id": template.pk},
    )
    return coupon


# ------------------------------------------------------------------------------- redeeming


@dataclass(frozen=True)
class BasketLine:
    sku: str
    amount: Decimal  # the line's amount after line discounts


@dataclass
class CouponCheck:
    coupon: Coupon
    basket_amount: Decimal
    eligible_amount: Decimal = Decimal("0.00")
    discount: Decimal = Decimal("0.00")
    failures: list[str] = field(default_factory=list)

    @property
    def is_ok(self) -> bool:
        return not self.failures


def parse_amount(value: Any, *, name: str) -> Decimal:
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({name: _("金额格式不正确。")}) from exc
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError({name: _("金额最多保留两位小数。")})
    if amount <= 0 or amount > MAX_AMOUNT:
        raise ValidationError({name: _("金额必须大于 0。")})
    return amount


def find_coupon_for(*, user: Any, code: str) -> Coupon:
    """The coupon with this code if its customer is in the user's scope; 404 otherwise (an
    unknown code and another store's code look the same)."""
    normalised = normalise_code(code)
    if len(normalised) != COUPON_CODE_LENGTH or any(c not in CODE_ALPHABET for c in normalised):
        raise Http404("coupon not found")
    queryset = Coupon.objects.select_related(
        "template", "template__category", "template__brand", "customer"
    ).filter(code=normalised, customer__in=customers_visible_to(user))
    coupon = queryset.first()
    if coupon is None:
        raise Http404("coupon not found")
    return coupon


def _eligible_amount(
    template: CouponTemplate, amount: Decimal, lines: Sequence[BasketLine], failures: list[str]
) -> Decimal:
    if template.category_id is None and template.brand_id is None:
        return amount
    if not lines:
        failures.append(_("该券限定品类/品牌，请录入商品明细（SKU 与金额）。"))
        return Decimal("0.00")
    skus = {line.sku for line in lines}
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    unknown = sorted(skus - set(products))
    if unknown:
        failures.append(_("未知 SKU：%(skus)s") % {"skus": ", ".join(unknown)})
    eligible = Decimal("0.00")
    for line in lines:
        product = products.get(line.sku)
        if product is None:
            continue
        if template.category_id and product.category_id != template.category_id:
            continue
        if template.brand_id and product.brand_id != template.brand_id:
            continue
        eligible += line.amount
    if eligible == 0 and not unknown:
        scope = " / ".join(str(x) for x in (template.category, template.brand) if x is not None)
        failures.append(_("购物篮中没有适用商品（限 %(scope)s）。") % {"scope": scope})
    return eligible


def evaluate(
    coupon: Coupon,
    *,
    amount: Decimal,
    lines: Sequence[BasketLine] = (),
    customer_id: int | None = None,
    now: datetime | None = None,
) -> CouponCheck:
    """Every rule, in the order a clerk would explain them; the discount when all pass."""
    now = now or timezone.now()
    template = coupon.template
    check = CouponCheck(coupon=coupon, basket_amount=amount)
    failures = check.failures
    if coupon.status == CouponStatus.REDEEMED:
        when = timezone.localtime(coupon.redeemed_at) if coupon.redeemed_at else None
        failures.append(
            _("该券已于 %(when)s 使用。") % {"when": f"{when:%Y-%m-%d %H:%M}" if when else "—"}
        )
    elif coupon.status == CouponStatus.VOID:
        failures.append(_("该券已作废。"))
    if now < coupon.valid_from:
        failures.append(
            _("该券 %(date)s 起可用。")
            % {"date": f"{timezone.localtime(coupon.valid_from):%Y-%m-%d}"}
        )
    if now > coupon.valid_until:
        failures.append(
            _("该券已于 %(date)s 过期。")
            % {"date": f"{timezone.localtime(coupon.valid_until):%Y-%m-%d}"}
        )
    if customer_id is not None and coupon.customer_id != customer_id:
        failures.append(_("该券不属于当前客户。"))
    if not coupon.customer.is_active:
        failures.append(_("持券客户已停用或已合并。"))
    if lines and sum((line.amount for line in lines), Decimal(0)) != amount:
        failures.append(_("商品明细合计与订单金额不一致。"))
    eligible = _eligible_amount(template, amount, lines, failures)
    check.eligible_amount = eligible
    if eligible and eligible < template.min_spend:
        failures.append(
            _("未达最低消费：适用商品 ¥%(eligible)s，需满 ¥%(min)s。")
            % {"eligible": f"{eligible:,.2f}", "min": f"{template.min_spend:,.2f}"}
        )
    if failures:
        return check
    if template.kind == CouponKind.AMOUNT_OFF and template.amount_off is not None:
        discount = min(template.amount_off, eligible)
    else:
        percent = template.percent_off or Decimal(0)
        discount = (eligible * percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    check.discount = discount
    return check


def check_coupon(
    *,
    user: Any,
    code: str,
    amount: Decimal,
    lines: Sequence[BasketLine] = (),
    customer_id: int | None = None,
) -> CouponCheck:
    require_capability(user, Capability.REDEEM_COUPONS)
    coupon = find_coupon_for(user=user, code=code)
    return evaluate(coupon, amount=amount, lines=lines, customer_id=customer_id)


@transaction.atomic
def redeem_coupon(
    *,
    user: Any,
    code: str,
    amount: Decimal,
    lines: Sequence[BasketLine] = (),
    customer_id: int | None = None,
    order_reference: str = "",
) -> CouponCheck:
    """Check every rule and mark the coupon used, exactly once even under concurrency.
    Raises ``ValidationError`` (field ``code``) listing the failing rules; writes nothing then."""
    require_capability(user, Capability.REDEEM_COUPONS)
    coupon = find_coupon_for(user=user, code=code)
    check = evaluate(coupon, amount=amount, lines=lines, customer_id=customer_id)
    if not check.is_ok:
        raise ValidationError({"code": check.failures})
    now = timezone.now()
    store_id = getattr(user, "store_id", None)
    changed = Coupon.objects.filter(pk=coupon.pk, status=CouponStatus.ISSUED).update(
        status=CouponStatus.REDEEMED,
        redeemed_at=now,
        redeemed_by=user,
        redeemed_store_id=store_id,
        basket_amount=amount,
        discount_amount=check.discount,
        order_reference=(order_reference or "").strip()[:64],
    )
    if changed != 1:
        raise ValidationError({"code": [_("该券刚刚已被使用。")]})
    coupon.refresh_from_db()
    check.coupon = coupon
    log_event(
        actor=user,
        obj=coupon.customer,
        event="redeem_coupon",
        data={"coupon_id": coupon.pk, "discount": str(check.discount)},
    )
    return check
