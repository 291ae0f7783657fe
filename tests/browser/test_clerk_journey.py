"""The clerk's main journey in a real browser: log in, search a customer by phone, open the
360 page, reveal nothing, switch language. Saves screenshots under artifacts/."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import screenshot
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    InteractionFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    SerialNumberFactory,
    UserFactory,
)
from toolcrm.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(store_a):  # type: ignore[no-untyped-def]
    clerk = UserFactory(username="clerk_demo", display_name="李娜", role=Role.CLERK, store=store_a)
    clerk.set_password("toolcrm2026")
    clerk.save()
    customer = CustomerFactory(
        name="王建国",
        phone="+8613812345678",
        member_card_no="M000012345",
        home_store=store_a,
        occupation="水电工",
        province="上海市",
        city="上海市",
        district="浦东新区",
    )
    drill = ProductFactory(
        name="GSB 18V-50 冲击钻", warranty_months=24, maintenance_interval_days=180
    )
    order = OrderFactory(
        customer=customer,
        ordered_at=timezone.now() - timedelta(days=45),
        subtotal=Decimal("899.00"),
        total=Decimal("899.00"),
    )
    line = OrderLineFactory(
        order=order, product=drill, unit_price=Decimal("899.00"), line_total=Decimal("899.00")
    )
    SerialNumberFactory(line=line, product=drill, serial="BSH2409A01234")
    InteractionFactory(customer=customer, summary="咨询钻头套装", staff=clerk)
    ConsentFactory(customer=customer, channel="wechat", purpose="marketing")
    return {"clerk": clerk, "customer": customer}


def test_clerk_logs_in_searches_by_phone_and_opens_the_360_page(page, live_server, shop):
    page.goto(f"{live_server.url}/accounts/login/")
    screenshot(page, "01-login")
    page.get_by_test_id("login-username").fill("clerk_demo")
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")
    assert "今日门店" in page.content()

    page.goto(f"{live_server.url}/customers/")
    page.get_by_test_id("customer-search").fill("+86 138-1234-5678")
    page.get_by_test_id("customer-search-submit").click()
    page.get_by_test_id("customer-row").first.wait_for()
    assert page.get_by_test_id("customer-row").count() == 1
    assert "138****5678" in page.get_by_test_id("customer-results").inner_text()
    screenshot(page, "02-search")

    page.get_by_test_id("customer-row").first.click()
    page.get_by_test_id("customer-header").wait_for()
    body = page.content()
    assert "王建国" in body
    assert "138****5678" in body and "13812345678" not in body
    assert "BSH2409A01234" in body and "保修中" in body
    assert "咨询钻头套装" in body
    screenshot(page, "03-customer-360")

    page.get_by_test_id("lang-en").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Owned tools" in page.content()
    screenshot(page, "04-customer-360-en")


def test_phone_search_typed_live_uses_htmx(page, live_server, shop):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("login-username").fill("clerk_demo")
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_test_id("customer-search").type("１３８１２３４５６７８", delay=10)
    page.get_by_test_id("customer-row").first.wait_for()
    assert "王建国" in page.get_by_test_id("customer-results").inner_text()
