"""/api/orders/ and /api/customers/{id}/orders: record an order (idempotent on channel + external
id), read one, list a customer's — per role, 404 outside the scope, JSON errors that write
nothing, and a query count that does not grow with the page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.api.conftest import ALL_ROLES
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
    SerialNumberFactory,
)
from toolcrm.core.roles import Role
from toolcrm.sales.models import Order, OrderLine, Payment, SerialNumber

CAN_CREATE = {Role.CLERK, Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.B2B_MANAGER, Role.ADMIN}


@pytest.fixture
def drill(db):  # type: ignore[no-untyped-def]
    return ProductFactory(
        sku="BSH-GSB18V50", name="GSB 18V-50 冲击钻", price=Decimal("899.00"), is_power_tool=True
    )


@pytest.fixture
def bits(db):  # type: ignore[no-untyped-def]
    return ProductFactory(
        sku="BSH-BITS10", name="钻头套装", price=Decimal("39.90"), is_power_tool=False
    )


def _body(**overrides):
    body = {
        "channel": "pos",
        "external_id": "POS-SH01-0001",
        "store": "SH01",
        "lines": [
            {"sku": "BSH-GSB18V50", "quantity": 1, "discount": "50.00", "serials": ["SN-1"]},
            {"sku": "BSH-BITS10", "quantity": 2},
        ],
        "payments": [{"method": "wechat_pay", "amount": "928.80"}],
    }
    body.update(overrides)
    return body


def _counts():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        SerialNumber.objects.count(),
        Payment.objects.count(),
    )


# --- create ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_returns_201_with_the_computed_order(clerk, api_for, customer, drill, bits):
    response = api_for(clerk).post(
        "/api/orders/",
        _body(customer_id=customer.pk, ordered_at="2026-11-25T14:30:00+08:00", note="会员日"),
    )

    body = response.json()
    order = Order.objects.get()
    assert response.status_code == 201
    assert body["created"] is True
    assert body["id"] == order.pk
    assert (body["subtotal"], body["discount_total"], body["total"]) == (
        "978.80",
        "50.00",
        "928.80",
    )
    assert body["store"] == {"id": customer.home_store_id, "code": "SH01", "name": "上海浦东店"}
    assert body["customer_id"] == customer.pk
    assert body["ordered_at"] == "2026-11-25T14:30:00+08:00"
    assert body["status"] == "completed"
    assert [
        (x["sku"], x["product_name"], x["quantity"], x["unit_price"], x["line_total"], x["serials"])
        for x in body["lines"]
    ] == [
        ("BSH-GSB18V50", "GSB 18V-50 冲击钻", 1, "899.00", "849.00", ["SN-1"]),
        ("BSH-BITS10", "钻头套装", 2, "39.90", "79.80", []),
    ]
    assert body["payments"][0]["method"] == "wechat_pay"
    assert body["payments"][0]["amount"] == "928.80"
    assert order.staff == clerk
    assert _counts() == (1, 2, 1, 1)
    assert "13812345678" not in response.content.decode()


@pytest.mark.django_db
def test_store_by_id_and_walk_in_without_payments(clerk, api_for, store_a, bits):
    response = api_for(clerk).post(
        "/api/orders/",
        _body(store=store_a.pk, lines=[{"sku": "BSH-BITS10", "quantity": 1}], payments=[]),
    )

    assert response.status_code == 201
    assert response.json()["customer_id"] is None
    assert response.json()["total"] == "39.90"


@pytest.mark.django_db
def test_replay_returns_the_same_order_with_200_and_writes_nothing(clerk, api_for, drill, bits):
    client = api_for(clerk)
    first = client.post("/api/orders/", _body())
    before = _counts()

    again = client.post("/api/orders/", _body())

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["created"] is False
    assert _counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"lines": [{"sku": "BSH-BITS10", "quantity": 2}]},
        {"lines": [{"sku": "BSH-BITS10", "quantity": 3}], "payments": []},
        {"customer_id": "customer"},
    ],
)
def test_conflicting_replay_is_409_naming_the_external_id(
    change, clerk, api_for, customer, drill, bits
):
    client = api_for(clerk)
    client.post("/api/orders/", _body())
    before = _counts()
    if change.get("customer_id") == "customer":
        change = {"customer_id": customer.pk}

    response = client.post("/api/orders/", _body(**{"payments": [], **change}))

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "POS-SH01-0001" in response.json()["detail"]
    assert _counts() == before


@pytest.mark.django_db
def test_external_id_of_another_stores_order_is_409_without_its_content(
    make_user, clerk, api_for, store_b, bits
):
    other = make_user(Role.CLERK, store=store_b)
    lines = [{"sku": "BSH-BITS10", "quantity": 1}]
    api_for(other).post("/api/orders/", _body(store="HZ01", lines=lines, payments=[], note="秘密"))

    response = api_for(clerk).post("/api/orders/", _body(lines=lines, payments=[]))

    assert response.status_code == 409
    assert "秘密" not in response.content.decode()
    assert "HZ01" not in response.content.decode()
    assert Order.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_create_per_role(role, user_for_role, api_for, customer, drill, bits):
    # The B2B manager books for their account; everyone else at store A (in their scope).
    response = api_for(user_for_role(role)).post("/api/orders/", _body(customer_id=customer.pk))

    if role in CAN_CREATE:
        assert response.status_code == 201
        assert _counts() == (1, 2, 1, 1)
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert _counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_b2b_manager_cannot_book_walk_in_sales(make_user, api_for, drill, bits):
    response = api_for(make_user(Role.B2B_MANAGER)).post("/api/orders/", _body())

    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "store"
    assert _counts() == (0, 0, 0, 0)


def _line(**overrides):
    line = {"sku": "BSH-BITS10", "quantity": 1}
    line.update(overrides)
    return line


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "status", "field"),
    [
        # business rules: 400 "invalid"
        ({"lines": [_line(), _line(sku="NOPE")]}, 400, "lines.1.sku"),
        ({"store": "HZ01"}, 400, "store"),
        ({"store": "NOPE"}, 400, "store"),
        ({"store": 999999}, 400, "store"),
        ({"customer_id": 999999}, 400, "customer_id"),
        ({"customer_id": "hidden"}, 400, "customer_id"),
        ({"ordered_at": "future"}, 400, "ordered_at"),
        (
            {"lines": [_line(quantity=2, unit_price="10.00", discount="20.01")]},
            400,
            "lines.0.discount",
        ),
        ({"lines": [_line(sku="BSH-GSB18V50", quantity=2, serials=["A"])]}, 400, "lines.0.serials"),
        ({"lines": [_line(serials=["A"])]}, 400, "lines.0.serials"),
        (
            {
                "lines": [
                    _line(sku="BSH-GSB18V50", serials=["A"]),
                    _line(sku="BSH-GSB18V50", serials=["A"]),
                ]
            },
            400,
            "lines.1.serials",
        ),
        ({"lines": [_line(sku="BSH-GSB18V50", serials=["SOLD-1"])]}, 400, "lines.0.serials"),
        ({"lines": [_line()], "payments": [{"method": "cash", "amount": "1.00"}]}, 400, "payments"),
        # schema: 422 "validation_error"
        ({"lines": [_line(quantity=0)]}, 422, "lines.0.quantity"),
        ({"lines": [_line(quantity="two")]}, 422, "lines.0.quantity"),
        ({"lines": [_line(unit_price="-1.00")]}, 422, "lines.0.unit_price"),
        ({"lines": [_line(unit_price="1.005")]}, 422, "lines.0.unit_price"),
        ({"lines": [_line(discount="-1")]}, 422, "lines.0.discount"),
        ({"lines": [_line(sku="")]}, 422, "lines.0.sku"),
        ({"lines": []}, 422, "lines"),
        ({"channel": "fax"}, 422, "channel"),
        ({"external_id": ""}, 422, "external_id"),
        ({"store": None}, 422, "store"),
        ({"payments": [{"method": "cash", "amount": "0"}]}, 422, "payments.0.amount"),
        ({"payments": [{"method": "gold", "amount": "1"}]}, 422, "payments.0.method"),
        ({"ordered_at": "yesterday"}, 422, "ordered_at"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    overrides, status, field, clerk, api_for, store_b, drill, bits
):
    SerialNumberFactory(product=drill, line__product=drill, serial="SOLD-1")
    before = _counts()
    if overrides.get("customer_id") == "hidden":
        overrides = {"customer_id": CustomerFactory(home_store=store_b).pk}
    if overrides.get("ordered_at") == "future":
        overrides = {"ordered_at": (timezone.now() + timedelta(hours=2)).isoformat()}

    response = api_for(clerk).post("/api/orders/", _body(**{"payments": [], **overrides}))

    body = response.json()
    assert response.status_code == status
    assert body["code"] == ("invalid" if status == 400 else "validation_error")
    assert field in [error["field"] for error in body["detail"]]
    assert all(error["message"] for error in body["detail"])
    assert _counts() == before


@pytest.mark.django_db
def test_hidden_and_missing_customers_get_the_same_answer(clerk, api_for, store_b, bits):
    hidden = CustomerFactory(home_store=store_b)
    client = api_for(clerk)
    lines = [_line()]

    answers = [
        client.post("/api/orders/", _body(customer_id=customer_id, lines=lines, payments=[])).json()
        for customer_id in (hidden.pk, 999999)
    ]

    assert answers[0] == answers[1]
    assert Order.objects.count() == 0


@pytest.mark.django_db
def test_body_that_is_not_json_is_400(clerk, api_for):
    response = api_for(clerk).client.post("/api/orders/", "{", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "body"
    assert Order.objects.count() == 0


# --- read one -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_get_order_per_role(role, user_for_role, api_for, customer):
    order = OrderFactory(customer=customer, store=customer.home_store)
    OrderLineFactory(order=order)

    response = api_for(user_for_role(role)).get(f"/api/orders/{order.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == order.pk
    assert len(response.json()["lines"]) == 1


@pytest.mark.django_db
def test_clerk_of_store_a_gets_404_for_store_b_order(clerk, api_for, store_b):
    order = OrderFactory(customer=CustomerFactory(home_store=store_b), store=store_b)
    walk_in = OrderFactory(customer=None, store=store_b)
    client = api_for(clerk)

    for order_id in (order.pk, walk_in.pk):
        response = client.get(f"/api/orders/{order_id}")
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。", "code": "not_found"}


@pytest.mark.django_db
def test_b2b_manager_sees_only_their_accounts_orders(make_user, api_for, customer):
    order = OrderFactory(customer=customer, store=customer.home_store)

    response = api_for(make_user(Role.B2B_MANAGER)).get(f"/api/orders/{order.pk}")

    assert response.status_code == 404


# --- a customer's orders --------------------------------------------------------------------


def _history(customer, count, lines_each=3):
    products = ProductFactory.create_batch(lines_each)
    now = timezone.now()
    orders = []
    for index in range(count):
        order = OrderFactory(
            customer=customer, store=customer.home_store, ordered_at=now - timedelta(days=index)
        )
        for product in products:
            line = OrderLineFactory(order=order, product=product)
            SerialNumberFactory(line=line, product=product)
        orders.append(order)
    return orders


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_customer_orders_per_role(role, user_for_role, api_for, customer):
    user = user_for_role(role)
    orders = _history(customer, 2, lines_each=1)

    response = api_for(user).get(f"/api/customers/{customer.pk}/orders")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [o.pk for o in orders]


@pytest.mark.django_db
def test_customer_orders_newest_first_and_paginated(clerk, api_for, customer):
    orders = _history(customer, 5, lines_each=1)
    client = api_for(clerk)

    page = client.get(f"/api/customers/{customer.pk}/orders", {"limit": 2, "offset": 2}).json()

    assert page["count"] == 5
    assert [item["id"] for item in page["items"]] == [orders[2].pk, orders[3].pk]


@pytest.mark.django_db
def test_customer_orders_of_another_stores_customer_is_404(clerk, api_for, store_b):
    other = CustomerFactory(home_store=store_b)
    OrderFactory(customer=other, store=store_b)

    response = api_for(clerk).get(f"/api/customers/{other.pk}/orders")

    assert response.status_code == 404


@pytest.mark.django_db
def test_customer_orders_query_count_is_constant(
    clerk, api_for, customer, django_assert_max_num_queries
):
    client = api_for(clerk)
    client.get(f"/api/customers/{customer.pk}/orders")  # first token use writes last_used_at
    _history(customer, 5, lines_each=3)
    path = f"/api/customers/{customer.pk}/orders"

    # token, customer, count, orders (store joined), lines (product joined), serials, payments
    with django_assert_max_num_queries(7) as five:
        response = client.get(path)
    assert len(response.json()["items"]) == 5
    assert all(len(item["lines"]) == 3 for item in response.json()["items"])
    _history(customer, 10, lines_each=3)
    with django_assert_max_num_queries(7) as fifteen:
        response = client.get(path)

    assert len(response.json()["items"]) == 15
    assert len(fifteen.captured_queries) == len(five.captured_queries)
