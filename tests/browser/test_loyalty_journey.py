"""A clerk at the counter: opens a member's 360 page, sees tier, points and coupons, checks a
coupon against a basket, redeems it and sees it used. Screenshots under artifacts/."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, OrderFactory, UserFactory
from tests.loyalty.conftest import seed_programme
from toolcrm.core.roles import Role
from toolcrm.loyalty.models import CouponTemplate
from toolcrm.loyalty.services import coupons, programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def member_with_coupon(store_a):  # type: ignore[no-untyped-def]
    seed_programme()  # an earlier transactional test may have flushed the seeded benefits
    clerk = UserFactory(username="clerk_loyal", display_name="李娜", role=Role.CLERK, store=store_a)
    clerk.set_password("toolcrm2026")
    clerk.save()
    customer = CustomerFactory(name="王建国", phone="+8613812345678", home_store=store_a)
    order = OrderFactory(customer=customer, subtotal=Decimal("6800.00"), total=Decimal("6800.00"))
    programme.process_order(order_id=order.pk)
    template = CouponTemplate.objects.create(
        code="spring-1000-100",
        name="满 1000 减 100",
        kind="amount_off",
        amount_off=Decimal("100.00"),
        min_spend=Decimal("1000.00"),
    )
    coupon = coupons.issue_coupons(template=template, customers=[customer]).issued[0]
    return {"customer": customer, "coupon": coupon}


def test_clerk_redeems_a_coupon_on_the_360_page(page, live_server, member_with_coupon):
    customer, coupon = member_with_coupon["customer"], member_with_coupon["coupon"]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("login-username").fill("clerk_loyal")
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    panel = page.get_by_test_id("loyalty-panel")
    panel.wait_for()
    assert panel.get_by_test_id("loyalty-tier").inner_text() == "银卡"
    assert panel.get_by_test_id("loyalty-points").inner_text() == "8160"  # 6,800 × 1.2
    assert coupon.display_code in panel.get_by_test_id("loyalty-coupons").inner_text()
    screenshot(page, "30-loyalty-360")

    panel.get_by_test_id("loyalty-redeem-code").fill(coupon.display_code.lower())
    panel.get_by_test_id("loyalty-redeem-amount").fill("800")
    panel.get_by_test_id("loyalty-redeem-check").click()
    failures = page.get_by_test_id("redeem-failures")
    failures.wait_for()
    assert "未达最低消费" in failures.inner_text()

    panel.get_by_test_id("loyalty-redeem-amount").fill("1299")
    panel.get_by_test_id("loyalty-redeem-check").click()
    page.get_by_test_id("redeem-check-ok").wait_for()
    assert "¥100.00" in page.get_by_test_id("redeem-check-ok").inner_text()

    page.get_by_test_id("loyalty-redeem-submit").click()
    message = page.get_by_test_id("loyalty-message")
    message.wait_for()
    assert "已核销" in message.inner_text()
    used = page.get_by_test_id("loyalty-used-coupon")
    assert coupon.display_code in used.inner_text() and "已使用" in used.inner_text()
    assert page.get_by_test_id("loyalty-no-coupons").is_visible()
    page.evaluate("window.scrollTo(0, 0)")  # the sticky navigation stays at the top
    screenshot(page, "31-coupon-redeemed")
    coupon.refresh_from_db()
    assert coupon.status == "redeemed"
