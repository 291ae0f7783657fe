"""The recommendation panel in a real browser: a clerk opens a customer's 360 page, sees the
list with reasons, prices and stock, opens the printable list, and sends the list on a channel
the customer agreed to. Screenshots under artifacts/45-recommendations-*.png."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.factories import ConsentFactory, CustomerFactory, StockLevelFactory, UserFactory
from tests.recommendations.helpers import category_rule
from toolcrm.core.roles import Role
from toolcrm.customers.models import Interaction
from toolcrm.recommendations.choices import BasketScope
from toolcrm.stores.models import StockLevel

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def counter(world, buy, store_a, store_b):  # type: ignore[no-untyped-def]
    clerk = UserFactory(username="clerk_reco", display_name="李娜", role=Role.CLERK, store=store_a)
    clerk.set_password("toolcrm2026")
    clerk.save()
    customer = CustomerFactory(name="王建国", phone="+8613812345678", home_store=store_a)
    buy(customer, [world.drill, world.tape], days_ago=200)
    category_rule(
        world.tape.category,
        world.grinder.category,
        suggested=world.grinder,
        confidence=0.38,
        lift=4.2,
        scope=BasketScope.CUSTOMER,
    )
    StockLevel.objects.filter(store=store_a, product=world.brushes).update(quantity=0)
    StockLevelFactory(store=store_b, product=world.brushes, quantity=6)
    ConsentFactory(customer=customer, channel="sms", purpose="marketing", is_granted=True)
    return {"customer": customer}


def test_clerk_prints_and_sends_a_recommendation_list(page, live_server, counter):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("login-username").fill("clerk_reco")
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")
    customer = counter["customer"]

    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    panel = page.get_by_test_id("recommendation-panel")
    panel.wait_for()
    assert panel.get_by_test_id("recommendation-reason").count() == 3
    assert "的配件" in panel.inner_text() and "买过 卷尺 的客户 38%" in panel.inner_text()
    assert "杭州西湖店 6" in panel.inner_text()
    screenshot(page, "45-recommendations-360")
    panel.screenshot(
        path=str(
            screenshot(page, "45-recommendations-360").with_name("45-recommendations-panel.png")
        )
    )

    with page.expect_popup() as popup_info:
        panel.get_by_test_id("recommendation-print").click()
    printable = popup_info.value
    printable.get_by_test_id("print-items").wait_for()
    assert "王** 的推荐清单" in printable.inner_text("body")
    assert "王建国" not in printable.content()
    screenshot(printable, "45-recommendations-print")
    printable.emulate_media(media="print")
    screenshot(printable, "45-recommendations-print-media")
    printable.close()

    panel.locator("select[name=channel]").select_option("sms")
    panel.get_by_test_id("recommendation-send").click()
    page.wait_for_url(f"**/customers/{customer.pk}/#recommendations")
    assert "已按短信记录推荐清单的发送" in page.inner_text("main")
    interaction = Interaction.objects.get(customer=customer)
    assert "推荐清单（短信发送，3 件）" in interaction.summary

    panel.locator("select[name=channel]").select_option("wechat")
    panel.get_by_test_id("recommendation-send").click()
    page.wait_for_url(f"**/customers/{customer.pk}/#recommendations")
    assert "客户未同意通过微信接收营销信息" in page.inner_text("main")
    assert Interaction.objects.filter(customer=customer).count() == 1


def test_rules_page_filters_by_category(page, live_server, world):
    analyst = UserFactory(username="hq_reco", role=Role.HQ_MARKETING, store=None)
    analyst.set_password("toolcrm2026")
    analyst.save()
    category_rule(
        world.grinder.category,
        world.discs.category,
        suggested=world.discs,
        confidence=0.32,
        lift=3.25,
    )
    category_rule(
        world.drill.category, world.bits.category, suggested=world.bits, confidence=0.3, lift=3.04
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("login-username").fill("hq_reco")
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="关联规则").first.click()
    table = page.get_by_test_id("rule-table")
    table.wait_for()
    assert table.locator("tbody tr").count() == 2
    screenshot(page, "45-recommendations-rules")
    page.locator("select[name=category]").select_option(str(world.discs.category_id))
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**category=*")
    assert page.get_by_test_id("rule-table").locator("tbody tr").count() == 1
