"""The merge screen, merge history and undo pages: allowed for a store manager in scope, 403
for a clerk, 404 for customers or merges of another store."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, OrderFactory
from toolcrm.core.roles import Role
from toolcrm.customers.models import Customer
from toolcrm.integrations.merge import merge_customers
from toolcrm.integrations.models import MergeRecord
from toolcrm.sales.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(store_a):  # type: ignore[no-untyped-def]
    survivor = CustomerFactory(name="李四", phone="13800003333", home_store=store_a)
    other = CustomerFactory(name="李四", phone="13900004444", home_store=store_a)
    return survivor, other


def test_merge_screen_shows_both_records_masked_with_counts(client_for, manager, pair):
    survivor, other = pair
    OrderFactory(customer=other)

    response = client_for(manager).get(reverse("identity:merge", args=[survivor.pk, other.pk]))

    assert response.status_code == 200
    body = response.content.decode()
    assert "138****3333" in body and "139****4444" in body
    assert "13900004444" not in body
    assert 'data-testid="merge-diff-phone"' in body
    assert 'data-testid="merge-diff-name"' not in body
    assert response.context["comparison"].moves[0][1] == 1


def test_merge_post_merges_and_redirects_to_the_survivor(client_for, manager, pair):
    survivor, other = pair
    order = OrderFactory(customer=other)

    response = client_for(manager).post(
        reverse("identity:merge", args=[survivor.pk, other.pk]), {"field_phone": "other"}
    )

    assert response.status_code == 302
    assert response.url == survivor.get_absolute_url()
    assert Order.objects.get(pk=order.pk).customer_id == survivor.pk
    assert Customer.objects.get(pk=survivor.pk).phone == "13900004444"
    assert MergeRecord.objects.get().field_choices == {"phone": "other"}


def test_refused_merge_shows_the_reason_and_writes_nothing(client_for, manager, store_a):
    survivor = CustomerFactory(kind="company", credit_code="91310000MA1FL0001A", home_store=store_a)
    other = CustomerFactory(kind="company", credit_code="91310000MA1FL0002B", home_store=store_a)

    client = client_for(manager)
    page = client.get(reverse("identity:merge", args=[survivor.pk, other.pk]))
    response = client.post(reverse("identity:merge", args=[survivor.pk, other.pk]), {})

    assert 'data-testid="merge-confirm"' not in page.content.decode()
    assert response.status_code == 200
    assert "信用代码不同" in response.content.decode()
    assert MergeRecord.objects.count() == 0
    assert Customer.objects.get(pk=other.pk).is_active is True


@pytest.mark.parametrize("method", ["get", "post"])
def test_clerk_gets_403_on_the_merge_screen(client_for, make_user, pair, method):
    survivor, other = pair
    clerk = make_user(Role.CLERK, username="clerk_v")

    response = getattr(client_for(clerk), method)(
        reverse("identity:merge", args=[survivor.pk, other.pk])
    )

    assert response.status_code == 403
    assert MergeRecord.objects.count() == 0


def test_customer_of_another_store_is_404(client_for, manager, store_a, store_south):
    survivor = CustomerFactory(home_store=store_a)
    other = CustomerFactory(home_store=store_south)

    client = client_for(manager)
    get = client.get(reverse("identity:merge", args=[survivor.pk, other.pk]))
    post = client.post(reverse("identity:merge", args=[survivor.pk, other.pk]), {})

    assert (get.status_code, post.status_code) == (404, 404)
    assert Customer.objects.get(pk=other.pk).is_active is True


def test_history_lists_merges_in_scope_only(client_for, manager, make_user, pair, store_south):
    survivor, other = pair
    mine = merge_customers(user=manager, survivor=survivor, other=other, field_choices={})
    south_manager = make_user(Role.STORE_MANAGER, username="manager_s", store=store_south)
    theirs = merge_customers(
        user=south_manager,
        survivor=CustomerFactory(home_store=store_south),
        other=CustomerFactory(home_store=store_south),
        field_choices={},
    )

    response = client_for(manager).get(reverse("identity:merge_history"))

    assert response.status_code == 200
    assert [record.pk for record in response.context["records"]] == [mine.pk]
    assert theirs.pk != mine.pk


def test_history_names_the_fields_taken_from_the_merged_customer(client_for, manager, pair):
    survivor, other = pair
    record = merge_customers(
        user=manager, survivor=survivor, other=other, field_choices={"phone": "other"}
    )
    plain = merge_customers(
        user=manager,
        survivor=CustomerFactory(home_store=survivor.home_store),
        other=CustomerFactory(home_store=survivor.home_store),
        field_choices={},
    )

    response = client_for(manager).get(reverse("identity:merge_history"))

    rows = dict(response.context["rows"])
    assert rows[record] == ["手机号"]
    assert rows[plain] == []
    assert "全部保留原值" in response.content.decode()


def test_history_is_403_for_a_clerk(client_for, make_user):
    clerk = make_user(Role.CLERK, username="clerk_h")

    assert client_for(clerk).get(reverse("identity:merge_history")).status_code == 403


def test_undo_view_restores_and_redirects(client_for, manager, pair):
    survivor, other = pair
    record = merge_customers(user=manager, survivor=survivor, other=other, field_choices={})

    response = client_for(manager).post(reverse("identity:merge_undo", args=[record.pk]))

    assert response.status_code == 302
    assert response.url == reverse("identity:merge_history")
    assert Customer.objects.get(pk=other.pk).is_active is True
    record.refresh_from_db()
    assert record.undone_at is not None


def test_undo_view_denied_for_clerk_and_other_store(
    client_for, make_user, manager, pair, store_south
):
    survivor, other = pair
    record = merge_customers(user=manager, survivor=survivor, other=other, field_choices={})
    clerk = make_user(Role.CLERK, username="clerk_u")
    south_manager = make_user(Role.STORE_MANAGER, username="manager_u", store=store_south)
    url = reverse("identity:merge_undo", args=[record.pk])

    assert client_for(clerk).post(url).status_code == 403
    assert client_for(south_manager).post(url).status_code == 404
    assert client_for(manager).get(url).status_code == 405
    record.refresh_from_db()
    assert record.undone_at is None


def test_history_query_count_does_not_grow_with_rows(
    client_for, manager, store_a, django_assert_max_num_queries
):
    for _ in range(5):
        merge_customers(
            user=manager,
            survivor=CustomerFactory(home_store=store_a),
            other=CustomerFactory(home_store=store_a),
            field_choices={},
        )
    client = client_for(manager)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("identity:merge_history"))

    assert len(response.context["records"]) == 5
