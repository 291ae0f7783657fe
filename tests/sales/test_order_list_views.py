"""The order list page: scoped like every order read (a store A manager never sees store B's
sales), filtered by date range, store, channel, status, customer and amount, masked phones,
bad filters reported beside their field, and a page costs the same queries whatever its size."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory
from toolcrm.core.roles import Role

URL = reverse("sales:order_list")
CHINA = dt.timezone(dt.timedelta(hours=8))


def _at(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2024, 3, day, hour, 0, tzinfo=CHINA)


@pytest.fixture
def orders(store_a, store_b):  # type: ignore[no-untyped-def]
    wang = CustomerFactory(name="王建国", phone="+8613812345678", home_store=store_a)
    li = CustomerFactory(name="李娜", phone="+8613922334455", home_store=store_a)
    hz = CustomerFactory(name="杭州客户", phone="+8613700001111", home_store=store_b)
    return {
        "a1": OrderFactory(
            external_id="A-001", customer=wang, store=store_a, ordered_at=_at(1), total=100
        ),
        "a2": OrderFactory(
            external_id="A-002",
            customer=li,
            store=store_a,
            channel="ecommerce",
            ordered_at=_at(5, 23),
            total=Decimal("880.50"),
        ),
        "a3": OrderFactory(
            external_id="A-003",
            customer=wang,
            store=store_a,
            status="cancelled",
            ordered_at=_at(9),
            total=2500,
        ),
        "b1": OrderFactory(
            external_id="B-001", customer=hz, store=store_b, ordered_at=_at(5), total=300
        ),
    }


def _numbers(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [order.external_id for order in response.context["orders"]]


@pytest.mark.django_db
def test_store_manager_sees_own_store_orders_with_masked_phones(manager, client_for, orders):
    response = client_for(manager).get(URL)

    assert response.status_code == 200
    assert _numbers(response) == ["A-003", "A-002", "A-001"]
    page = response.content.decode()
    assert "B-001" not in page and "杭州客户" not in page
    assert "138****5678" in page and "13812345678" not in page


@pytest.mark.django_db
def test_regional_manager_and_hq_see_every_store(make_user, client_for, orders):
    regional = make_user(Role.REGIONAL_MANAGER)

    response = client_for(regional).get(URL)

    assert _numbers(response) == ["A-003", "A-002", "B-001", "A-001"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"date_from": "2024-03-05", "date_to": "2024-03-05"}, ["A-002", "B-001"]),
        ({"date_to": "2024-03-04"}, ["A-001"]),
        ({"channel": "ecommerce"}, ["A-002"]),
        ({"status": "cancelled"}, ["A-003"]),
        ({"q": "138 1234 5678"}, ["A-003", "A-001"]),
        ({"q": "李"}, ["A-002"]),
        ({"amount_min": "300", "amount_max": "1000"}, ["A-002", "B-001"]),
        ({"store": "STORE_B"}, ["B-001"]),
    ],
)
def test_filters_narrow_the_list(make_user, client_for, orders, store_b, params, expected):
    admin = make_user(Role.ADMIN)
    if params.get("store") == "STORE_B":
        params = {"store": str(store_b.pk)}

    response = client_for(admin).get(URL, params)

    assert _numbers(response) == expected


@pytest.mark.django_db
def test_the_date_range_is_in_local_days(make_user, client_for, orders):
    # A-002 was sold at 23:00 in Shanghai on 5 March, which is 15:00 UTC: still 5 March.
    response = client_for(make_user(Role.ADMIN)).get(URL, {"date_from": "2024-03-05"})

    assert _numbers(response) == ["A-003", "A-002", "B-001"]


@pytest.mark.django_db
def test_a_store_outside_scope_is_not_a_choice(manager, client_for, orders, store_b):
    response = client_for(manager).get(URL, {"store": str(store_b.pk)})

    assert "store" in response.context["form"].errors
    assert "B-001" not in _numbers(response)
    assert _numbers(response) == ["A-003", "A-002", "A-001"]


@pytest.mark.django_db
def test_bad_filters_are_shown_and_filter_nothing(manager, client_for, orders):
    response = client_for(manager).get(
        URL, {"date_from": "2024-03-09", "date_to": "2024-03-01", "amount_min": "abc"}
    )

    form = response.context["form"]
    assert response.status_code == 200
    assert form.errors["date_to"] == ["截止日期不能早于起始日期。"]
    assert "amount_min" in form.errors
    assert _numbers(response) == ["A-003"]  # only the date_from that parsed applies
    assert "截止日期不能早于起始日期。" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CLERK, Role.TECHNICIAN, Role.HQ_MARKETING])
def test_roles_with_view_sales_may_open_it(role, make_user, client_for, orders):
    assert client_for(make_user(role)).get(URL).status_code == 200


@pytest.mark.django_db
def test_export_buttons_only_with_the_export_capability(clerk, manager, client_for, orders):
    clerk_page = client_for(clerk).get(URL).content.decode()
    manager_page = client_for(manager).get(URL, {"channel": "pos"}).content.decode()

    assert 'data-testid="order-export"' not in clerk_page
    assert 'data-testid="order-export"' in manager_page
    assert "/imports/export/orders/?format=csv&amp;channel=pos" in manager_page


@pytest.mark.django_db
def test_needs_login(client, orders):
    response = client.get(URL)

    assert response.status_code == 302


@pytest.mark.django_db
def test_inactive_user_is_refused(make_user, client_for, orders):
    user = make_user(Role.CLERK)
    client = client_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    response = client.get(URL)

    assert response.status_code in (302, 403)


@pytest.mark.django_db
def test_nav_shows_the_order_list(clerk, client_for, orders):
    page = client_for(clerk).get(reverse("customers:list")).content.decode()

    assert f'href="{URL}"' in page


@pytest.mark.django_db
def test_query_count_does_not_grow_with_the_page(
    manager, client_for, store_a, django_assert_max_num_queries
):
    client = client_for(manager)
    customer = CustomerFactory(home_store=store_a)
    for _ in range(3):
        OrderLineFactory(order=OrderFactory(customer=customer, store=store_a))
    client.get(URL)  # warm the session and per-user caches
    with django_assert_max_num_queries(8) as few:
        client.get(URL, {"q": "张"})
    for _ in range(40):
        order = OrderFactory(customer=CustomerFactory(home_store=store_a), store=store_a)
        OrderLineFactory.create_batch(2, order=order)

    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        response = client.get(URL, {"q": "张"})

    assert len(response.context["orders"]) == 43
    assert len(many.captured_queries) == len(few.captured_queries)
    assert {order.line_count for order in response.context["orders"]} == {1, 2}
    assert timezone.is_aware(response.context["orders"][0].ordered_at)
