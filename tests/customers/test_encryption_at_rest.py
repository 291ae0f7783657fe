"""The database column of an encrypted phone contains neither the phone nor its digits; the blind
index is not the phone either. Read straight from the table, as a leaked backup would be."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.db import connection

from toolcrm.core import crypto
from toolcrm.customers import services

PHONE_E164 = "+8613812345678"
NATIONAL = "13812345678"


def _digit_runs(number: str, length: int = 4) -> set[str]:
    """Every run of ``length`` consecutive digits of ``number`` (e.g. 1381, 3812, …, 5678)."""
    return {number[i : i + length] for i in range(len(number) - length + 1)}


def _raw_columns(customer_id: int) -> tuple[str, str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT phone, phone_index, phone_secondary, id_card_no FROM customers_customer "
            "WHERE id = %s",
            [customer_id],
        )
        row = cursor.fetchone()
    return tuple(str(value) for value in row)  # type: ignore[return-value]


@pytest.mark.django_db
def test_encrypted_phone_column_contains_neither_the_phone_nor_its_digits(store_a, clerk) -> None:  # type: ignore[no-untyped-def]
    customer = services.create_customer(
        user=clerk,
        data={
            "kind": "person",
            "name": "林晓",
            "phone": "+86 138 1234 5678",
            "home_store": store_a,
        },
    )

    phone, phone_index, _secondary, _id_card = _raw_columns(customer.pk)

    assert customer.phone == PHONE_E164  # the application sees the normalised phone
    assert PHONE_E164 not in phone
    assert NATIONAL not in phone
    for run in _digit_runs(NATIONAL):
        assert run not in phone, f"digit run {run} of the phone found in the stored column"
    assert phone.startswith(crypto.PREFIX)
    assert crypto.decrypt(phone) == PHONE_E164
    # The blind index is a keyed HMAC, not the phone. (Short digit runs are not checked here:
    # any 40-hex-digit string contains some by chance.)
    assert re.fullmatch(r"[0-9a-f]{40}", phone_index)
    assert NATIONAL not in phone_index
    assert "+86" not in phone_index
    unkeyed = {hashlib.sha256(value.encode()).hexdigest()[:40] for value in (PHONE_E164, NATIONAL)}
    assert phone_index not in unkeyed  # keyed: a dictionary of all mobiles does not reverse it


@pytest.mark.django_db
def test_secondary_phone_and_id_card_are_encrypted_too(store_a, clerk) -> None:  # type: ignore[no-untyped-def]
    customer = services.create_customer(
        user=clerk,
        data={
            "kind": "person",
            "name": "林晓",
            "phone": "13812345678",
            "phone_secondary": "139-8765-4321",
            "id_card_no": "11010519491231002x",
            "home_store": store_a,
        },
    )

    _phone, _index, secondary, id_card = _raw_columns(customer.pk)

    for run in _digit_runs("13987654321"):
        assert run not in secondary
    for run in _digit_runs("11010519491231002"):
        assert run not in id_card
    assert crypto.decrypt(secondary) == "+8613987654321"
    assert crypto.decrypt(id_card) == "11010519491231002X"
