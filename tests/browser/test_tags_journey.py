"""A store manager defines 工程客户 in a real browser: opens 客户标签 from the navigation, goes to
the definitions, builds the rule with the HTMX condition builder (switches the first row to a
customer attribute, adds two purchase rows and a spare one that is removed again), previews the
match, saves, and finds the contractor crew with the tag and its reason in the report, the
member list and the 360 page. Saves screenshots 50–54 under artifacts/."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    UserFactory,
)
from toolcrm.core.roles import Role
from toolcrm.tags.models import CustomerTag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_builds_a_rule_tag_and_sees_it_on_the_360_page(page, live_server, store_a):  # type: ignore[no-untyped-def]
    manager = UserFactory(username="manager_tags", role=Role.STORE_MANAGER, store=store_a)
    manager.set_password("toolcrm2026")
    manager.save()
    power = CategoryFactory(code="PT", name="电动工具")
    consumables = CategoryFactory(code="CS", name="耗材")
    drill = ProductFactory(
        sku="DRILL-B", category=CategoryFactory(code="PT-D", name="电钻", parent=power)
    )
    bits = ProductFactory(
        sku="BITS-B",
        category=CategoryFactory(code="CS-B", name="钻头", parent=consumables),
        price=Decimal("50"),
        is_power_tool=False,
        is_consumable=True,
    )
    crew = CustomerFactory(name="浦东施工队", kind="company", home_store=store_a)
    CustomerFactory(name="王师傅", home_store=store_a)
    now = timezone.now()
    for days_ago in (5, 35, 65):
        order = OrderFactory(customer=crew, ordered_at=now - timedelta(days=days_ago))
        OrderLineFactory(order=order, product=drill)
        OrderLineFactory(
            order=order, product=bits, unit_price=Decimal("50"), line_total=Decimal("50")
        )

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("login-username").fill("manager_tags")
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="客户标签").first.click()
    page.get_by_test_id("tag-report-empty").wait_for()  # no tag defined yet
    page.get_by_role("link", name="标签定义").click()
    page.get_by_test_id("new-rule-tag").click()

    page.locator("#tag-name").fill("工程客户")
    page.locator("#tag-description").fill("企业客户，近3个月每月都买电动工具和耗材")
    rows = page.get_by_test_id("condition-row")
    rows.nth(0).get_by_test_id("condition-type").select_option("profile")
    page.locator('input[name="c0-values"][value="company"]').check()
    for index, category in ((1, "电动工具"), (2, "耗材")):
        page.get_by_test_id("add-condition").click()
        page.locator(f'select[name="c{index}-category"]').wait_for()
        page.locator(f'select[name="c{index}-category"]').select_option(label=category)
        page.locator(f'select[name="c{index}-window_mode"]').select_option("each_month")
        page.locator(f'input[name="c{index}-window_length"]').fill("3")
    page.get_by_test_id("add-condition").click()
    page.locator('select[name="c3-category"]').wait_for()
    assert rows.count() == 4
    rows.nth(3).get_by_test_id("remove-condition").click()
    expect(rows).to_have_count(3)  # (no wait_for_function: the CSP forbids eval)

    page.get_by_test_id("preview-button").click()
    page.get_by_test_id("preview-result").wait_for()
    assert page.get_by_test_id("preview-count").inner_text() == "1"
    assert "浦东施工队" in page.get_by_test_id("preview-result").inner_text()
    screenshot(page, "60-tags-rule-builder")

    page.get_by_test_id("save-tag").click()
    page.get_by_test_id("tag-definitions").wait_for()
    assert CustomerTag.objects.filter(customer=crew, tag__name="工程客户").exists()
    screenshot(page, "61-tags-definitions")

    page.get_by_role("link", name="标签统计").click()
    report = page.get_by_test_id("tag-report")
    report.wait_for()
    screenshot(page, "62-tags-report")
    report.get_by_role("row").filter(has_text="工程客户").get_by_role("link").click()
    members = page.get_by_test_id("tag-members")
    members.wait_for()
    assert "近3个月每月都购买了电动工具" in members.inner_text()
    screenshot(page, "63-tags-members")

    members.get_by_role("link", name="浦东施工队").click()
    panel = page.get_by_test_id("tags-panel")
    panel.wait_for()
    text = panel.inner_text()
    assert "工程客户" in text and "近3个月每月都购买了耗材" in text
    page.evaluate("window.scrollTo(0, 0)")  # the sticky navbar would sit mid-page otherwise
    screenshot(page, "64-tags-360-panel")
