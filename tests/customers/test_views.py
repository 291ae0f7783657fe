"""Customer pages: allowed and denied per role, cross-store 404, bad form input writes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory
from toolcrm.core.roles import Role
from toolcrm.customers.models import Consent, Customer, Interaction

ALL_ROLES = list(Role)
CAN_EDIT = {Role.CLERK, Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.B2B_MANAGER, Role.ADMIN}
CAN_INTERACT = CAN_EDIT | {Role.TECHNICIAN}
CAN_REVEAL = {Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.B2B_MANAGER, Role.ADMIN}


@pytest.fixture
def customer(store_a):
    return CustomerFactory(name="陈工", phone="+8613812345678", home_store=store_a)


def _user_for(role, make_user, customer):
    user = make_user(role)
    if role == Role.B2B_MANAGER:
        customer.account_manager = user
        customer.save(update_fields=["account_manager"])
    return user


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_customer_list_per_role(role, make_user, client_for, customer):
    response = client_for(_user_for(role, make_user, customer)).get(reverse("customers:list"))

    assert response.status_code == 200
    assert "陈工" in response.content.decode()


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, customer):
    for url in (
        reverse("customers:list"),
        reverse("customers:create"),
        reverse("customers:edit", args=[customer.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_create_page_allowed_or_denied(role, make_user, client_for, customer):
    response = client_for(_user_for(role, make_user, customer)).get(reverse("customers:create"))

    assert response.status_code == (200 if role in CAN_EDIT else 403)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_edit_page_allowed_or_denied(role, make_user, client_for, customer):
    client = client_for(_user_for(role, make_user, customer))
    response = client.get(reverse("customers:edit", args=[customer.pk]))

    assert response.status_code == (200 if role in CAN_EDIT else 403)
    if role in CAN_EDIT:
        # The edit form never pre-fills encrypted values (that would bypass the reveal log).
        assert "13812345678" not in response.content.decode()


@pytest.mark.django_db
def test_clerk_of_store_a_gets_404_for_store_b_customer_everywhere(store_b, clerk, client_for):
    other = CustomerFactory(name="外店客户", home_store=store_b)
    client = client_for(clerk)

    for url, method in [
        (reverse("workspace:customer_360", args=[other.pk]), "get"),
        (reverse("customers:edit", args=[other.pk]), "get"),
        (reverse("customers:edit", args=[other.pk]), "post"),
        (reverse("customers:interaction_create", args=[other.pk]), "post"),
        (reverse("customers:consent_create", args=[other.pk]), "post"),
    ]:
        response = getattr(client, method)(url, {"kind": "note", "summary": "x"})
        assert response.status_code == 404, url
    assert "外店客户" not in client.get(reverse("customers:list") + "?q=外店").content.decode()
    assert Interaction.objects.count() == 0


@pytest.mark.django_db
def test_create_customer_through_the_form(store_a, clerk, client_for):
    response = client_for(clerk).post(
        reverse("customers:create"),
        {
            "kind": "person",
            "name": "林芳",
            "phone": "+86 139-0000-1234",
            "home_store": store_a.pk,
            "source_channel": "store",
        },
    )

    customer = Customer.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:customer_360", args=[customer.pk])
    assert customer.phone == "+8613900001234"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"phone": "1234"}, "电话号码"),
        ({"name": ""}, "这个字段是必填项"),
        ({"email": "x@"}, "Email"),
        ({"home_store": "999999"}, "选择一个有效的选项"),
        ({"birthday": "2024-13-45"}, "有效的日期"),
    ],
)
def test_bad_form_input_shows_error_and_writes_nothing(
    payload, message, store_a, clerk, client_for
):
    data = {
        "kind": "person",
        "name": "林芳",
        "phone": "13900001234",
        "home_store": store_a.pk,
        "source_channel": "store",
    }
    data.update(payload)

    response = client_for(clerk).post(reverse("customers:create"), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_phone_links_to_the_existing_customer(store_a, clerk, client_for, customer):
    response = client_for(clerk).post(
        reverse("customers:create"),
        {
            "kind": "person",
            "name": "重复",
            "phone": "138 1234 5678",
            "home_store": store_a.pk,
            "source_channel": "store",
        },
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert reverse("workspace:customer_360", args=[customer.pk]) in body
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_duplicate_in_another_store_is_reported_without_revealing_it(store_b, clerk, client_for):
    other = CustomerFactory(name="隐藏客户", phone="+8613700007777", home_store=store_b)

    response = client_for(clerk).post(
        reverse("customers:create"),
        {
            "kind": "person",
            "name": "新客",
            "phone": "13700007777",
            "home_store": clerk.store_id,
            "source_channel": "store",
        },
    )

    body = response.content.decode()
    assert "已被其他客户使用" in body
    assert "隐藏客户" not in body
    assert reverse("workspace:customer_360", args=[other.pk]) not in body


@pytest.mark.django_db
def test_edit_keeps_phone_when_left_blank(clerk, client_for, customer):
    response = client_for(clerk).post(
        reverse("customers:edit", args=[customer.pk]),
        {
            "kind": "person",
            "name": "陈工程师",
            "phone": "",
            "home_store": customer.home_store_id,
            "source_channel": "store",
        },
    )

    customer.refresh_from_db()
    assert response.status_code == 302
    assert (customer.name, customer.phone) == ("陈工程师", "+8613812345678")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_record_interaction_per_role(role, make_user, client_for, customer):
    client = client_for(_user_for(role, make_user, customer))
    response = client.post(
        reverse("customers:interaction_create", args=[customer.pk]),
        {"kind": "call", "summary": "电话回访"},
    )

    if role in CAN_INTERACT:
        assert response.status_code == 302
        assert Interaction.objects.filter(customer=customer).count() == 1
    else:
        assert response.status_code == 403
        assert Interaction.objects.count() == 0


@pytest.mark.django_db
def test_bad_interaction_is_rejected(clerk, client_for, customer):
    response = client_for(clerk).post(
        reverse("customers:interaction_create", args=[customer.pk]), {"kind": "fax", "summary": ""}
    )

    assert response.status_code == 400
    assert Interaction.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_record_consent_per_role(role, make_user, client_for, customer):
    client = client_for(_user_for(role, make_user, customer))
    response = client.post(
        reverse("customers:consent_create", args=[customer.pk]),
        {"channel": "wechat", "purpose": "marketing", "is_granted": "1", "source": "门店登记"},
    )

    expected = 302 if role in CAN_EDIT else 403
    assert response.status_code == expected
    assert Consent.objects.count() == (1 if expected == 302 else 0)


@pytest.mark.django_db
def test_bad_consent_is_rejected(clerk, client_for, customer):
    response = client_for(clerk).post(
        reverse("customers:consent_create", args=[customer.pk]),
        {"channel": "pigeon", "purpose": "marketing", "is_granted": "1", "source": ""},
    )

    assert response.status_code == 400
    assert Consent.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("role", ALL_ROLES)
def test_reveal_per_role_with_reason(role, make_user, client_for, customer):
    from auditlog.models import LogEntry

    client = client_for(_user_for(role, make_user, customer))
    response = client.post(
        reverse("customers:reveal", args=[customer.pk]),
        {"field": "phone", "reason": "客户来电核对身份"},
    )

    if role in CAN_REVEAL:
        assert response.status_code == 200
        assert "+8613812345678" in response.content.decode()
        entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
        assert entry.additional_data["reason"] == "客户来电核对身份"
    else:
        assert response.status_code == 403
        assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.django_db
def test_reveal_without_reason_is_refused_and_not_logged(manager, client_for, customer):
    from auditlog.models import LogEntry

    response = client_for(manager).post(
        reverse("customers:reveal", args=[customer.pk]), {"field": "phone", "reason": ""}
    )

    assert response.status_code == 400
    assert "13812345678" not in response.content.decode()
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.django_db
def test_search_page_query_count_is_constant(
    store_a, clerk, client_for, django_assert_max_num_queries
):
    CustomerFactory.create_batch(25, name="黄师傅", home_store=store_a)
    client = client_for(clerk)

    # session + user + store (nav) + the one search query, whatever the number of rows
    with django_assert_max_num_queries(6):
        response = client.get(reverse("customers:list") + "?q=黄")
    assert response.content.decode().count('data-testid="customer-row"') == 20

    with django_assert_max_num_queries(7):
        response = client.get(reverse("customers:list"))
    assert response.content.decode().count('data-testid="customer-row"') == 25
