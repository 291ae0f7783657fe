"""``/api/loyalty/``: member summary, ledger, coupons, issue, check, redeem and spend points;
allowed, denied (403) and out of scope (404) for each, the error format, and query counts."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from toolcrm.accounts.services import issue_api_token
from toolcrm.core.roles import Role
from toolcrm.loyalty.models import Coupon
from toolcrm.loyalty.services import coupons

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, user) -> None:  # type: ignore[no-untyped-def]
        _token, plaintext = issue_api_token(user=user, name=f"test {user.username}")
        self.client = Client(headers={"Authorization": f"Bearer {plaintext}"})

    def get(self, path: str):  # type: ignore[no-untyped-def]
        return self.client.get(path)

    def post(self, path: str, body: dict):  # type: ignore[no-untyped-def,type-arg]
        return self.client.post(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def coupon(member, amount_template):  # type: ignore[no-untyped-def]
    return coupons.issue_coupons(template=amount_template, customers=[member]).issued[0]


def test_member_summary(clerk, member, place_order, coupon, outsider, make_user):
    place_order(member, "6000")
    response = Api(clerk).get(f"/api/loyalty/customers/{member.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["tier"] == "silver" and body["next_tier"] == "gold"
    assert body["points_balance"] == 7200 and body["points_value"] == "72.00"
    assert body["to_next_tier"] == "14000.00"
    assert [c["code"] for c in body["usable_coupons"]] == [coupon.display_code]
    assert body["benefit"]["points_multiplier"] == "1.20"
    assert Api(clerk).get(f"/api/loyalty/customers/{outsider.pk}").status_code == 404
    hq = make_user(Role.HQ_MARKETING, username="hq_api")
    assert Api(hq).get(f"/api/loyalty/customers/{member.pk}").status_code == 200
    assert Client().get(f"/api/loyalty/customers/{member.pk}").status_code == 401


def test_ledger_and_coupons_lists(
    clerk, member, place_order, coupon, outsider, django_assert_max_num_queries
):
    for days in range(12):
        place_order(member, "100", days_ago=days + 1)
    api = Api(clerk)
    with django_assert_max_num_queries(8):
        ledger = api.get(f"/api/loyalty/customers/{member.pk}/ledger?limit=5")
    assert ledger.status_code == 200
    assert ledger.json()["count"] == 12 and len(ledger.json()["items"]) == 5
    with django_assert_max_num_queries(8):
        listed = api.get(f"/api/loyalty/customers/{member.pk}/coupons")
    assert listed.json()["items"][0]["status"] == "issued"
    assert api.get(f"/api/loyalty/customers/{outsider.pk}/ledger").status_code == 404
    assert api.get(f"/api/loyalty/customers/{outsider.pk}/coupons").status_code == 404


def test_issue_needs_the_capability_and_a_live_template(
    clerk, manager, member, outsider, amount_template
):
    path = f"/api/loyalty/customers/{member.pk}/coupons"
    assert Api(clerk).post(path, {"template_id": amount_template.pk}).status_code == 403
    created = Api(manager).post(path, {"template_id": amount_template.pk})
    assert created.status_code == 201 and created.json()["status"] == "issued"
    missing = Api(manager).post(path, {"template_id": 99999})
    assert missing.status_code == 400 and missing.json()["detail"][0]["field"] == "template_id"
    out = f"/api/loyalty/customers/{outsider.pk}/coupons"
    assert Api(manager).post(out, {"template_id": amount_template.pk}).status_code == 404
    assert Coupon.objects.count() == 1


def test_check_then_redeem(clerk, coupon, member, make_user):
    api = Api(clerk)
    low = api.post("/api/loyalty/coupons/check", {"code": coupon.code, "amount": "100.00"})
    assert low.status_code == 200 and low.json()["ok"] is False
    assert "未达最低消费" in low.json()["failures"][0]
    ok = api.post(
        "/api/loyalty/coupons/redeem",
        {
            "code": coupon.display_code,
            "amount": "800.00",
            "customer_id": member.pk,
            "order_reference": "POS-1",
        },
    )
    assert ok.status_code == 200
    assert ok.json()["discount"] == "100.00" and ok.json()["coupon"]["status"] == "redeemed"
    again = api.post("/api/loyalty/coupons/redeem", {"code": coupon.code, "amount": "800.00"})
    assert again.status_code == 400
    assert again.json()["code"] == "invalid" and again.json()["detail"][0]["field"] == "code"
    tech = make_user(Role.TECHNICIAN, username="tech_api")
    assert (
        Api(tech)
        .post("/api/loyalty/coupons/check", {"code": coupon.code, "amount": "800"})
        .status_code
        == 403
    )


def test_redeem_out_of_scope_or_unknown_is_404_and_bad_input_422(
    coupon, make_user, store_south, clerk
):
    far = make_user(Role.CLERK, username="far_api", store=store_south)
    assert (
        Api(far)
        .post("/api/loyalty/coupons/redeem", {"code": coupon.code, "amount": "800"})
        .status_code
        == 404
    )
    assert (
        Api(clerk)
        .post("/api/loyalty/coupons/redeem", {"code": "AAAA-BBBB-CCCC", "amount": "800"})
        .status_code
        == 404
    )
    bad = Api(clerk).post("/api/loyalty/coupons/redeem", {"code": coupon.code, "amount": "-5"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "amount"
    coupon.refresh_from_db()
    assert coupon.status == "issued"


def test_spend_points(clerk, member, place_order, outsider, make_user):
    place_order(member, "500")
    path = f"/api/loyalty/customers/{member.pk}/points/redeem"
    ok = Api(clerk).post(path, {"points": 200, "reference": "POS-2"})
    assert ok.status_code == 200
    assert ok.json()["points_balance"] == 300 and ok.json()["value"] == "2.00"
    over = Api(clerk).post(path, {"points": 400})
    assert over.status_code == 400 and over.json()["detail"][0]["field"] == "points"
    tech = make_user(Role.TECHNICIAN, username="tech_pts")
    assert Api(tech).post(path, {"points": 100}).status_code == 403
    out = f"/api/loyalty/customers/{outsider.pk}/points/redeem"
    assert Api(clerk).post(out, {"points": 100}).status_code == 404
