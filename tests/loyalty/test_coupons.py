"""Coupons: unguessable readable codes, issuing with the per-customer limit, bulk issuing by
campaigns (idempotent), every redemption rule, single use, and concurrent redemption on
PostgreSQL (exactly one of two succeeds)."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.http import Http404
from django.utils import timezone

from tests.factories import BrandFactory, CategoryFactory, CustomerFactory, ProductFactory
from toolcrm.core.roles import Role
from toolcrm.loyalty.models import Coupon, CouponTemplate
from toolcrm.loyalty.services import coupons
from toolcrm.loyalty.services.coupons import BasketLine, normalise_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def coupon(member, amount_template, manager) -> Coupon:  # type: ignore[no-untyped-def]
    return coupons.issue_coupon(user=manager, template=amount_template, customer=member)


def test_codes_are_twelve_unambiguous_characters(coupon, member, amount_template, manager):
    other = coupons.issue_coupon(user=manager, template=amount_template, customer=member)
    for code in (coupon.code, other.code):
        assert len(code) == 12
        assert not set(code) & set("01OIL")
    assert coupon.code != other.code
    assert coupon.display_code.count("-") == 2
    assert normalise_code(coupon.display_code.lower().replace("-", " ")) == coupon.code


def test_the_per_customer_limit_is_enforced(coupon, member, amount_template, manager):
    coupons.issue_coupon(user=manager, template=amount_template, customer=member)
    with pytest.raises(ValidationError, match="每人限领"):
        coupons.issue_coupon(user=manager, template=amount_template, customer=member)
    assert Coupon.objects.filter(customer=member).count() == 2


def test_issuing_needs_the_capability_and_an_active_template(
    member, amount_template, clerk, manager
):
    with pytest.raises(PermissionDenied):
        coupons.issue_coupon(user=clerk, template=amount_template, customer=member)
    amount_template.is_active = False
    amount_template.save()
    with pytest.raises(ValidationError, match="停用"):
        coupons.issue_coupon(user=manager, template=amount_template, customer=member)
    assert not Coupon.objects.exists()


def test_validity_is_capped_by_the_campaign_end(member, amount_template, manager):
    end = timezone.now() + timedelta(days=5)
    amount_template.valid_until = end
    amount_template.save()
    issued = coupons.issue_coupon(user=manager, template=amount_template, customer=member)
    assert issued.valid_until == end


def test_bulk_issue_is_idempotent_per_customer_and_skips_with_reasons(
    member, amount_template, store_a, outsider, manager
):
    second = CustomerFactory(home_store=store_a)
    inactive = CustomerFactory(home_store=store_a, is_active=False)
    customers = [member, second, inactive]

    first = coupons.issue_coupons(
        template=amount_template, customers=customers, issue_key_prefix="campaign:7"
    )
    again = coupons.issue_coupons(
        template=amount_template, customers=customers, issue_key_prefix="campaign:7"
    )
    scoped = coupons.issue_coupons(template=amount_template, customers=[outsider], user=manager)

    assert {c.customer_id for c in first.issued} == {member.pk, second.pk}
    assert "停用" in first.skipped[inactive.pk]
    assert again.issued == []
    assert set(again.skipped) == {member.pk, second.pk, inactive.pk}
    assert scoped.issued == [] and outsider.pk in scoped.skipped
    assert Coupon.objects.count() == 2


def test_check_gives_the_discount_without_writing(coupon, clerk):
    check = coupons.check_coupon(user=clerk, code=coupon.display_code, amount=Decimal("800"))
    assert check.is_ok and check.discount == Decimal("100.00")
    coupon.refresh_from_db()
    assert coupon.status == "issued"


@pytest.mark.parametrize(
    ("change", "amount", "message"),
    [
        ({}, "499.99", "未达最低消费"),
        ({"status": "redeemed"}, "800", "已于"),
        ({"status": "void"}, "800", "已作废"),
        ({"valid_until": -1}, "800", "已于"),
        ({"valid_from": 2}, "800", "起可用"),
    ],
)
def test_each_failing_rule_is_named(coupon, clerk, change, amount, message):
    now = timezone.now()
    for name, value in change.items():
        setattr(coupon, name, now + timedelta(days=value) if isinstance(value, int) else value)
    coupon.save()
    check = coupons.check_coupon(user=clerk, code=coupon.code, amount=Decimal(amount))
    assert not check.is_ok
    assert any(message in failure for failure in check.failures)
    with pytest.raises(ValidationError):
        coupons.redeem_coupon(user=clerk, code=coupon.code, amount=Decimal(amount))


def test_a_coupon_of_another_customer_is_refused(coupon, clerk, store_a):
    other = CustomerFactory(home_store=store_a)
    check = coupons.check_coupon(
        user=clerk, code=coupon.code, amount=Decimal("800"), customer_id=other.pk
    )
    assert check.failures == ["该券不属于当前客户。"]


def test_unknown_and_out_of_scope_codes_look_the_same(coupon, make_user, store_south):
    far_clerk = make_user(Role.CLERK, store=store_south)
    with pytest.raises(Http404):
        coupons.check_coupon(user=far_clerk, code=coupon.code, amount=Decimal("800"))
    with pytest.raises(Http404):
        coupons.check_coupon(user=far_clerk, code="2345-6789-ABCD", amount=Decimal("800"))


def test_redeem_once_then_used(coupon, clerk):
    result = coupons.redeem_coupon(
        user=clerk, code=coupon.code, amount=Decimal("800"), order_reference="POS-88"
    )
    assert result.discount == Decimal("100.00")
    coupon.refresh_from_db()
    assert (coupon.status, coupon.redeemed_by, coupon.order_reference) == (
        "redeemed",
        clerk,
        "POS-88",
    )
    assert coupon.redeemed_store_id == clerk.store_id
    with pytest.raises(ValidationError, match="已于"):
        coupons.redeem_coupon(user=clerk, code=coupon.code, amount=Decimal("800"))


def test_percent_off_with_category_and_brand_scope(member, manager, clerk):
    drills = CategoryFactory(name="电钻")
    bosch = BrandFactory(name="博世")
    drill = ProductFactory(sku="DRILL-1", category=drills, brand=bosch)
    bits = ProductFactory(sku="BITS-1", is_power_tool=False)
    template = CouponTemplate.objects.create(
        code="bosch-drill-10",
        name="博世电钻 9 折",
        kind="percent_off",
        percent_off=Decimal("10"),
        min_spend=Decimal("300"),
        category=drills,
        brand=bosch,
    )
    issued = coupons.issue_coupon(user=manager, template=template, customer=member)

    no_lines = coupons.check_coupon(user=clerk, code=issued.code, amount=Decimal("1000"))
    assert any("商品明细" in f for f in no_lines.failures)
    only_bits = coupons.check_coupon(
        user=clerk,
        code=issued.code,
        amount=Decimal("200"),
        lines=[BasketLine("BITS-1", Decimal("200"))],
    )
    assert any("没有适用商品" in f for f in only_bits.failures)
    mixed = coupons.check_coupon(
        user=clerk,
        code=issued.code,
        amount=Decimal("1099.00"),
        lines=[BasketLine("DRILL-1", Decimal("899.00")), BasketLine("BITS-1", Decimal("200.00"))],
    )
    assert mixed.is_ok
    assert (mixed.eligible_amount, mixed.discount) == (Decimal("899.00"), Decimal("89.90"))
    unknown = coupons.check_coupon(
        user=clerk,
        code=issued.code,
        amount=Decimal("10"),
        lines=[BasketLine("NOPE", Decimal("10"))],
    )
    assert any("未知 SKU" in f for f in unknown.failures)
    del drill, bits


def test_amount_off_never_exceeds_the_eligible_amount(member, manager, clerk):
    template = CouponTemplate.objects.create(
        code="gift-500", name="500 元券", kind="amount_off", amount_off=Decimal("500")
    )
    issued = coupons.issue_coupon(user=manager, template=template, customer=member)
    check = coupons.check_coupon(user=clerk, code=issued.code, amount=Decimal("120.00"))
    assert check.discount == Decimal("120.00")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_redemptions_exactly_one_succeeds(store_a, make_user):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race needs PostgreSQL's row locks")
    clerk = make_user(Role.CLERK, username="clerk_race")
    customer = CustomerFactory(home_store=store_a)
    template = CouponTemplate.objects.create(
        code="race", name="并发券", kind="amount_off", amount_off=Decimal("50")
    )
    issued = coupons.issue_coupons(template=template, customers=[customer]).issued[0]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def redeem() -> None:
        try:
            barrier.wait()
            coupons.redeem_coupon(user=clerk, code=issued.code, amount=Decimal("100"))
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=redeem) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "refused"]
    issued.refresh_from_db()
    assert issued.status == "redeemed"
