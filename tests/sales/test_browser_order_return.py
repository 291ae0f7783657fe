"""A clerk takes a drill back in a real browser: opens the order from the order list, picks one
unit and its serial number, sees the refund the quantities come to (HTMX), records the return
and finds it on the order page. Saves artifacts/19-order-return.png."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from toolcrm.sales.models import Return

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_records_a_return_from_the_order_page(page, live_server, make_user, returnable_order):
    clerk = make_user("clerk", username="clerk_returns")
    clerk.set_password("toolcrm2026")
    clerk.save()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("login-username").fill("clerk_returns")
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/orders/")
    page.get_by_test_id("order-link").first.click()
    page.get_by_test_id("return-form").wait_for()
    page.get_by_test_id("return-qty").first.fill("1")
    page.get_by_test_id("return-qty").first.dispatch_event("change")
    page.get_by_test_id("return-quote").wait_for()
    assert "574.00" in page.get_by_test_id("return-quote").inner_text()
    page.get_by_label("SN-B").check()
    page.locator("input[name=reason]").fill("开箱有划痕")
    screenshot(page, "19-order-return-form")
    page.get_by_test_id("return-submit").click()

    page.get_by_test_id("order-return").wait_for()
    assert "部分退货" in page.get_by_test_id("order-status").inner_text()
    assert "开箱有划痕" in page.get_by_test_id("order-returns").inner_text()
    screenshot(page, "19-order-return")
    assert Return.objects.get().refund_amount == 574
