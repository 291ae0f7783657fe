"""Customer services: validation, duplicate phones, interactions, consents — bad input writes
nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import CustomerFactory
from toolcrm.core.roles import Role
from toolcrm.customers import services
from toolcrm.customers.models import Consent, Customer, Interaction


def _data(store, **overrides):
    data = {"kind": "person", "name": "周杰", "phone": "139 1234 0000", "home_store": store}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_create_normalises_phone_and_email(store_a, clerk):
    customer = services.create_customer(
        user=clerk, data=_data(store_a, email=" Zhou@Example.COM ", member_card_no="m000000777")
    )

    customer.refresh_from_db()
    assert customer.phone == "+8613912340000"
    assert customer.email == "zhou@example.com"
    assert customer.member_card_no == "M000000777"
    assert customer.phone_index  # blind index filled on save
    assert customer.created_by == clerk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"phone": "138123456789999"}, "phone"),
        ({"name": ""}, "name"),
        ({"email": "not-an-email"}, "email"),
        ({"id_card_no": "110101199003071234"}, "id_card_no"),
        ({"phone_secondary": "abc"}, "phone_secondary"),
        ({"kind": "alien"}, "kind"),
    ],
)
def test_bad_input_is_rejected_naming_the_field_and_writes_nothing(
    overrides, field, store_a, clerk
):
    with pytest.raises(ValidationError) as excinfo:
        services.create_customer(user=clerk, data=_data(store_a, **overrides))

    assert field in excinfo.value.message_dict
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_phone_points_to_existing_customer(store_a, clerk):
    existing = CustomerFactory(phone="+8613912340000", home_store=store_a)

    with pytest.raises(services.DuplicatePhoneError) as excinfo:
        services.create_customer(user=clerk, data=_data(store_a, phone="+86 139-1234-0000"))

    assert excinfo.value.existing == existing
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_clerk_cannot_create_customer_in_another_store(store_b, clerk):
    with pytest.raises(ValidationError) as excinfo:
        services.create_customer(user=clerk, data=_data(store_b))

    assert "home_store" in excinfo.value.message_dict
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_hq_marketing_may_not_create_customers(store_a, make_user):
    with pytest.raises(PermissionDenied):
        services.create_customer(user=make_user(Role.HQ_MARKETING), data=_data(store_a))
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_update_changes_phone_and_its_index_together(store_a, clerk):
    customer = CustomerFactory(phone="+8613900000001", home_store=store_a)
    old_index = customer.phone_index

    services.update_customer(user=clerk, customer=customer, data={"phone": "13900000002"})

    customer.refresh_from_db()
    assert customer.phone == "+8613900000002"
    assert customer.phone_index != old_index
    assert Customer.objects.filter(phone_index=customer.phone_index).count() == 1


@pytest.mark.django_db
def test_update_with_bad_phone_keeps_the_old_values(store_a, clerk):
    customer = CustomerFactory(name="吴一", phone="+8613900000001", home_store=store_a)

    with pytest.raises(ValidationError):
        services.update_customer(
            user=clerk, customer=customer, data={"name": "吴二", "phone": "000"}
        )

    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("吴一", "+8613900000001")


@pytest.mark.django_db
def test_record_interaction_and_reject_empty_summary(store_a, clerk):
    customer = CustomerFactory(home_store=store_a)

    interaction = services.record_interaction(
        user=clerk, customer=customer, kind="call", summary="回访电钻使用情况"
    )
    assert (interaction.staff, interaction.store) == (clerk, store_a)

    with pytest.raises(ValidationError):
        services.record_interaction(user=clerk, customer=customer, kind="call", summary="  ")
    with pytest.raises(ValidationError):
        services.record_interaction(user=clerk, customer=customer, kind="fax", summary="x")
    assert Interaction.objects.count() == 1


@pytest.mark.django_db
def test_consents_are_appended_and_latest_wins(store_a, clerk):
    from toolcrm.customers.selectors import current_consents

    customer = CustomerFactory(home_store=store_a)
    services.record_consent(
        user=clerk,
        customer=customer,
        channel="sms",
        purpose="marketing",
        is_granted=True,
        source="纸质登记表",
    )
    services.record_consent(
        user=clerk,
        customer=customer,
        channel="sms",
        purpose="marketing",
        is_granted=False,
        source="电话要求退订",
    )

    assert Consent.objects.count() == 2
    assert current_consents(customer=customer)[("sms", "marketing")].is_granted is False

    with pytest.raises(ValidationError):
        services.record_consent(
            user=clerk,
            customer=customer,
            channel="pigeon",
            purpose="marketing",
            is_granted=True,
            source="x",
        )
    assert Consent.objects.count() == 2
