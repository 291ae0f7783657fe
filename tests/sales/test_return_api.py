"""POST /api/orders/{order_id}/returns: the same rules, scope and error format as the rest of
the orders API (bearer token; 404 out of scope, 403 without the capability, 400 business rule,
422 schema)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.api.conftest import ApiClient
from tests.sales.conftest import lines_of
from toolcrm.accounts.services import issue_api_token
from toolcrm.core.roles import Role
from toolcrm.sales.models import Return, SerialNumber


def _api(user) -> ApiClient:  # type: ignore[no-untyped-def]
    _token, plaintext = issue_api_token(user=user, name=f"test {user.username}")
    return ApiClient(plaintext)


def _url(order) -> str:  # type: ignore[no-untyped-def]
    return f"/api/orders/{order.pk}/returns"


@pytest.mark.django_db
def test_a_return_is_recorded_and_described(clerk, returnable_order):
    drill, bits = lines_of(returnable_order)

    response = _api(clerk).post(
        _url(returnable_order),
        {
            "lines": [{"line_id": drill, "quantity": 1}, {"line_id": bits, "quantity": 1}],
            "reason": "质量问题",
            "serials": ["SN-A"],
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["order_id"] == returnable_order.pk
    assert body["order_status"] == "partially_returned"
    assert Decimal(body["refund_amount"]) == Decimal("586.50")
    assert [(x["line_id"], x["quantity"], Decimal(x["amount"])) for x in body["lines"]] == [
        (drill, 1, Decimal("574.00")),
        (bits, 1, Decimal("12.50")),
    ]
    assert SerialNumber.objects.get(serial="SN-A").is_returned


@pytest.mark.django_db
def test_over_return_and_refund_limit_are_400_with_the_field(clerk, returnable_order):
    drill, _bits = lines_of(returnable_order)
    api = _api(clerk)

    over = api.post(
        _url(returnable_order),
        {"lines": [{"line_id": drill, "quantity": 3}], "reason": "x", "serials": ["SN-A"]},
    )
    refund = api.post(
        _url(returnable_order),
        {
            "lines": [{"line_id": drill, "quantity": 1}],
            "reason": "x",
            "serials": ["SN-A"],
            "refund_amount": "2000.00",
        },
    )
    schema = api.post(_url(returnable_order), {"lines": [{"line_id": drill, "quantity": 0}]})

    assert over.status_code == 400
    assert over.json()["code"] == "invalid"
    assert [e["field"] for e in over.json()["detail"]] == ["lines.0.quantity"]
    assert refund.status_code == 400
    assert [e["field"] for e in refund.json()["detail"]] == ["refund_amount"]
    assert schema.status_code == 422
    assert {e["field"] for e in schema.json()["detail"]} >= {"lines.0.quantity", "reason"}
    assert Return.objects.count() == 0


@pytest.mark.django_db
def test_out_of_scope_is_404_and_a_technician_403(make_user, store_b, returnable_order):
    drill, _bits = lines_of(returnable_order)
    body = {"lines": [{"line_id": drill, "quantity": 1}], "reason": "x", "serials": ["SN-A"]}

    outsider = _api(make_user(Role.CLERK, username="clerk_b", store=store_b))
    technician = _api(make_user(Role.TECHNICIAN, username="tech_a"))

    assert outsider.post(_url(returnable_order), body).json()["code"] == "not_found"
    assert outsider.post(_url(returnable_order), body).status_code == 404
    assert technician.post(_url(returnable_order), body).status_code == 403
    assert ApiClient().post(_url(returnable_order), body).status_code == 401
    assert Return.objects.count() == 0
