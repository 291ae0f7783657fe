"""The insights in a real browser: a store manager sees the bell's count, opens the VIP
notification and lands on the 360 page with the VIP badge, churn probability with its reasons and
the overdue category; HQ marketing opens the churn model page. Screenshots artifacts/50-*.png."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import screenshot
from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    UserFactory,
)
from tests.insights.test_churn import generate
from toolcrm.core.roles import Role
from toolcrm.insights import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page, live_server, username):  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")


def staff(username, role, **kwargs):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username, role=role, **kwargs)
    user.set_password("toolcrm2026")
    user.save()
    return user


@pytest.fixture
def chain(store_a, store_b, settings):  # type: ignore[no-untyped-def]
    settings.INSIGHTS_VIP_THRESHOLD = "20000"
    now = timezone.now()
    generate(store_b, customers=80, now=now)  # no manager at store_b: no other notification
    bits = ProductFactory(
        name="麻花钻头套装",
        category=CategoryFactory(name="钻头套装", parent=CategoryFactory(name="耗材")),
        is_power_tool=False,
    )
    customer = CustomerFactory(name="大华建筑", home_store=store_a, kind="company")
    for days, total in ((150, "9000.00"), (120, "8000.00"), (95, "6000.00")):
        order = OrderFactory(
            customer=customer,
            ordered_at=now - timedelta(days=days),
            total=Decimal(total),
            subtotal=Decimal(total),
        )
        OrderLineFactory(order=order, product=bits)
    manager = staff("manager_vip", Role.STORE_MANAGER, store=store_a, display_name="周店长")
    staff("hq_models", Role.HQ_MARKETING, display_name="总部市场")
    services.train_churn_model(now=now)
    services.recompute_scores(now=now)
    return customer, manager


def test_manager_follows_the_vip_notification_to_the_card(page, live_server, chain):
    customer, _ = chain
    login(page, live_server, "manager_vip")

    assert page.get_by_test_id("notification-count").inner_text() == "1"
    page.get_by_test_id("notification-bell").click()
    page.wait_for_url(f"{live_server.url}/notifications/")
    assert "大华建筑" in page.get_by_test_id("notification").inner_text()
    screenshot(page, "50-notifications")

    page.get_by_test_id("notification").get_by_role("button").click()
    page.wait_for_url(f"{live_server.url}/customers/{customer.pk}/")
    card = page.get_by_test_id("insight-card")
    assert card.get_by_test_id("vip-badge").is_visible()
    assert card.get_by_test_id("churn-probability").inner_text().endswith("%")
    reasons = card.get_by_test_id("churn-reasons").locator("li").all_inner_texts()
    assert 1 <= len(reasons) <= 3 and all(reasons)
    assert "钻头套装" in card.get_by_test_id("overdue-categories").inner_text()
    card.scroll_into_view_if_needed()
    screenshot(page, "51-insight-card")
    assert page.get_by_test_id("notification-count").count() == 0  # read now


def test_hq_sees_the_churn_model_page(page, live_server, chain):
    login(page, live_server, "hq_models")
    page.get_by_role("link", name="流失模型").click()
    page.wait_for_url(f"{live_server.url}/insights/models/")
    assert page.get_by_test_id("model-row").count() == 1
    screenshot(page, "52-churn-models")
