"""PII key rotation: old ciphertexts stay readable while the ring holds both keys, rotation moves
every stored value to the newest key without changing it, an interrupted run continues where it
stopped (nothing encrypted twice), and afterwards the old key can leave the ring. ``--reindex``
recomputes blind indexes after an index-key change."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tests.factories import CompanyContactFactory, CustomerFactory
from toolcrm.core import crypto, rotation
from toolcrm.core.pii import phone_index
from toolcrm.customers.models import CompanyContact, Customer

K1 = crypto.generate_key_spec("k1")
K2 = crypto.generate_key_spec("k2")
ENCRYPTED_COLUMNS = {
    "customers_customer": ("phone", "phone_secondary", "id_card_no"),
    "customers_companycontact": ("phone",),
}


def _raw_rows(table: str) -> dict[int, dict[str, str]]:
    columns = ENCRYPTED_COLUMNS[table]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(columns)} FROM {table} ORDER BY id")
        return {row[0]: dict(zip(columns, row[1:], strict=True)) for row in cursor.fetchall()}


def _key_ids(table: str) -> list[str]:
    """The key id of every non-empty stored value of ``table``."""
    return [
        crypto.key_id_of(value)
        for row in _raw_rows(table).values()
        for value in row.values()
        if value
    ]


def _plaintexts() -> dict[str, list[tuple[int, str, str, str]]]:
    return {
        "customers": list(
            Customer.objects.order_by("pk").values_list(
                "pk", "phone", "phone_secondary", "id_card_no"
            )
        ),
        "contacts": list(
            CompanyContact.objects.order_by("pk").values_list("pk", "phone", "name", "title")
        ),
    }


@pytest.fixture
def customers_under_k1(settings, store_a):  # type: ignore[no-untyped-def]
    settings.PII_KEYS = K1
    customers = [
        CustomerFactory(home_store=store_a, phone=f"+86138000000{n:02d}") for n in range(4)
    ]
    customers.append(CustomerFactory(home_store=store_a, kind="company", phone="+8613800000004"))
    customers[0].phone_secondary = "+8613912345678"
    customers[0].id_card_no = "11010519491231002X"
    customers[0].save()
    CompanyContactFactory(company=customers[4], phone="+8618600001111")
    return customers


@pytest.mark.django_db
def test_old_ciphertexts_still_read_during_rotation(settings, customers_under_k1, store_a) -> None:  # type: ignore[no-untyped-def]
    before = _plaintexts()
    settings.PII_KEYS = f"{K1},{K2}"

    new = CustomerFactory(home_store=store_a, phone="+8613700000000")

    assert _plaintexts()["customers"][:5] == before["customers"]
    assert _raw_rows("customers_customer")[new.pk]["phone"].startswith("enc:v1:k2:")
    assert set(_key_ids("customers_customer")) == {"k1", "k2"}


@pytest.mark.django_db
def test_rotation_moves_every_value_to_the_newest_key_unchanged(
    settings, customers_under_k1
) -> None:  # type: ignore[no-untyped-def]
    before = _plaintexts()
    indexes_before = list(Customer.objects.order_by("pk").values_list("phone_index", flat=True))
    settings.PII_KEYS = f"{K1},{K2}"
    out = StringIO()

    call_command("rotate_pii_keys", stdout=out)

    assert set(_key_ids("customers_customer")) == {"k2"}
    assert set(_key_ids("customers_companycontact")) == {"k2"}
    assert _plaintexts() == before
    assert list(Customer.objects.order_by("pk").values_list("phone_index", flat=True)) == (
        indexes_before
    )
    assert _raw_rows("customers_customer")[customers_under_k1[1].pk]["phone_secondary"] == ""
    text = out.getvalue()
    assert "Active key: k2" in text
    assert "customers.Customer: 5 rows re-encrypted, 0 already current under k2" in text
    assert "customers.CompanyContact: 1 rows re-encrypted, 0 already current under k2" in text


@pytest.mark.django_db
def test_after_rotation_the_old_key_can_leave_the_ring(settings, customers_under_k1) -> None:  # type: ignore[no-untyped-def]
    before = _plaintexts()
    settings.PII_KEYS = f"{K1},{K2}"
    call_command("rotate_pii_keys", stdout=StringIO())

    settings.PII_KEYS = K2

    assert _plaintexts() == before


@pytest.mark.django_db
def test_second_run_finds_nothing_to_do(settings, customers_under_k1) -> None:  # type: ignore[no-untyped-def]
    settings.PII_KEYS = f"{K1},{K2}"
    call_command("rotate_pii_keys", stdout=StringIO())
    raw_before = _raw_rows("customers_customer")
    out = StringIO()

    call_command("rotate_pii_keys", stdout=out)

    assert _raw_rows("customers_customer") == raw_before
    assert "customers.Customer: 0 rows re-encrypted, 5 already current under k2" in out.getvalue()


@pytest.mark.django_db
def test_interrupted_run_continues_where_it_stopped(
    settings, customers_under_k1, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    before = _plaintexts()
    settings.PII_KEYS = f"{K1},{K2}"
    real_batch = rotation._reencrypt_batch
    calls = {"n": 0}

    def crash_on_second_batch(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("operator pressed Ctrl-C")
        return real_batch(*args, **kwargs)

    monkeypatch.setattr(rotation, "_reencrypt_batch", crash_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        call_command(
            "rotate_pii_keys",
            "--batch-size",
            "2",
            "--model",
            "customers.Customer",
            stdout=StringIO(),
        )

    # The first batch (two lowest pks) is committed under k2; the rest is still k1.
    raw = _raw_rows("customers_customer")
    first, second, *rest = sorted(raw)
    assert crypto.key_id_of(raw[first]["phone"]) == "k2"
    assert crypto.key_id_of(raw[second]["phone"]) == "k2"
    assert {crypto.key_id_of(raw[pk]["phone"]) for pk in rest} == {"k1"}
    assert crypto.key_id_of(raw[first]["phone_secondary"]) == "k2"
    assert crypto.key_id_of(raw[first]["id_card_no"]) == "k2"
    assert rotation.count_stale(Customer) == 3

    monkeypatch.setattr(rotation, "_reencrypt_batch", real_batch)
    out = StringIO()
    call_command("rotate_pii_keys", "--batch-size", "2", stdout=out)

    assert "customers.Customer: 3 rows re-encrypted, 2 already current under k2" in out.getvalue()
    assert "customers.Customer: 3/3" in out.getvalue()
    assert set(_key_ids("customers_customer")) == {"k2"}
    assert set(_key_ids("customers_companycontact")) == {"k2"}
    # Nothing encrypted twice: each stored value decrypts straight to the original plaintext.
    for row in _raw_rows("customers_customer").values():
        for value in row.values():
            if value:
                assert not crypto.decrypt(value).startswith(crypto.PREFIX)
    settings.PII_KEYS = K2
    assert _plaintexts() == before


@pytest.mark.django_db
def test_rotation_of_one_model_leaves_the_others(settings, customers_under_k1) -> None:  # type: ignore[no-untyped-def]
    settings.PII_KEYS = f"{K1},{K2}"

    call_command("rotate_pii_keys", "--model", "customers.CompanyContact", stdout=StringIO())

    assert set(_key_ids("customers_companycontact")) == {"k2"}
    assert set(_key_ids("customers_customer")) == {"k1"}


@pytest.mark.django_db
def test_a_row_changed_meanwhile_is_not_overwritten(
    settings, customers_under_k1, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    settings.PII_KEYS = f"{K1},{K2}"
    target = customers_under_k1[2]
    real_batch = rotation._reencrypt_batch

    def app_writes_first(model, fields, rows, ring, progress):  # type: ignore[no-untyped-def]
        # The application saves a new phone after the batch was read, before it is written.
        Customer.objects.filter(pk=target.pk).update(phone="+8613011112222")
        return real_batch(model, fields, rows, ring, progress)

    monkeypatch.setattr(rotation, "_reencrypt_batch", app_writes_first)
    result = rotation.rotate_model(Customer)

    assert result.done == 4
    assert result.skipped_concurrent == 1
    assert Customer.objects.get(pk=target.pk).phone == "+8613011112222"
    assert set(_key_ids("customers_customer")) == {"k2"}


@pytest.mark.django_db
def test_missing_key_stops_with_a_clear_error(settings, customers_under_k1) -> None:  # type: ignore[no-untyped-def]
    settings.PII_KEYS = K2  # k1 removed before rotating: its rows cannot be decrypted

    with pytest.raises(CommandError, match=r"customers\.\w+ pk=\d+ field phone: unknown PII key"):
        call_command("rotate_pii_keys", stdout=StringIO())

    settings.PII_KEYS = K1
    assert set(_key_ids("customers_customer")) == {"k1"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "customers.Nope"], "unknown model"),
        (["--model", "nodot"], "unknown model"),
        (["--model", "stores.Store"], "has no encrypted fields"),
        (["--batch-size", "0"], "at least 1"),
    ],
)
def test_bad_options_are_refused(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("rotate_pii_keys", *args, stdout=StringIO())


def test_encrypted_models_are_discovered_from_the_app_registry() -> None:
    labels = {model._meta.label for model in rotation.encrypted_models()}

    assert {"customers.Customer", "customers.CompanyContact"} <= labels
    assert "stores.Store" not in labels


@pytest.mark.django_db
def test_reindex_recomputes_blind_indexes_after_an_index_key_change(
    settings, customers_under_k1
) -> None:  # type: ignore[no-untyped-def]
    raw_before = _raw_rows("customers_customer")
    settings.PII_INDEX_KEY = "bmV3LWluZGV4LWtleS1mb3ItdGVzdHMtMzItYnl0ZXMhIQ=="
    assert not Customer.objects.filter(phone_index=phone_index("13800000003")).exists()
    out = StringIO()

    call_command("rotate_pii_keys", "--reindex", "--batch-size", "2", stdout=out)

    assert Customer.objects.get(phone_index=phone_index("13800000003")) == customers_under_k1[3]
    assert (
        Customer.objects.get(phone_secondary_index=phone_index("139 1234 5678"))
        == (customers_under_k1[0])
    )
    assert CompanyContact.objects.filter(phone_index=phone_index("186 0000 1111")).exists()
    assert _raw_rows("customers_customer") == raw_before  # ciphertexts untouched
    assert "customers.Customer: 5 rows reindexed, 0 already current" in out.getvalue()

    second = StringIO()
    call_command("rotate_pii_keys", "--reindex", stdout=second)
    assert "customers.Customer: 0 rows reindexed, 5 already current" in second.getvalue()


@pytest.mark.django_db
def test_stale_rows_are_selected_in_sql_on_the_raw_ciphertext(settings, customers_under_k1) -> None:  # type: ignore[no-untyped-def]
    """The key-id filter must compare stored strings, not encrypt the lookup value: checked on
    whichever database the suite runs on (SQLite locally, PostgreSQL in CI)."""
    settings.PII_KEYS = f"{K1},{K2}"
    assert rotation.count_stale(Customer) == 5

    Customer.objects.filter(pk=customers_under_k1[0].pk).update(
        phone=crypto.encrypt("+8613800000000"),
        phone_secondary=crypto.encrypt("+8613912345678"),
        id_card_no=crypto.encrypt("11010519491231002X"),
    )

    assert rotation.count_stale(Customer) == 4


@pytest.mark.django_db
def test_key_ids_differing_only_in_case_are_different_keys(settings, store_a) -> None:  # type: ignore[no-untyped-def]
    """SQLite's LIKE ignores case; the key-id comparison must not."""
    upper = crypto.generate_key_spec("K2")
    settings.PII_KEYS = upper
    customer = CustomerFactory(home_store=store_a, phone="+8613800000009")
    settings.PII_KEYS = f"{upper},{K2}"

    assert rotation.count_stale(Customer) == 1
    rotation.rotate_model(Customer)

    assert _key_ids("customers_customer") == ["k2"]
    assert Customer.objects.get(pk=customer.pk).phone == "+8613800000009"
