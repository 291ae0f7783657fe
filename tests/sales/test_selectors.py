"""sales.selectors: which orders each role sees (store scope, or a customer visible to them)."""

from __future__ import annotations

import pytest
from django.http import Http404

from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory
from toolcrm.core.roles import Role
from toolcrm.sales.selectors import customer_orders, get_order_for, orders_visible_to


@pytest.fixture
def orders(store_a, store_b, store_south):  # type: ignore[no-untyped-def]
    customer_a = CustomerFactory(name="A店客户", home_store=store_a)
    customer_south = CustomerFactory(name="华南客户", home_store=store_south)
    return {
        "a": OrderFactory(customer=customer_a, store=store_a),
        "a_customer_in_b": OrderFactory(customer=customer_a, store=store_b),
        "b_walk_in": OrderFactory(customer=None, store=store_b),
        "south": OrderFactory(customer=customer_south, store=store_south),
        "south_at_a": OrderFactory(customer=customer_south, store=store_a),
    }


EXPECTED = {
    # own store's orders, plus the own store's customers' orders elsewhere
    Role.CLERK: {"a", "a_customer_in_b", "south_at_a"},
    Role.STORE_MANAGER: {"a", "a_customer_in_b", "south_at_a"},
    Role.TECHNICIAN: {"a", "a_customer_in_b", "south_at_a"},
    Role.REGIONAL_MANAGER: {"a", "a_customer_in_b", "b_walk_in", "south_at_a"},
    Role.HQ_MARKETING: {"a", "a_customer_in_b", "b_walk_in", "south", "south_at_a"},
    Role.ADMIN: {"a", "a_customer_in_b", "b_walk_in", "south", "south_at_a"},
    Role.B2B_MANAGER: {"south", "south_at_a"},  # their account's orders, wherever sold
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_orders_visible_per_role(role, make_user, orders):
    user = make_user(role)
    if role == Role.B2B_MANAGER:
        orders["south"].customer.account_manager = user
        orders["south"].customer.save(update_fields=["account_manager"])
    names = {order.pk: name for name, order in orders.items()}

    visible = {names[pk] for pk in orders_visible_to(user).values_list("pk", flat=True)}

    assert visible == EXPECTED[role]


@pytest.mark.django_db
def test_inactive_user_sees_no_orders(clerk, orders):
    clerk.is_active = False

    assert not orders_visible_to(clerk).exists()


@pytest.mark.django_db
def test_get_order_for_raises_404_outside_the_scope(clerk, orders):
    assert get_order_for(user=clerk, order_id=orders["a"].pk) == orders["a"]
    for order_id in (orders["b_walk_in"].pk, orders["south"].pk, 999999):
        with pytest.raises(Http404):
            get_order_for(user=clerk, order_id=order_id)


@pytest.mark.django_db
def test_customer_orders_newest_first_with_details(clerk, orders, django_assert_num_queries):
    customer = orders["a"].customer
    OrderLineFactory(order=orders["a"])

    # customer, orders, lines (product joined), serials, payments
    with django_assert_num_queries(5):
        result = list(customer_orders(user=clerk, customer_id=customer.pk))
        [line.product.sku for order in result for line in order.lines.all()]

    assert result == sorted(result, key=lambda order: order.ordered_at, reverse=True)
    assert {order.pk for order in result} == {orders["a"].pk, orders["a_customer_in_b"].pk}


@pytest.mark.django_db
def test_customer_orders_of_a_hidden_customer_is_404(clerk, orders):
    with pytest.raises(Http404):
        customer_orders(user=clerk, customer_id=orders["south"].customer_id)
