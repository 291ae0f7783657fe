"""PII encryption core: AES-256-GCM round trip, tamper detection, the key id bound to the
ciphertext, key-ring parsing, the blind index, and ``manage.py generate_pii_key``."""

from __future__ import annotations

import base64
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command

from toolcrm.core import crypto

KEY_A = base64.b64encode(b"A" * 32).decode()
KEY_B = base64.b64encode(b"B" * 32).decode()


def _flip_last_byte(stored: str) -> str:
    kid, blob = crypto.split_ciphertext(stored)
    raw = bytearray(base64.b64decode(blob))
    raw[-1] ^= 0x01
    return f"{crypto.PREFIX}{kid}:{base64.b64encode(bytes(raw)).decode()}"


def test_round_trip_returns_the_plaintext_and_stores_the_key_id() -> None:
    ring = crypto.parse_key_ring(f"k1:{KEY_A}")

    stored = ring.encrypt("+8613812345678")

    assert stored.startswith("enc:v1:k1:")
    assert "13812345678" not in stored
    assert ring.decrypt(stored) == "+8613812345678"


def test_round_trip_keeps_chinese_text() -> None:
    ring = crypto.parse_key_ring(f"k1:{KEY_A}")

    assert (
        ring.decrypt(ring.encrypt("上海市浦东新区张杨路 500 号")) == "上海市浦东新区张杨路 500 号"
    )


def test_same_plaintext_encrypts_differently_each_time() -> None:
    ring = crypto.parse_key_ring(f"k1:{KEY_A}")

    assert ring.encrypt("+8613812345678") != ring.encrypt("+8613812345678")


def test_tampered_ciphertext_raises_decryption_error() -> None:
    ring = crypto.parse_key_ring(f"k1:{KEY_A}")
    stored = ring.encrypt("+8613812345678")

    with pytest.raises(crypto.DecryptionError, match="authentication"):
        ring.decrypt(_flip_last_byte(stored))


def test_key_id_is_authenticated_so_a_value_cannot_be_relabelled() -> None:
    # Both ids hold the same key bytes: only the authenticated key id tells them apart.
    ring = crypto.parse_key_ring(f"k1:{KEY_A},k2:{KEY_A}")
    stored = ring.encrypt("+8613812345678")
    assert crypto.key_id_of(stored) == "k2"

    relabelled = stored.replace("enc:v1:k2:", "enc:v1:k1:", 1)

    with pytest.raises(crypto.DecryptionError):
        ring.decrypt(relabelled)


def test_unknown_key_id_raises_decryption_error_naming_it() -> None:
    old_ring = crypto.parse_key_ring(f"gone:{KEY_A}")
    new_ring = crypto.parse_key_ring(f"k2:{KEY_B}")

    with pytest.raises(crypto.DecryptionError, match="'gone'"):
        new_ring.decrypt(old_ring.encrypt("secret"))


def test_value_without_prefix_is_not_a_ciphertext() -> None:
    ring = crypto.parse_key_ring(f"k1:{KEY_A}")

    with pytest.raises(crypto.DecryptionError, match="not a ToolCRM ciphertext"):
        ring.decrypt("+8613812345678")


def test_wrong_key_under_the_same_id_fails_authentication() -> None:
    stored = crypto.parse_key_ring(f"k1:{KEY_A}").encrypt("secret")

    with pytest.raises(crypto.DecryptionError):
        crypto.parse_key_ring(f"k1:{KEY_B}").decrypt(stored)


def test_last_key_of_the_ring_encrypts_and_every_key_decrypts() -> None:
    old = crypto.parse_key_ring(f"k1:{KEY_A}").encrypt("old value")
    ring = crypto.parse_key_ring(f" k1:{KEY_A} , k2:{KEY_B} ,")

    assert ring.active_key_id == "k2"
    assert crypto.key_id_of(ring.encrypt("new value")) == "k2"
    assert ring.decrypt(old) == "old value"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("", "empty"),
        (" , ", "empty"),
        (KEY_A, "keyid:base64key"),
        (f":{KEY_A}", "keyid:base64key"),
        (f"k1:{base64.b64encode(b'short').decode()}", "32 bytes"),
    ],
)
def test_malformed_key_ring_is_refused(spec: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=message):
        crypto.parse_key_ring(spec)


def test_module_level_helpers_follow_the_settings(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PII_KEYS = f"k1:{KEY_A}"
    stored = crypto.encrypt("value")
    settings.PII_KEYS = f"k1:{KEY_A},k2:{KEY_B}"

    assert crypto.key_ring().active_key_id == "k2"
    assert crypto.decrypt(stored) == "value"
    assert crypto.key_id_of(crypto.encrypt("value")) == "k2"


def test_blind_index_is_deterministic_purpose_separated_and_keyed(settings) -> None:  # type: ignore[no-untyped-def]
    first = crypto.blind_index("+8613812345678", purpose="phone")

    assert first == crypto.blind_index("+8613812345678", purpose="phone")
    assert len(first) == 40
    assert "13812345678" not in first
    assert first != crypto.blind_index("+8613812345678", purpose="id_card")
    assert first != crypto.blind_index("+8613812345679", purpose="phone")
    settings.PII_INDEX_KEY = base64.b64encode(b"another-index-key-of-32-bytes!!!").decode()
    assert crypto.blind_index("+8613812345678", purpose="phone") != first


def test_short_index_key_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PII_INDEX_KEY = base64.b64encode(b"too short").decode()

    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        crypto.blind_index("x", purpose="phone")


def test_generate_key_spec_is_a_valid_ring_entry() -> None:
    spec = crypto.generate_key_spec("2026q4")

    ring = crypto.parse_key_ring(spec)
    assert list(ring.keys) == ["2026q4"]
    assert len(ring.keys["2026q4"]) == 32
    assert crypto.generate_key_spec("2026q4") != spec


def test_generate_pii_key_command_prints_only_the_new_entry(settings) -> None:  # type: ignore[no-untyped-def]
    settings.PII_KEYS = f"k1:{KEY_A}"
    out, err = StringIO(), StringIO()

    call_command("generate_pii_key", "k2", stdout=out, stderr=err)

    entry = out.getvalue().strip()
    assert entry.startswith("k2:")
    assert len(crypto.parse_key_ring(entry).keys["k2"]) == 32
    ring = crypto.parse_key_ring(f"{settings.PII_KEYS},{entry}")
    assert ring.active_key_id == "k2"
    assert "rotate_pii_keys" in err.getvalue()


@pytest.mark.parametrize("key_id", ["k1", "bad:id", "bad,id", "has space", "x" * 33])
def test_generate_pii_key_refuses_existing_or_malformed_ids(settings, key_id: str) -> None:  # type: ignore[no-untyped-def]
    settings.PII_KEYS = f"k1:{KEY_A}"
    out = StringIO()

    with pytest.raises(CommandError):
        call_command("generate_pii_key", key_id, stdout=out, stderr=StringIO())

    assert out.getvalue() == ""
