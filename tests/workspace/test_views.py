"""Home (store's day) and customer 360 page: roles, scoping, contents and query counts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    CategoryFactory,
    ConsentFactory,
    CustomerFactory,
    InteractionFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    SerialNumberFactory,
)
from toolcrm.core.roles import Role
from toolcrm.workspace.selectors import customer_kpis, store_day, warranty_status


def _order_with_tool(customer, *, days_ago, serial, total="599.00", warranty=12):
    order = OrderFactory(
        customer=customer,
        ordered_at=timezone.now() - timedelta(days=days_ago),
        total=Decimal(total),
        subtotal=Decimal(total),
    )
    product = ProductFactory(warranty_months=warranty, maintenance_interval_days=180)
    line = OrderLineFactory(
        order=order, product=product, unit_price=Decimal(total), line_total=Decimal(total)
    )
    SerialNumberFactory(line=line, product=product, serial=serial)
    return order


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_home_renders_for_every_role(role, make_user, client_for):
    response = client_for(make_user(role)).get(reverse("workspace:home"))

    assert response.status_code == 200
    assert "今日销售额" in response.content.decode()


@pytest.mark.django_db
def test_home_requires_login(client):
    assert client.get(reverse("workspace:home")).status_code == 302


@pytest.mark.django_db
def test_store_day_counts_new_and_returning_customers_of_own_store(store_a, store_b, clerk):
    loyal = CustomerFactory(home_store=store_a)
    OrderFactory(customer=loyal, ordered_at=timezone.now() - timedelta(days=40))
    OrderFactory(customer=loyal, ordered_at=timezone.now(), total=Decimal("100.00"))
    newcomer = CustomerFactory(home_store=store_a)
    OrderFactory(customer=newcomer, ordered_at=timezone.now(), total=Decimal("50.50"))
    OrderFactory(
        customer=CustomerFactory(home_store=store_b),
        ordered_at=timezone.now(),
        total=Decimal("999.00"),
    )

    day = store_day(user=clerk)

    assert day.sales_total == Decimal("150.50")
    assert day.order_count == 2
    assert (day.new_customers, day.returning_customers) == (1, 1)


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_customer_360_per_role(role, make_user, client_for, store_a):
    customer = CustomerFactory(name="欧阳师傅", home_store=store_a)
    user = make_user(role)
    if role == Role.B2B_MANAGER:
        customer.account_manager = user
        customer.save(update_fields=["account_manager"])

    response = client_for(user).get(reverse("workspace:customer_360", args=[customer.pk]))

    assert response.status_code == 200
    assert "欧阳师傅" in response.content.decode()


@pytest.mark.django_db
def test_customer_360_outside_scope_is_404(store_b, make_user, client_for, store_south):
    other_store = CustomerFactory(home_store=store_b)
    other_region = CustomerFactory(home_store=store_south)
    clerk = make_user(Role.CLERK)
    regional = make_user(Role.REGIONAL_MANAGER)
    b2b = make_user(Role.B2B_MANAGER)

    assert (
        client_for(clerk).get(reverse("workspace:customer_360", args=[other_store.pk])).status_code
        == 404
    )
    assert (
        client_for(regional)
        .get(reverse("workspace:customer_360", args=[other_region.pk]))
        .status_code
        == 404
    )
    assert (
        client_for(b2b).get(reverse("workspace:customer_360", args=[other_store.pk])).status_code
        == 404
    )
    assert client_for(clerk).get("/customers/999999/").status_code == 404


@pytest.mark.django_db
def test_customer_360_shows_masked_phone_kpis_tools_and_timeline(store_a, clerk, client_for):
    customer = CustomerFactory(name="钟师傅", phone="+8613812345678", home_store=store_a)
    _order_with_tool(customer, days_ago=30, serial="BSH-NEW-001", total="799.00")
    _order_with_tool(customer, days_ago=800, serial="BSH-OLD-002", total="201.00")
    InteractionFactory(customer=customer, summary="咨询角磨机配件")
    ConsentFactory(customer=customer, channel="wechat", purpose="marketing", is_granted=False)

    body = (
        client_for(clerk)
        .get(reverse("workspace:customer_360", args=[customer.pk]))
        .content.decode()
    )

    assert "138****5678" in body
    assert "13812345678" not in body and "+8613812345678" not in body
    assert "¥1,000.00" in body  # lifetime spend
    assert "¥500.00" in body  # average order value
    assert "BSH-NEW-001" in body and "BSH-OLD-002" in body
    assert "保修中" in body and "已过保" in body
    assert "咨询角磨机配件" in body
    assert "撤回" in body


@pytest.mark.django_db
def test_customer_360_query_count_does_not_grow_with_history(
    store_a, clerk, client_for, django_assert_num_queries
):
    small = CustomerFactory(home_store=store_a)
    _order_with_tool(small, days_ago=10, serial="S-1")
    big = CustomerFactory(home_store=store_a)
    for i in range(12):
        _order_with_tool(big, days_ago=10 + i, serial=f"B-{i}")
        InteractionFactory(customer=big)
        ConsentFactory(customer=big)
    client = client_for(clerk)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(reverse("workspace:customer_360", args=[small.pk])).status_code == 200
    with CaptureQueriesContext(connection) as big_queries:
        assert client.get(reverse("workspace:customer_360", args=[big.pk])).status_code == 200

    assert len(big_queries) == len(small_queries)
    # 15 for the profile (+ the insights score and its overdue categories), then the panels:
    # loyalty 6 (a clerk), recommendations up to 6, rentals 2–3, tags 1.
    assert len(big_queries) <= 28, [q["sql"][:80] for q in big_queries.captured_queries]


def test_warranty_status_counts_whole_months():
    assert warranty_status(
        purchased=date(2025, 1, 31), warranty_months=1, today=date(2025, 2, 27)
    ) == (date(2025, 2, 27), True)
    assert warranty_status(
        purchased=date(2024, 3, 1), warranty_months=12, today=date(2025, 3, 1)
    ) == (date(2025, 2, 28), False)
    assert warranty_status(
        purchased=date(2024, 3, 1), warranty_months=0, today=date(2024, 3, 1)
    ) == (None, False)


@pytest.mark.django_db
def test_favourite_categories_are_ranked_by_spend(store_a):
    customer = CustomerFactory(home_store=store_a)
    drills, bits = CategoryFactory(name="电钻"), CategoryFactory(name="钻头")
    order = OrderFactory(customer=customer, total=Decimal("700.00"))
    OrderLineFactory(
        order=order, product=ProductFactory(category=bits), line_total=Decimal("100.00")
    )
    OrderLineFactory(
        order=order, product=ProductFactory(category=drills), line_total=Decimal("600.00")
    )

    kpis = customer_kpis(customer=customer)

    assert [row["name"] for row in kpis.favourite_categories] == ["电钻", "钻头"]
    assert kpis.order_count == 1


@pytest.mark.django_db
def test_b2b_manager_home_shows_the_day_of_their_accounts(store_a, make_user, client_for):
    b2b = make_user(Role.B2B_MANAGER)
    account = CustomerFactory(name="上海鼎盛装饰工程有限公司", kind="company", account_manager=b2b)
    other = CustomerFactory(name="别人的客户", home_store=store_a)
    OrderFactory(customer=account, ordered_at=timezone.now(), total=Decimal("2000.00"))
    OrderFactory(customer=other, ordered_at=timezone.now(), total=Decimal("50.00"))

    response = client_for(b2b).get(reverse("workspace:home"))

    day = response.context["day"]
    assert day.is_accounts_view is True
    assert (day.order_count, day.sales_total) == (1, Decimal("2000.00"))
    body = response.content.decode()
    assert "我的客户今日" in body
    assert "上海鼎盛装饰工程有限公司" in body
    assert "别人的客户" not in body


@pytest.mark.django_db
def test_clerk_home_is_the_store_view(clerk, client_for):
    response = client_for(clerk).get(reverse("workspace:home"))

    assert response.context["day"].is_accounts_view is False
    assert "今日门店" in response.content.decode()


@pytest.mark.django_db
def test_360_shows_the_newest_ten_tools_and_links_to_all(store_a, clerk, client_for):
    crew = CustomerFactory(name="一号施工队", kind="company", home_store=store_a)
    for i in range(12):
        _order_with_tool(crew, days_ago=10 + i, serial=f"CREW-{i:02d}", warranty=12)
    client = client_for(clerk)

    body = client.get(reverse("workspace:customer_360", args=[crew.pk])).content.decode()

    assert "CREW-00" in body and "CREW-09" in body  # the ten newest
    assert "CREW-10" not in body and "CREW-11" not in body
    assert "显示最近购买的 10 件，共 12 件。" in body
    assert reverse("workspace:customer_tools", args=[crew.pk]) in body


@pytest.mark.django_db
def test_tools_page_lists_every_tool_by_page_with_warranty_count(store_a, clerk, client_for):
    crew = CustomerFactory(name="一号施工队", kind="company", home_store=store_a)
    for i in range(52):
        _order_with_tool(crew, days_ago=10 + i * 10, serial=f"CREW-{i:02d}", warranty=12)
    url = reverse("workspace:customer_tools", args=[crew.pk])
    client = client_for(clerk)

    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    beyond = client.get(url, {"page": "999"})

    assert "CREW-00" in first and "CREW-49" in first and "CREW-50" not in first
    assert "CREW-50" in second and "CREW-51" in second and "CREW-00" not in second
    # bought 10, 20, … 360 days ago with 12 months' warranty: 36 still covered
    assert "共 52 件，其中 36 件在保修期内" in first
    assert "第 1 / 2 页" in first
    assert beyond.status_code == 200 and "CREW-51" in beyond.content.decode()  # last page


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_tools_page_per_role(role, make_user, client_for, store_a):
    customer = CustomerFactory(home_store=store_a)
    _order_with_tool(customer, days_ago=5, serial="ROLE-1")
    user = make_user(role)
    if role == Role.B2B_MANAGER:
        customer.account_manager = user
        customer.save(update_fields=["account_manager"])

    response = client_for(user).get(reverse("workspace:customer_tools", args=[customer.pk]))

    assert response.status_code == 200 and "ROLE-1" in response.content.decode()


@pytest.mark.django_db
def test_tools_page_outside_scope_is_404_and_needs_login(store_b, make_user, client_for, client):
    other = CustomerFactory(home_store=store_b)
    _order_with_tool(other, days_ago=5, serial="HIDDEN-1")
    url = reverse("workspace:customer_tools", args=[other.pk])

    assert client_for(make_user(Role.CLERK)).get(url).status_code == 404
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_tools_page_query_count_does_not_grow_with_tools(store_a, clerk, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few, many = CustomerFactory(home_store=store_a), CustomerFactory(home_store=store_a)
    _order_with_tool(few, days_ago=5, serial="F-1")
    for i in range(30):
        _order_with_tool(many, days_ago=5 + i, serial=f"M-{i}")
    client = client_for(clerk)

    with CaptureQueriesContext(connection) as few_queries:
        client.get(reverse("workspace:customer_tools", args=[few.pk]))
    with CaptureQueriesContext(connection) as many_queries:
        client.get(reverse("workspace:customer_tools", args=[many.pk]))

    assert len(many_queries) == len(few_queries)
