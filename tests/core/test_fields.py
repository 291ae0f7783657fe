"""``EncryptedTextField``: plaintext in Python, ciphertext in the column, the blind index filled
on save from the normalised value, and ciphertexts passed through unchanged."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.factories import CompanyContactFactory, CustomerFactory
from toolcrm.core import crypto
from toolcrm.core.fields import EncryptedTextField, encrypted_fields
from toolcrm.core.pii import phone_index
from toolcrm.customers.models import CompanyContact, Customer


def _raw(pk: int, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM customers_customer WHERE id = %s", [pk])
        return str(cursor.fetchone()[0])


@pytest.mark.django_db
def test_value_is_plaintext_in_python_and_ciphertext_in_the_column(store_a) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store_a, phone="+8613812345678")

    customer.refresh_from_db()
    assert customer.phone == "+8613812345678"
    raw = _raw(customer.pk, "phone")
    assert raw.startswith(f"enc:v1:{crypto.key_ring().active_key_id}:")
    assert crypto.decrypt(raw) == "+8613812345678"


@pytest.mark.django_db
def test_blind_index_is_filled_from_the_normalised_value(store_a) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store_a, phone="+8613812345678")

    assert customer.phone_index == phone_index("138 1234 5678")
    found = Customer.objects.filter(phone_index=phone_index("+86-138-1234-5678"))
    assert list(found) == [customer]


@pytest.mark.django_db
def test_empty_value_stays_empty_with_no_index(store_a) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store_a, phone_secondary="", id_card_no="")

    customer.refresh_from_db()
    assert customer.phone_secondary == ""
    assert customer.phone_secondary_index == ""
    assert _raw(customer.pk, "phone_secondary") == ""
    assert Customer.objects.filter(phone_secondary="").count() == 1


@pytest.mark.django_db
def test_id_card_index_uses_its_own_purpose(store_a) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store_a, id_card_no="11010519491231002X")

    assert customer.id_card_index == crypto.blind_index("11010519491231002X", purpose="id_card")
    assert customer.id_card_index != crypto.blind_index("11010519491231002X", purpose="phone")


@pytest.mark.django_db
def test_saving_again_does_not_encrypt_twice(store_a) -> None:  # type: ignore[no-untyped-def]
    customer = CustomerFactory(home_store=store_a, phone="+8613812345678")
    customer.refresh_from_db()
    customer.name = "改名"

    customer.save()

    customer.refresh_from_db()
    assert customer.phone == "+8613812345678"


def test_get_prep_value_passes_ciphertexts_through_and_encrypts_the_rest() -> None:
    field = EncryptedTextField()
    stored = crypto.encrypt("+8613812345678")

    assert field.get_prep_value(stored) == stored
    assert field.get_prep_value("") == ""
    assert field.get_prep_value(None) is None
    fresh = field.get_prep_value("+8613812345678")
    assert fresh.startswith(crypto.PREFIX) and fresh != stored
    assert field.from_db_value(fresh, None, None) == "+8613812345678"


def test_deconstruct_keeps_the_index_options() -> None:
    phone = Customer._meta.get_field("phone")

    _name, path, _args, kwargs = phone.deconstruct()

    assert path == "toolcrm.core.fields.EncryptedTextField"
    assert kwargs["index_field"] == "phone_index"
    assert kwargs["index_purpose"] == "phone"


def test_encrypted_fields_lists_every_encrypted_column() -> None:
    assert [f.name for f in encrypted_fields(Customer)] == [
        "phone",
        "phone_secondary",
        "id_card_no",
    ]
    assert [f.name for f in encrypted_fields(CompanyContact)] == ["phone"]


@pytest.mark.django_db
def test_contact_phone_is_encrypted_too() -> None:
    contact = CompanyContactFactory(phone="+8613912345678")

    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM customers_companycontact WHERE id = %s", [contact.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith(crypto.PREFIX)
    assert "13912345678" not in raw
