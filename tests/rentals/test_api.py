"""``/api/rentals/``: list outstanding loans, read one, lend, return — with the capability,
the store scope and the API's JSON error format."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.api.conftest import ApiClient
from tests.factories import CustomerFactory
from tests.rentals.conftest import backdate
from toolcrm.accounts.services import issue_api_token
from toolcrm.core.roles import Role
from toolcrm.rentals import services
from toolcrm.rentals.choices import AgreementStatus
from toolcrm.rentals.models import RentalAgreement, RentalUnit

pytestmark = pytest.mark.django_db


def api(user) -> ApiClient:  # type: ignore[no-untyped-def]
    _token, plaintext = issue_api_token(user=user, name=f"test {user.username}")
    return ApiClient(plaintext)


@pytest.fixture
def south_loan(make_user, store_south, customer_south, unit_south, today):  # type: ignore[no-untyped-def]
    return services.lend(
        user=make_user(Role.CLERK, store=store_south),
        customer_id=customer_south.pk,
        unit_id=unit_south.pk,
        due_on=today + timedelta(days=2),
        deposit_amount=Decimal("500.00"),
        deposit_method="cash",
    )


def lend_body(customer, unit, today, **overrides):  # type: ignore[no-untyped-def]
    body = {
        "customer_id": customer.pk,
        "unit_id": unit.pk,
        "due_on": (today + timedelta(days=2)).isoformat(),
        "deposit_amount": "450.00",
        "deposit_method": "alipay",
    }
    body.update(overrides)
    return body


def test_lend_and_return_through_the_api(clerk, customer, unit_a, today):
    client = api(clerk)
    created = client.post("/api/rentals/", lend_body(customer, unit_a, today))
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["status"] == "open"
    assert data["unit"]["asset_tag"] == "SH01-R-001"
    assert data["daily_rate"] == "45.00"
    assert data["store"]["code"] == "SH01"

    returned = client.post(
        f"/api/rentals/{data['id']}/return", {"condition": "worn", "damage_charge": "20.00"}
    )
    assert returned.status_code == 200, returned.content
    body = returned.json()
    assert body["status"] == "returned"
    assert (body["rental_charge"], body["damage_charge"], body["deposit_refund"]) == (
        "45.00",
        "20.00",
        "385.00",
    )


def test_business_errors_are_400_with_fields_and_write_nothing(clerk, customer, unit_a, today):
    response = api(clerk).post(
        "/api/rentals/",
        lend_body(customer, unit_a, today, deposit_amount="10.00", due_on=today.isoformat()),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {item["field"] for item in body["detail"]} == {"deposit_amount", "due_on"}
    assert RentalAgreement.objects.count() == 0


def test_schema_errors_are_422(clerk, customer, unit_a, today):
    response = api(clerk).post(
        "/api/rentals/", lend_body(customer, unit_a, today, deposit_method="iou")
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "deposit_method"


def test_a_second_lend_of_the_same_unit_is_refused(clerk, customer, unit_a, today, store_a):
    client = api(clerk)
    assert client.post("/api/rentals/", lend_body(customer, unit_a, today)).status_code == 201
    other = CustomerFactory(home_store=store_a)
    second = client.post("/api/rentals/", lend_body(other, unit_a, today))
    assert second.status_code == 400
    assert second.json()["detail"][0]["field"] == "unit_id"


def test_list_shows_outstanding_loans_of_the_scope(lend_now, clerk, south_loan):
    mine = lend_now()
    client = api(clerk)
    body = client.get("/api/rentals/").json()
    assert body["count"] == 1
    assert body["items"][0]["id"] == mine.pk
    assert client.get("/api/rentals/", {"overdue": "true"}).json()["count"] == 0
    backdate(mine, days=4)
    overdue = client.get("/api/rentals/", {"overdue": "true"}).json()
    assert overdue["items"][0]["days_overdue"] == 1


def test_out_of_scope_loans_are_404(clerk, south_loan):
    client = api(clerk)
    assert client.get(f"/api/rentals/{south_loan.pk}").status_code == 404
    response = client.post(f"/api/rentals/{south_loan.pk}/return", {"condition": "good"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    south_loan.refresh_from_db()
    assert south_loan.status == AgreementStatus.OPEN


def test_out_of_scope_unit_or_customer_is_400(
    clerk, customer, customer_south, unit_a, unit_south, today
):
    client = api(clerk)
    response = client.post("/api/rentals/", lend_body(customer, unit_south, today))
    assert [item["field"] for item in response.json()["detail"]] == ["unit_id"]
    response = client.post("/api/rentals/", lend_body(customer_south, unit_a, today))
    assert [item["field"] for item in response.json()["detail"]] == ["customer_id"]


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.HQ_MARKETING])
def test_roles_without_the_capability_get_403(make_user, lend_now, customer, unit_a, today, role):
    agreement = lend_now()
    client = api(make_user(role))
    assert client.get("/api/rentals/").status_code == 403
    assert client.get(f"/api/rentals/{agreement.pk}").status_code == 403
    assert client.post("/api/rentals/", lend_body(customer, unit_a, today)).status_code == 403
    response = client.post(f"/api/rentals/{agreement.pk}/return", {"condition": "good"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OPEN


def test_anonymous_is_401(db):  # type: ignore[no-untyped-def]
    assert ApiClient().get("/api/rentals/").status_code == 401


def test_list_query_count_is_fixed(clerk, store_a, hammer, today, django_assert_max_num_queries):
    for index in range(15):
        unit = RentalUnit.objects.create(product=hammer, asset_tag=f"A{index}", home_store=store_a)
        services.lend(
            user=clerk,
            customer_id=CustomerFactory(home_store=store_a).pk,
            unit_id=unit.pk,
            due_on=today + timedelta(days=1),
            deposit_amount=Decimal("450.00"),
            deposit_method="cash",
        )
    client = api(clerk)
    with django_assert_max_num_queries(6):
        body = client.get("/api/rentals/").json()
    assert body["count"] == 15
