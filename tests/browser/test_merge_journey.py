"""A store manager resolves a duplicate in a real browser: the same contractor was filed twice
(at the counter with one phone, later from the online shop with another phone and an e-mail);
the duplicate scan proposes the pair, the manager opens the review queue, opens the merge
screen, keeps the online phone and e-mail, merges, sees the order moved and the merge in the
history, and undoes it. Saves screenshots 14–16 (and 17 after the undo) under artifacts/."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.factories import CustomerFactory, OrderFactory, UserFactory
from toolcrm.core.roles import Role
from toolcrm.customers.models import Customer
from toolcrm.integrations.identity import scan_duplicates
from toolcrm.integrations.models import MergeRecord
from toolcrm.sales.models import Order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_reviews_merges_and_undoes_a_duplicate(page, live_server, store_a):
    manager = UserFactory(username="manager_merge", role=Role.STORE_MANAGER, store=store_a)
    manager.set_password("toolcrm2026")
    manager.save()
    counter = CustomerFactory(
        name="周建华",
        phone="+8613812340001",
        home_store=store_a,
        province="上海市",
        city="上海市",
        district="浦东新区",
        occupation="装修队长",
    )
    online = CustomerFactory(
        name="周建华",
        phone="+8613912340002",
        email="zhou.jh@example.com",
        home_store=store_a,
        province="上海市",
        city="上海市",
        district="浦东新区",
        source_channel="ecommerce",
    )
    order = OrderFactory(customer=online, store=store_a, channel="ecommerce")
    assert scan_duplicates() == 1

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("login-username").fill("manager_merge")
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="重复客户").first.click()
    queue = page.get_by_test_id("candidate-queue")
    queue.wait_for()
    assert "同名且同区县" in queue.inner_text() or "周建华" in queue.inner_text()
    assert "138****0001" in queue.inner_text() and "139****0002" in queue.inner_text()
    screenshot(page, "14-merge-queue")
    queue.get_by_test_id("candidate-merge").click()

    page.get_by_test_id("merge-form").wait_for()
    page.get_by_test_id("merge-diff-phone").locator("input[value=other]").check()
    page.get_by_test_id("merge-diff-email").locator("input[value=other]").check()
    moves = page.get_by_test_id("merge-moves").inner_text()
    assert "订单" in moves and "1" in moves
    screenshot(page, "15-merge-screen")
    page.get_by_test_id("merge-confirm").click()

    page.wait_for_url(f"{live_server.url}/customers/{counter.pk}/")
    assert "已将 周建华 合并到 周建华" in page.locator("body").inner_text()
    survivor = Customer.objects.get(pk=counter.pk)
    assert (survivor.phone, survivor.email, survivor.occupation) == (
        "+8613912340002",
        "zhou.jh@example.com",
        "装修队长",
    )
    assert Order.objects.get(pk=order.pk).customer_id == counter.pk
    assert not Customer.objects.get(pk=online.pk).is_active

    page.goto(f"{live_server.url}/integrations/merges/")
    records = page.get_by_test_id("merge-records")
    assert f"#{online.pk} 周建华" in records.inner_text()
    record = MergeRecord.objects.get()
    taken = page.get_by_test_id(f"merge-record-{record.pk}").get_by_test_id("merge-taken-fields")
    assert taken.inner_text() == "手机号、邮箱"
    screenshot(page, "16-merge-done")

    page.get_by_test_id(f"merge-undo-{record.pk}").locator("summary").click()
    page.get_by_test_id(f"merge-undo-{record.pk}").get_by_role("button", name="确认撤销").click()
    page.get_by_text("已撤销合并，两位客户已恢复原状。").wait_for()
    assert "撤销" in page.get_by_test_id("merge-records").inner_text()
    screenshot(page, "17-merge-undone")
    assert Order.objects.get(pk=order.pk).customer_id == online.pk
    assert Customer.objects.get(pk=online.pk).is_active
    assert Customer.objects.get(pk=counter.pk).phone == "+8613812340001"
