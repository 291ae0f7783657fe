"""Loyalty pages: the 360 panel and its actions, the counter, the ledger page and the settings
pages; allowed, denied (403) and out-of-scope (404) for each, and query counts on the lists."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from toolcrm.core.roles import Role
from toolcrm.loyalty.models import Coupon, CouponTemplate, LoyaltyAccount, PointsEntry, TierBenefit
from toolcrm.loyalty.services import coupons, points

pytestmark = pytest.mark.django_db


@pytest.fixture
def coupon(member, amount_template):  # type: ignore[no-untyped-def]
    return coupons.issue_coupons(template=amount_template, customers=[member]).issued[0]


@pytest.fixture
def marketing(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.HQ_MARKETING, username="hq_mkt")


@pytest.fixture
def technician(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.TECHNICIAN, username="tech_a")


def test_the_360_page_shows_tier_points_coupons_and_referral_code(
    client_for, clerk, member, place_order, coupon
):
    place_order(member, "6000")
    response = client_for(clerk).get(reverse("workspace:customer_360", args=[member.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="loyalty-panel"' in body
    assert "银卡" in body
    assert ">7200<" in body  # 6,000 × 1.2
    assert coupon.display_code in body
    assert LoyaltyAccount.objects.get(pk=member.pk).referral_code in body
    assert 'data-testid="loyalty-redeem-form"' in body  # clerk may redeem
    assert 'data-testid="loyalty-issue-form"' not in body  # but not issue


def test_the_panel_partial_permissions(client_for, clerk, technician, member, outsider, make_user):
    url = reverse("loyalty:panel", args=[member.pk])
    assert client_for(clerk).get(url).status_code == 200
    assert client_for(technician).get(url).status_code == 200  # may view customers
    assert client_for(clerk).get(reverse("loyalty:panel", args=[outsider.pk])).status_code == 404
    b2b = make_user(Role.B2B_MANAGER, username="b2b_x")
    assert client_for(b2b).get(url).status_code == 404


def test_issue_coupon_from_the_panel(client_for, manager, clerk, member, outsider, amount_template):
    url = reverse("loyalty:issue_coupon", args=[member.pk])
    assert client_for(clerk).post(url, {"template": amount_template.pk}).status_code == 403
    response = client_for(manager).post(url, {"template": amount_template.pk})
    assert response.status_code == 200
    issued = Coupon.objects.get(customer=member)
    assert issued.display_code in response.content.decode()
    out = reverse("loyalty:issue_coupon", args=[outsider.pk])
    assert client_for(manager).post(out, {"template": amount_template.pk}).status_code == 404
    bad = client_for(manager).post(url, {"template": 999999})
    assert bad.status_code == 400
    assert Coupon.objects.count() == 1


def test_counter_check_and_redeem(client_for, clerk, technician, coupon, member):
    url = reverse("loyalty:counter")
    assert client_for(technician).get(url).status_code == 403
    client = client_for(clerk)
    assert client.get(url).status_code == 200

    check = client.post(url, {"code": coupon.display_code, "amount": "300", "action": "check"})
    assert check.status_code == 200
    assert "未达最低消费" in check.content.decode()

    redeem = client.post(
        url,
        {"code": coupon.code, "amount": "800", "action": "redeem", "customer_id": member.pk},
        headers={"HX-Request": "true"},
    )
    assert redeem.status_code == 200
    assert 'data-testid="redeem-success"' in redeem.content.decode()
    coupon.refresh_from_db()
    assert coupon.status == "redeemed" and coupon.discount_amount == Decimal("100.00")

    again = client.post(url, {"code": coupon.code, "amount": "800", "action": "redeem"})
    assert again.status_code == 400
    assert "已于" in again.content.decode()


def test_counter_rejects_bad_input_and_unknown_codes(
    client_for, clerk, coupon, make_user, store_south
):
    client = client_for(clerk)
    url = reverse("loyalty:counter")
    bad = client.post(url, {"code": coupon.code, "amount": "12.345", "action": "redeem"})
    assert bad.status_code == 400
    unknown = client.post(url, {"code": "ZZZZ-ZZZZ-ZZZZ", "amount": "100", "action": "check"})
    assert unknown.status_code == 404 and "券码不存在" in unknown.content.decode()
    far = make_user(Role.CLERK, username="far", store=store_south)
    assert client_for(far).post(url, {"code": coupon.code, "amount": "800"}).status_code == 404
    coupon.refresh_from_db()
    assert coupon.status == "issued"


def test_redeem_points_from_the_panel(client_for, clerk, technician, member, place_order, outsider):
    place_order(member, "500")
    url = reverse("loyalty:redeem_points", args=[member.pk])
    assert client_for(technician).post(url, {"points": 100}).status_code == 403
    assert (
        client_for(clerk)
        .post(reverse("loyalty:redeem_points", args=[outsider.pk]), {"points": 100})
        .status_code
        == 404
    )
    too_much = client_for(clerk).post(url, {"points": 600})
    assert too_much.status_code == 400 and "积分不足" in too_much.content.decode()
    ok = client_for(clerk).post(url, {"points": 300})
    assert ok.status_code == 200
    assert LoyaltyAccount.objects.get(pk=member.pk).points_balance == 200


def test_adjust_points_on_the_ledger_page(client_for, manager, clerk, member, outsider):
    url = reverse("loyalty:adjust_points", args=[member.pk])
    assert client_for(clerk).post(url, {"points": 10, "reason": "x"}).status_code == 403
    assert (
        client_for(manager)
        .post(reverse("loyalty:adjust_points", args=[outsider.pk]), {"points": 1, "reason": "x"})
        .status_code
        == 404
    )
    client_for(manager).post(url, {"points": 50, "reason": ""})
    assert not PointsEntry.objects.exists()
    response = client_for(manager).post(url, {"points": 50, "reason": "活动补发"})
    assert response.status_code == 302
    assert PointsEntry.objects.get().reason == "活动补发"


def test_open_account_referrer_and_pool(client_for, clerk, manager, member, store_a, technician):
    from tests.factories import CustomerFactory

    open_url = reverse("loyalty:open_account", args=[member.pk])
    assert client_for(technician).post(open_url).status_code == 403
    assert client_for(clerk).post(open_url).status_code == 200
    assert LoyaltyAccount.objects.filter(pk=member.pk).exists()

    newcomer = CustomerFactory(home_store=store_a)
    code = LoyaltyAccount.objects.get(pk=member.pk).referral_code
    referrer_url = reverse("loyalty:set_referrer", args=[newcomer.pk])
    assert client_for(technician).post(referrer_url, {"code": code}).status_code == 403
    assert client_for(clerk).post(referrer_url, {"code": "NOPE"}).status_code == 400
    assert client_for(clerk).post(referrer_url, {"code": code}).status_code == 200
    assert LoyaltyAccount.objects.get(pk=newcomer.pk).referred_by_id == member.pk

    company = CustomerFactory(kind="company", home_store=store_a, name="宏达装修")
    pool_url = reverse("loyalty:set_pool", args=[member.pk])
    assert client_for(clerk).post(pool_url, {"company": company.pk}).status_code == 403
    assert client_for(manager).post(pool_url, {"company": company.pk}).status_code == 200
    assert LoyaltyAccount.objects.get(pk=member.pk).pooled_into_id == company.pk
    assert client_for(manager).post(pool_url, {"company": ""}).status_code == 200
    assert LoyaltyAccount.objects.get(pk=member.pk).pooled_into_id is None


def test_ledger_page_permissions_and_query_count(
    client_for, clerk, member, outsider, place_order, django_assert_max_num_queries, make_user
):
    for days in range(30):
        place_order(member, "100", days_ago=days + 1)
    client = client_for(clerk)
    url = reverse("loyalty:ledger", args=[member.pk])
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="ledger-row"') == 25
    assert client.get(reverse("loyalty:ledger", args=[outsider.pk])).status_code == 404
    assert client_for(make_user(Role.HQ_MARKETING, username="hq_l")).get(url).status_code == 200


def test_settings_pages_for_loyalty_managers_only(
    client_for, clerk, manager, marketing, django_assert_max_num_queries
):
    url = reverse("loyalty:settings")
    assert client_for(clerk).get(url).status_code == 403
    assert client_for(manager).get(url).status_code == 403
    client = client_for(marketing)
    client.get(url)
    with django_assert_max_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200
    assert "钻石" in response.content.decode()

    edit = reverse("loyalty:benefit_edit", args=["gold"])
    assert client_for(manager).post(edit, {}).status_code == 403
    bad = client.post(
        edit, {"points_multiplier": "0", "discount_percent": "5", "free_rental_days": 7}
    )
    assert bad.status_code == 200
    assert TierBenefit.objects.get(tier="gold").points_multiplier == Decimal("1.50")
    ok = client.post(
        edit,
        {
            "points_multiplier": "1.8",
            "discount_percent": "6",
            "free_rental_days": 10,
            "has_priority_repair": "on",
        },
    )
    assert ok.status_code == 302
    assert TierBenefit.objects.get(tier="gold").points_multiplier == Decimal("1.80")


def test_coupon_template_create_and_edit(client_for, manager, marketing):
    create = reverse("loyalty:template_create")
    assert client_for(manager).get(create).status_code == 403
    client = client_for(marketing)
    data = {
        "code": "winter-20",
        "name": "冬季 8 折",
        "kind": "percent_off",
        "percent_off": "20",
        "amount_off": "30",
        "min_spend": "100",
        "valid_days": 30,
        "per_customer_limit": 1,
        "is_active": "on",
    }
    bad = client.post(create, {**data, "percent_off": "120"})
    assert bad.status_code == 200 and not CouponTemplate.objects.filter(code="winter-20").exists()
    assert client.post(create, data).status_code == 302
    template = CouponTemplate.objects.get(code="winter-20")
    assert template.amount_off is None and template.percent_off == Decimal("20.0")
    edit = reverse("loyalty:template_edit", args=[template.pk])
    assert client.post(edit, {**data, "is_active": ""}).status_code == 302
    template.refresh_from_db()
    assert not template.is_active
    assert client_for(manager).post(edit, data).status_code == 403


def test_points_balance_is_shown_on_the_panel_after_earning(client_for, clerk, member, place_order):
    place_order(member, "250")
    body = client_for(clerk).get(reverse("loyalty:panel", args=[member.pk])).content.decode()
    assert ">250<" in body
    assert points.ledger_sum(member.pk) == 250


def test_redeem_a_coupon_from_the_panel(
    client_for, clerk, technician, member, coupon, outsider, store_a
):
    from tests.factories import CustomerFactory

    url = reverse("loyalty:redeem_coupon", args=[member.pk])
    data = {"code": coupon.display_code, "amount": "800"}
    assert client_for(technician).post(url, data).status_code == 403
    out = reverse("loyalty:redeem_coupon", args=[outsider.pk])
    assert client_for(clerk).post(out, data).status_code == 404
    someone_else = CustomerFactory(home_store=store_a)
    wrong = client_for(clerk).post(reverse("loyalty:redeem_coupon", args=[someone_else.pk]), data)
    assert wrong.status_code == 400 and "不属于当前客户" in wrong.content.decode()
    coupon.refresh_from_db()
    assert coupon.status == "issued"

    ok = client_for(clerk).post(url, data)
    body = ok.content.decode()
    assert ok.status_code == 200
    assert "已核销" in body and 'data-testid="loyalty-used-coupon"' in body
    coupon.refresh_from_db()
    assert coupon.status == "redeemed"


def test_the_360_panel_costs_a_fixed_number_of_queries(
    member, place_order, clerk, manager, amount_template, django_assert_num_queries
):
    from django.template.loader import render_to_string

    from toolcrm.loyalty.templatetags.loyalty_tags import panel_context

    for days in range(15):
        place_order(member, "400", days_ago=days + 1)
    coupons.issue_coupons(template=amount_template, customers=[member])
    with django_assert_num_queries(6):  # account, benefit, spend, entries, coupons, used coupons
        render_to_string("loyalty/partials/panel.html", panel_context(clerk, member))
    with django_assert_num_queries(8):  # + templates and companies for issuers
        render_to_string("loyalty/partials/panel.html", panel_context(manager, member))


def test_out_of_scope_customers_are_404_on_every_customer_action(client_for, manager, outsider):
    client = client_for(manager)
    for name, data in [
        ("open_account", {}),
        ("set_referrer", {"code": "ABCDEFGH"}),
        ("set_pool", {"company": ""}),
        ("redeem_coupon", {"code": "ABCD-EFGH-JKMN", "amount": "10"}),
        ("ledger", None),
        ("panel", None),
    ]:
        url = reverse(f"loyalty:{name}", args=[outsider.pk])
        response = client.get(url) if data is None else client.post(url, data)
        assert response.status_code == 404, name
    assert not LoyaltyAccount.objects.filter(pk=outsider.pk).exists()


def test_unknown_tier_or_template_is_404(client_for, marketing):
    client = client_for(marketing)
    assert client.get(reverse("loyalty:benefit_edit", args=["platinum"])).status_code == 404
    assert client.get(reverse("loyalty:template_edit", args=[99999])).status_code == 404
