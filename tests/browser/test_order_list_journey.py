"""A store manager finds orders in a real browser: opens 订单 from the navigation, filters by
channel and amount, and downloads exactly those orders as CSV with masked phones. Saves
artifacts/18-order-list.png."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, UserFactory
from toolcrm.core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHINA = dt.timezone(dt.timedelta(hours=8))


def test_manager_filters_orders_and_exports_them(page, live_server, store_a, store_b):
    manager = UserFactory(username="manager_orders", role=Role.STORE_MANAGER, store=store_a)
    manager.set_password("toolcrm2026")
    manager.save()
    wang = CustomerFactory(name="王建国", phone="+8613812345678", home_store=store_a)
    for n, (channel, total) in enumerate(
        [("pos", "599.00"), ("ecommerce", "1280.00"), ("ecommerce", "89.70"), ("pos", "45.00")]
    ):
        order = OrderFactory(
            external_id=f"SH-{n + 1:04d}",
            customer=wang if n % 2 == 0 else None,
            store=store_a,
            channel=channel,
            ordered_at=dt.datetime(2024, 3, 5 + n, 10, 30, tzinfo=CHINA),
            total=Decimal(total),
        )
        OrderLineFactory(order=order)
    OrderFactory(external_id="HZ-0001", store=store_b, customer__home_store=store_b)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("login-username").fill("manager_orders")
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="订单").first.click()
    page.get_by_test_id("order-table").wait_for()
    assert page.get_by_test_id("order-row").count() == 4
    assert "HZ-0001" not in page.get_by_test_id("order-table").inner_text()
    filters = page.get_by_test_id("order-filters")
    filters.locator("select[name=channel]").select_option("ecommerce")
    filters.locator("input[name=amount_min]").fill("50")
    filters.locator("button[type=submit]").click()
    page.wait_for_url("**channel=ecommerce**")
    assert page.get_by_test_id("order-row").count() == 2
    table = page.get_by_test_id("order-table").inner_text()
    assert "SH-0002" in table and "138****5678" in table and "13812345678" not in table
    screenshot(page, "18-order-list")

    with page.expect_download() as download_info:
        page.get_by_test_id("order-export-csv").click()
    body = Path(download_info.value.path()).read_bytes().decode("utf-8")
    assert body.startswith("\ufeff订单号")
    assert [line.split(",")[0] for line in body.strip().splitlines()[1:]] == ["SH-0003", "SH-0002"]
