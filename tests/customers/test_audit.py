"""Audit trail of customer data: creating and updating a customer and recording a consent are
logged with their actor; role changes of staff are logged; revealing a masked value writes an
ACCESS entry with the reason; and the log never holds a plaintext phone."""

from __future__ import annotations

import json

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.factories import CustomerFactory
from toolcrm.accounts.models import User
from toolcrm.core.roles import Role
from toolcrm.customers import services
from toolcrm.customers.models import Consent, Customer

PHONE = "+8613812345678"
NEW_PHONE = "+8613987654321"


def _entries_for(model: type) -> list[LogEntry]:
    content_type = ContentType.objects.get_for_model(model)
    return list(LogEntry.objects.filter(content_type=content_type).order_by("pk"))


def _create(user: User, store, **data: object) -> Customer:  # type: ignore[no-untyped-def]
    payload = {"kind": "person", "name": "周杰", "phone": PHONE, "home_store": store, **data}
    with set_actor(user):  # what AuditlogMiddleware does for every request
        return services.create_customer(user=user, data=payload)


@pytest.mark.django_db
def test_creating_a_customer_is_logged_with_its_actor(store_a, clerk) -> None:  # type: ignore[no-untyped-def]
    customer = _create(clerk, store_a)

    (entry,) = _entries_for(Customer)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == clerk
    assert entry.object_pk == str(customer.pk)
    assert entry.changes["name"] == ["None", "周杰"]


@pytest.mark.django_db
def test_updating_a_customer_is_logged_with_its_actor_and_the_change(
    store_a, clerk, manager
) -> None:  # type: ignore[no-untyped-def]
    customer = _create(clerk, store_a)

    with set_actor(manager):
        services.update_customer(user=manager, customer=customer, data={"name": "周杰伦"})

    entry = _entries_for(Customer)[-1]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == manager
    assert entry.changes == {"name": ["周杰", "周杰伦"]}


@pytest.mark.django_db
def test_recording_a_consent_is_logged_with_its_actor(store_a, clerk) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store_a)

    with set_actor(clerk):
        consent = services.record_consent(
            user=clerk,
            customer=customer,
            channel="sms",
            purpose="marketing",
            is_granted=True,
            source="门店登记",
        )

    (entry,) = _entries_for(Consent)
    assert entry.action == LogEntry.Action.CREATE
    assert entry.actor == clerk
    assert entry.object_pk == str(consent.pk)
    assert entry.changes["is_granted"] == ["None", "True"]


@pytest.mark.django_db
def test_changing_a_staff_role_is_logged(make_user, admin_user) -> None:  # type: ignore[no-untyped-def]
    clerk = make_user(Role.CLERK, username="promoted")
    before = len(_entries_for(User))

    with set_actor(admin_user):
        clerk.role = Role.STORE_MANAGER
        clerk.save()

    entries = _entries_for(User)
    assert len(entries) == before + 1
    entry = entries[-1]
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.actor == admin_user
    assert entry.object_pk == str(clerk.pk)
    assert entry.changes == {"role": ["clerk", "store_manager"]}


@pytest.mark.django_db
def test_a_password_change_does_not_put_the_hash_in_the_log(make_user, admin_user) -> None:  # type: ignore[no-untyped-def]
    clerk = make_user(Role.CLERK)
    before = len(_entries_for(User))

    with set_actor(admin_user):
        clerk.set_password("another-pass-456")
        clerk.save()

    assert len(_entries_for(User)) == before  # password is not an audited field


def _log_text() -> str:
    return json.dumps(
        [
            [e.object_repr, e.changes, e.changes_text, e.additional_data, e.serialized_data]
            for e in LogEntry.objects.all()
        ],
        ensure_ascii=False,
    )


@pytest.mark.django_db
def test_the_log_never_contains_the_plaintext_phone(store_a, clerk, manager) -> None:  # type: ignore[no-untyped-def]
    customer = _create(
        clerk, store_a, phone_secondary="139 1111 2222", id_card_no="11010519491231002X"
    )
    with set_actor(manager):
        services.update_customer(user=manager, customer=customer, data={"phone": NEW_PHONE})
        services.reveal_pii(user=manager, customer=customer, field="phone", reason="核对送货电话")

    text = _log_text()

    assert LogEntry.objects.count() >= 3
    assert "phone_index" in text  # the blind index is what the log shows of a phone change
    for secret in (PHONE, NEW_PHONE, "13812345678", "13987654321", "13911112222", "1234 5678"):
        assert secret not in text
    assert "11010519491231002X" not in text


@pytest.mark.django_db
def test_reveal_writes_an_access_entry_with_the_reason(store_a, manager) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store_a, phone=PHONE)

    revealed = services.reveal_pii(
        user=manager, customer=customer, field="phone", reason="  客户来电核对身份  ", ip="10.1.2.3"
    )

    assert revealed.value == PHONE
    (entry,) = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert entry.actor == manager
    assert entry.object_pk == str(customer.pk)
    assert entry.remote_addr == "10.1.2.3"
    assert entry.additional_data == {
        "event": "reveal_pii",
        "field": "phone",
        "reason": "客户来电核对身份",
    }


@pytest.mark.django_db
def test_clerk_may_not_reveal_and_nothing_is_logged(store_a, clerk) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store_a)

    with pytest.raises(PermissionDenied):
        services.reveal_pii(user=clerk, customer=customer, field="phone", reason="想看一下号码")

    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   ", "看看"])
def test_reveal_without_a_real_reason_is_refused_and_nothing_is_logged(
    store_a, manager, reason: str
) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store_a)

    with pytest.raises(ValidationError) as excinfo:
        services.reveal_pii(user=manager, customer=customer, field="phone", reason=reason)

    assert "reason" in excinfo.value.message_dict
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.django_db
def test_reveal_of_a_field_that_is_not_revealable_is_refused(store_a, manager) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store_a)

    with pytest.raises(ValidationError):
        services.reveal_pii(user=manager, customer=customer, field="name", reason="核对客户姓名")

    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


@pytest.mark.django_db
def test_changes_made_through_the_ui_carry_the_logged_in_actor(store_a, clerk, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(clerk).post(
        reverse("customers:create"),
        {
            "kind": "person",
            "name": "王五",
            "phone": "138 2222 3333",
            "home_store": store_a.pk,
            "source_channel": "store",
        },
        REMOTE_ADDR="192.168.1.20",
    )

    assert response.status_code == 302
    (entry,) = _entries_for(Customer)
    assert entry.actor == clerk
    assert entry.remote_addr == "192.168.1.20"
    assert "13822223333" not in _log_text()
