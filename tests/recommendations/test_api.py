"""``GET /api/customers/{id}/recommendations``: same auth, scope and error format as the other
routers; reasons in words (Accept-Language) and as code + params; stock hints."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import CustomerFactory
from toolcrm.accounts.services import issue_api_token
from toolcrm.core.roles import Role
from toolcrm.stores.models import StockLevel


def _api(user, **headers):  # type: ignore[no-untyped-def]
    _token, plaintext = issue_api_token(user=user, name=f"test {user.username}")
    return Client(headers={"Authorization": f"Bearer {plaintext}", **headers})


@pytest.fixture
def owner(world, buy, store_a):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(name="王建国", home_store=store_a)
    buy(customer, [world.drill], days_ago=200)
    return customer


def _url(customer_id: int) -> str:
    return f"/api/customers/{customer_id}/recommendations"


@pytest.mark.django_db
def test_list_with_reasons_prices_and_stock(world, clerk, owner, store_b):
    StockLevel.objects.filter(product=world.brushes).update(quantity=0)
    StockLevel.objects.create(store=store_b, product=world.brushes, quantity=3)

    response = _api(clerk).get(_url(owner.pk))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    bits, brushes = body["items"]
    assert bits["product"] == {
        "id": world.bits.pk,
        "sku": world.bits.sku,
        "brand": "东成",
        "name": "麻花钻头套装",
        "spec": "",
        "category": "钻头套装",
        "price": "69.00",
    }
    assert bits["source"] == "accessory"
    assert bits["reasons"][0]["code"] == "accessory"
    assert bits["reasons"][0]["params"]["tool"] == "东成 DCJZ23 电钻"
    assert bits["reasons"][0]["text"].startswith("您的 东成 DCJZ23 电钻（")
    assert (bits["stock_here"], bits["in_stock"], bits["stock_elsewhere"]) == (10, True, [])
    assert (brushes["in_stock"], brushes["stock_elsewhere"]) == (
        False,
        [{"store": "杭州西湖店", "quantity": 3}],
    )
    assert "phone" not in response.content.decode()


@pytest.mark.django_db
def test_english_names_with_accept_language(world, clerk, owner):
    response = _api(clerk, **{"Accept-Language": "en"}).get(_url(owner.pk))

    assert response.json()["items"][0]["reasons"][0]["params"]["tool"] == ("Dongcheng DCJZ23 电钻")


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_every_role_that_sees_the_customer_gets_the_list(role, make_user, owner):
    user = make_user(role)
    if role == Role.B2B_MANAGER:
        owner.account_manager = user
        owner.save(update_fields=["account_manager"])

    assert _api(user).get(_url(owner.pk)).status_code == 200


@pytest.mark.django_db
def test_out_of_scope_is_404_like_missing(world, buy, clerk, make_user, owner, store_b):
    stranger = CustomerFactory(home_store=store_b)
    buy(stranger, [world.drill], days_ago=200)
    client = _api(clerk)

    hidden = client.get(_url(stranger.pk))
    missing = client.get(_url(999999))

    assert hidden.status_code == 404
    assert (hidden.status_code, hidden.content) == (missing.status_code, missing.content)
    assert hidden.json()["code"] == "not_found"
    assert _api(make_user(Role.B2B_MANAGER)).get(_url(owner.pk)).status_code == 404


@pytest.mark.django_db
def test_anonymous_inactive_and_capability_less_users_are_refused(make_user, clerk, owner):
    anonymous = Client().get(_url(owner.pk))
    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "unauthorized")

    without_role = make_user("")  # a staff account with no role has no capability
    denied = _api(without_role).get(_url(owner.pk))
    assert (denied.status_code, denied.json()["code"]) == (403, "permission_denied")

    client = _api(clerk)
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])
    refused = client.get(_url(owner.pk))
    assert (refused.status_code, refused.json()["code"]) == (401, "unauthorized")


@pytest.mark.django_db
def test_limit_is_validated(clerk, owner):
    client = _api(clerk)

    assert client.get(_url(owner.pk), {"limit": 1}).json()["count"] == 1
    bad = client.get(_url(owner.pk), {"limit": 500})
    assert bad.status_code == 422
    assert bad.json()["detail"][0]["field"] == "limit"
