"""The rental pages: who may open them (front desk yes; technician and HQ marketing no),
scope (another region's loan answers 404), the actions through the pages, and pinned query
counts on the list pages."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, ProductFactory
from tests.rentals.conftest import backdate
from toolcrm.core.roles import Role
from toolcrm.rentals import services
from toolcrm.rentals.choices import AgreementStatus, UnitStatus
from toolcrm.rentals.models import RentalAgreement, RentalUnit

pytestmark = pytest.mark.django_db

ALLOWED = [Role.CLERK, Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN]
DENIED = [Role.TECHNICIAN, Role.HQ_MARKETING]
PAGES = ["rentals:fleet", "rentals:lend", "rentals:loans", "rentals:overdue", "rentals:unit_add"]


@pytest.fixture
def south_loan(make_user, store_south, customer_south, unit_south, today):  # type: ignore[no-untyped-def]
    south_clerk = make_user(Role.CLERK, store=store_south)
    return services.lend(
        user=south_clerk,
        customer_id=customer_south.pk,
        unit_id=unit_south.pk,
        due_on=today + timedelta(days=2),
        deposit_amount=Decimal("500.00"),
        deposit_method="cash",
    )


@pytest.mark.parametrize("role", ALLOWED)
@pytest.mark.parametrize("page", PAGES)
def test_front_desk_and_managers_open_the_pages(make_user, client_for, unit_a, role, page):
    response = client_for(make_user(role)).get(reverse(page))
    assert response.status_code == 200


@pytest.mark.parametrize("role", DENIED)
@pytest.mark.parametrize("page", PAGES)
def test_roles_without_the_capability_get_403(make_user, client_for, role, page):
    assert client_for(make_user(role)).get(reverse(page)).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_pages_require_login(client, page):
    assert client.get(reverse(page)).status_code == 302


def test_navigation_shows_rentals_to_clerks_only(clerk, make_user, client_for):
    assert (
        reverse("rentals:fleet")
        in client_for(clerk).get(reverse("workspace:home")).content.decode()
    )
    technician_home = client_for(make_user(Role.TECHNICIAN)).get(reverse("workspace:home"))
    assert reverse("rentals:fleet") not in technician_home.content.decode()


def test_fleet_shows_own_store_units_and_filters(
    clerk, client_for, unit_a, washer_unit, unit_south
):
    client = client_for(clerk)
    body = client.get(reverse("rentals:fleet")).content.decode()
    assert "SH01-R-001" in body and "SH01-R-002" in body
    assert "GZ01-R-001" not in body
    filtered = client.get(reverse("rentals:fleet"), {"product": washer_unit.product_id})
    assert "SH01-R-002" in filtered.content.decode()
    assert "SH01-R-001" not in filtered.content.decode()
    lent = client.get(reverse("rentals:fleet"), {"status": "lent"}).content.decode()
    assert "SH01-R-00" not in lent


def test_fleet_query_count_does_not_grow_with_the_page(
    clerk, client_for, store_a, customer, today, django_assert_max_num_queries
):
    products = [ProductFactory(price=Decimal("500.00")) for _ in range(5)]
    for index in range(30):
        RentalUnit.objects.create(
            product=products[index % 5], asset_tag=f"T{index:03d}", home_store=store_a
        )
    for unit in RentalUnit.objects.all()[:5]:
        services.lend(
            user=clerk,
            customer_id=CustomerFactory(home_store=store_a).pk,
            unit_id=unit.pk,
            due_on=today + timedelta(days=1),
            deposit_amount=Decimal("250.00"),
            deposit_method="cash",
        )
    client = client_for(clerk)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("rentals:fleet"))
    assert response.content.decode().count('data-testid="fleet-row"') == 30


def test_overdue_list_shows_days_overdue_and_a_contact_link(
    lend_now, clerk, client_for, customer, south_loan, django_assert_max_num_queries
):
    late = backdate(lend_now(), days=6)  # due 3 days ago
    backdate(south_loan, days=10)  # another region's: not listed
    client = client_for(clerk)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("rentals:overdue"))
    body = response.content.decode()
    assert body.count('data-testid="overdue-row"') == 1
    assert late.number in body
    assert "3 天" in body
    assert reverse("workspace:customer_360", args=[customer.pk]) in body


def test_overdue_query_count_is_fixed(
    clerk, client_for, store_a, hammer, today, django_assert_max_num_queries
):
    for index in range(20):
        unit = RentalUnit.objects.create(product=hammer, asset_tag=f"O{index}", home_store=store_a)
        agreement = services.lend(
            user=clerk,
            customer_id=CustomerFactory(home_store=store_a).pk,
            unit_id=unit.pk,
            due_on=today + timedelta(days=1),
            deposit_amount=Decimal("450.00"),
            deposit_method="cash",
        )
        backdate(agreement, days=3)
    client = client_for(clerk)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("rentals:overdue"))
    assert response.content.decode().count('data-testid="overdue-row"') == 20


def test_lend_through_the_form(clerk, client_for, customer, unit_a, today):
    response = client_for(clerk).post(
        reverse("rentals:lend"),
        {
            "customer_id": customer.pk,
            "unit_id": unit_a.pk,
            "kind": "rental",
            "due_on": (today + timedelta(days=2)).isoformat(),
            "deposit_amount": "450.00",
            "deposit_method": "wechat_pay",
        },
    )
    agreement = RentalAgreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == agreement.get_absolute_url()
    assert agreement.deposit_method == "wechat_pay"


def test_lend_form_shows_the_services_errors_and_writes_nothing(
    clerk, client_for, customer, unit_a, today
):
    response = client_for(clerk).post(
        reverse("rentals:lend"),
        {
            "customer_id": customer.pk,
            "unit_id": unit_a.pk,
            "kind": "rental",
            "due_on": today.isoformat(),
            "deposit_amount": "100.00",
            "deposit_method": "cash",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "应还日期必须晚于今天。" in body
    assert "押金不能低于 ¥450.00。" in body
    assert RentalAgreement.objects.count() == 0


def test_lend_form_without_a_customer_asks_for_one(clerk, client_for, unit_a, today):
    response = client_for(clerk).post(
        reverse("rentals:lend"),
        {
            "unit_id": unit_a.pk,
            "kind": "rental",
            "due_on": (today + timedelta(days=1)).isoformat(),
            "deposit_amount": "450",
            "deposit_method": "cash",
        },
    )
    assert response.status_code == 400
    assert "请先搜索并选择客户。" in response.content.decode()


def test_customer_picker_searches_only_visible_customers(
    clerk, client_for, customer, customer_south
):
    client = client_for(clerk)
    found = client.get(reverse("rentals:customer_picker"), {"q": "138 1234 5678"})
    assert f'value="{customer.pk}"' in found.content.decode()
    hidden = client.get(reverse("rentals:customer_picker"), {"q": "黄"})
    assert "customer-picker-empty" in hidden.content.decode()


def test_lend_form_preselects_a_customer_from_the_360_page(clerk, client_for, customer):
    body = client_for(clerk).get(reverse("rentals:lend"), {"customer": customer.pk}).content
    assert f'value="{customer.pk}" checked'.encode() in body


def test_agreement_page_and_actions(lend_now, clerk, client_for, today):
    agreement = lend_now()
    client = client_for(clerk)
    page = client.get(agreement.get_absolute_url()).content.decode()
    assert "办理归还" in page and "转为购买" in page and "取消出借" in page

    extended = client.post(
        reverse("rentals:extend", args=[agreement.pk]),
        {"due_on": (today + timedelta(days=5)).isoformat()},
    )
    assert extended.status_code == 302
    agreement.refresh_from_db()
    assert agreement.due_on == today + timedelta(days=5)

    client.post(reverse("rentals:return", args=[agreement.pk]), {"condition": "good"})
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.RETURNED
    assert agreement.deposit_refund == Decimal("455.00")
    closed = client.get(agreement.get_absolute_url()).content.decode()
    assert "办理归还" not in closed and "¥455.00" in closed


def test_a_rejected_action_shows_the_reason(lend_now, clerk, client_for, today):
    agreement = lend_now()
    response = client_for(clerk).post(
        reverse("rentals:extend", args=[agreement.pk]), {"due_on": today.isoformat()}, follow=True
    )
    assert "应还日期必须晚于今天。" in response.content.decode()


def test_convert_and_cancel_and_settle_through_the_pages(lend_now, clerk, client_for, washer_unit):
    client = client_for(clerk)
    first = lend_now()
    client.post(reverse("rentals:convert", args=[first.pk]), {"payment_method": "cash"})
    first.refresh_from_db()
    assert first.status == AgreementStatus.CONVERTED
    assert first.converted_order.payments.get().method == "cash"
    second = lend_now(unit_id=washer_unit.pk, deposit_amount=Decimal("1000.00"))
    client.post(reverse("rentals:cancel", args=[second.pk]), {"reason": "录错客户"})
    second.refresh_from_db()
    assert second.status == AgreementStatus.CANCELLED
    third = lend_now(unit_id=washer_unit.pk, deposit_amount=Decimal("1000.00"))
    client.post(
        reverse("rentals:return", args=[third.pk]),
        {"condition": "damaged", "damage_charge": "1200"},
    )
    client.post(reverse("rentals:settle", args=[third.pk]))
    third.refresh_from_db()
    assert third.amount_owed == Decimal("260.00")
    assert third.balance_settled_at is not None


@pytest.mark.parametrize(
    "name",
    [
        "rentals:agreement",
        "rentals:return",
        "rentals:extend",
        "rentals:convert",
        "rentals:cancel",
        "rentals:settle",
    ],
)
def test_another_regions_loan_is_404(clerk, client_for, south_loan, name):
    client = client_for(clerk)
    url = reverse(name, args=[south_loan.pk])
    response = client.get(url) if name == "rentals:agreement" else client.post(url, {})
    assert response.status_code == 404
    south_loan.refresh_from_db()
    assert south_loan.status == AgreementStatus.OPEN


@pytest.mark.parametrize("name", ["rentals:agreement", "rentals:convert"])
def test_denied_roles_get_403_on_agreements(make_user, client_for, lend_now, name):
    agreement = lend_now()
    client = client_for(make_user(Role.TECHNICIAN))
    url = reverse(name, args=[agreement.pk])
    response = client.get(url) if name == "rentals:agreement" else client.post(url)
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OPEN


def test_unit_status_page_action_scope_and_permission(
    clerk, make_user, client_for, unit_a, unit_south
):
    client = client_for(clerk)
    client.post(reverse("rentals:unit_status", args=[unit_a.pk]), {"status": "maintenance"})
    unit_a.refresh_from_db()
    assert unit_a.status == UnitStatus.MAINTENANCE
    url = reverse("rentals:unit_status", args=[unit_south.pk])
    assert client.post(url, {"status": "maintenance"}).status_code == 404
    technician = client_for(make_user(Role.TECHNICIAN))
    assert technician.post(url, {"status": "maintenance"}).status_code == 403


def test_customer_360_shows_the_rentals_panel(lend_now, clerk, client_for, customer, make_user):
    agreement = lend_now()
    url = reverse("workspace:customer_360", args=[customer.pk])
    body = client_for(clerk).get(url).content.decode()
    assert 'data-testid="rentals-panel"' in body
    assert agreement.get_absolute_url() in body
    technician_page = client_for(make_user(Role.TECHNICIAN)).get(url).content.decode()
    assert 'data-testid="rentals-panel"' not in technician_page


def test_add_unit_through_the_page(clerk, client_for, hammer, store_a):
    client = client_for(clerk)
    response = client.post(
        reverse("rentals:unit_add"),
        {
            "sku": "BSH-GBH226",
            "asset_tag": "SH01-R-100",
            "store_id": store_a.pk,
            "condition": "good",
        },
    )
    assert response.status_code == 302
    assert RentalUnit.objects.get().asset_tag == "SH01-R-100"
    bad = client.post(
        reverse("rentals:unit_add"),
        {"sku": "NOPE", "asset_tag": "SH01-R-101", "store_id": store_a.pk, "condition": "good"},
    )
    assert bad.status_code == 400
    assert "未知 SKU。" in bad.content.decode()
    assert RentalUnit.objects.count() == 1


def test_add_unit_is_denied_without_the_capability(make_user, client_for, hammer, store_a):
    response = client_for(make_user(Role.TECHNICIAN)).post(
        reverse("rentals:unit_add"),
        {"sku": "BSH-GBH226", "asset_tag": "X", "store_id": store_a.pk, "condition": "good"},
    )
    assert response.status_code == 403
    assert not RentalUnit.objects.exists()


def test_the_360_panel_costs_at_most_three_queries(
    clerk, customer, lend_now, washer_unit, django_assert_max_num_queries
):
    from django.template import Context, Template

    for _ in range(7):
        services.return_unit(user=clerk, agreement_id=lend_now().pk, condition="good")
    lend_now(unit_id=washer_unit.pk, deposit_amount=Decimal("1000.00"))
    template = Template("{% load rentals_tags %}{% rentals_panel customer %}")
    with django_assert_max_num_queries(3):
        html = template.render(Context({"user": clerk, "customer": customer}))
    assert html.count('data-testid="rentals-history"') == 5
    assert html.count('data-testid="rentals-open"') == 1
    assert "共 7 条已结束的租借" in html


def test_loans_page_lists_the_stores_outstanding_loans(
    lend_now, clerk, client_for, south_loan, washer_unit, django_assert_max_num_queries
):
    on_time = lend_now(unit_id=washer_unit.pk, deposit_amount=Decimal("1000.00"))
    late = backdate(lend_now(), days=5)
    client = client_for(clerk)
    with django_assert_max_num_queries(6):
        body = client.get(reverse("rentals:loans")).content.decode()
    assert body.count('data-testid="loan-row"') == 2
    assert body.index(late.number) < body.index(on_time.number)  # soonest due first
    assert "逾期 2 天" in body
    assert south_loan.number not in body
