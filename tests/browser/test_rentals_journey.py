"""The rental desk in a real browser: the fleet, lending a rotary hammer to a customer found by
phone (HTMX search), the agreement page, the return with its settlement, the overdue list and
the 360 panel. Screenshots under artifacts/40-*.png."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import ARTIFACTS, screenshot
from tests.factories import CustomerFactory, ProductFactory, UserFactory
from toolcrm.core.roles import Role
from toolcrm.rentals import services
from toolcrm.rentals.models import RentalAgreement, RentalPrice, RentalUnit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rental_desk(store_a):  # type: ignore[no-untyped-def]
    clerk = UserFactory(username="clerk_rent", display_name="李娜", role=Role.CLERK, store=store_a)
    clerk.set_password("toolcrm2026")
    clerk.save()
    customer = CustomerFactory(name="王建国", phone="+8613812345678", home_store=store_a)
    late_customer = CustomerFactory(name="赵师傅", phone="+8613987654321", home_store=store_a)
    hammer = ProductFactory(sku="BSH-GBH226", name="GBH 2-26 电锤", price=Decimal("899.00"))
    washer = ProductFactory(
        sku="KAR-K5", name="K5 高压清洗机", price=Decimal("2399.00"), is_power_tool=False
    )
    laser = ProductFactory(
        sku="BSH-GLL3", name="GLL 3-60 激光水平仪", price=Decimal("1599.00"), is_power_tool=False
    )
    RentalPrice.objects.create(product=hammer, daily_rate=Decimal("36"), min_deposit=Decimal("400"))
    RentalPrice.objects.create(
        product=washer, daily_rate=Decimal("96"), min_deposit=Decimal("1200")
    )
    unit = RentalUnit.objects.create(
        product=hammer, asset_tag="SH01-R-HAMMER-01", serial="GBH26R0001", home_store=store_a
    )
    RentalUnit.objects.create(product=hammer, asset_tag="SH01-R-HAMMER-02", home_store=store_a)
    washer_unit = RentalUnit.objects.create(
        product=washer, asset_tag="SH01-R-WASHER-01", home_store=store_a
    )
    RentalUnit.objects.create(
        product=laser, asset_tag="SH01-R-LASER-01", home_store=store_a, status="maintenance"
    )
    late = services.lend(
        user=clerk,
        customer_id=late_customer.pk,
        unit_id=washer_unit.pk,
        due_on=timezone.localdate() + timedelta(days=2),
        deposit_amount=Decimal("1200.00"),
        deposit_method="wechat_pay",
    )
    RentalAgreement.objects.filter(pk=late.pk).update(
        started_at=timezone.now() - timedelta(days=6),
        due_on=timezone.localdate() - timedelta(days=4),
        original_due_on=timezone.localdate() - timedelta(days=4),
    )
    return {"clerk": clerk, "customer": customer, "unit": unit}


def test_clerk_lends_a_tool_and_takes_it_back(page, live_server, rental_desk):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("login-username").fill("clerk_rent")
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="租借").first.click()
    page.get_by_test_id("fleet-table").wait_for()
    assert page.get_by_test_id("fleet-row").count() == 4
    screenshot(page, "40-rentals-fleet")

    unit = rental_desk["unit"]
    page.get_by_test_id(f"lend-unit-{unit.pk}").click()
    page.get_by_test_id("lend-form").wait_for()
    page.get_by_test_id("lend-customer-search").type("13812345678", delay=10)
    customer = rental_desk["customer"]
    page.get_by_test_id(f"pick-customer-{customer.pk}").check()
    due = timezone.localdate() + timedelta(days=3)
    page.get_by_test_id("lend-due-on").fill(due.isoformat())
    page.get_by_test_id("lend-deposit").fill("400")
    page.get_by_test_id("lend-deposit-method").select_option("wechat_pay")
    screenshot(page, "40-rentals-lend-form")

    page.get_by_test_id("lend-submit").click()
    page.get_by_test_id("return-card").wait_for()
    assert "已出借" in page.content()
    assert page.get_by_test_id("agreement-due").inner_text().startswith(due.isoformat())
    screenshot(page, "40-rentals-agreement")

    page.get_by_test_id("return-condition").select_option("worn")
    page.get_by_test_id("return-submit").click()
    page.get_by_test_id("settlement").wait_for()
    assert page.get_by_test_id("rental-charge").inner_text() == "¥36.00"
    assert page.get_by_test_id("deposit-refund").inner_text() == "¥364.00"
    screenshot(page, "40-rentals-agreement-returned")

    page.get_by_test_id("nav-loans").click()
    page.get_by_test_id("loan-row").first.wait_for()
    assert page.get_by_test_id("loan-row").count() == 1  # the washer, overdue; the hammer is back
    screenshot(page, "40-rentals-loans")

    page.get_by_test_id("nav-overdue").click()
    page.get_by_test_id("overdue-table").wait_for()
    assert page.get_by_test_id("days-overdue").first.inner_text() == "4 天"
    screenshot(page, "40-rentals-overdue")

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    page.get_by_test_id("rentals-panel").wait_for()
    assert page.get_by_test_id("rentals-history").count() == 1
    page.get_by_test_id("rentals-panel").screenshot(
        path=str(ARTIFACTS / "40-rentals-360-panel.png")
    )
