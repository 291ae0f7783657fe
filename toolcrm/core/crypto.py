"""AES-256-GCM encryption of PII with a key ring, and a keyed HMAC blind index.

A ciphertext is stored as ``enc:v1:<key id>:<base64(nonce || ciphertext+tag)>``. The key id travels
with every value, so old rows stay readable while ``manage.py rotate_pii_keys`` moves them to the
newest key. The key id is also authenticated (it is the GCM associated data), so a value cannot be
relabelled to another key. The blind index is HMAC-SHA256 under a separate key over the
*normalised* value, which makes "find by phone" an indexed exact match without storing the phone.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "enc:v1:"
NONCE_BYTES = 12


class DecryptionError(ValueError):
    """A stored value could not be decrypted (unknown key id or tampered ciphertext)."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict[str, bytes]
    active_key_id: str

    def encrypt(self, plaintext: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        kid = self.active_key_id
        sealed = AESGCM(self.keys[kid]).encrypt(nonce, plaintext.encode(), kid.encode())
        return f"{PREFIX}{kid}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str) -> str:
        kid, blob = split_ciphertext(stored)
        key = self.keys.get(kid)
        if key is None:
            raise DecryptionError(f"unknown PII key id {kid!r}")
        raw = base64.b64decode(blob)
        try:
            plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], kid.encode())
        except Exception as exc:  # InvalidTag: wrong key or tampered value
            raise DecryptionError("PII ciphertext failed authentication") from exc
        return plain.decode()


def split_ciphertext(stored: str) -> tuple[str, str]:
    if not stored.startswith(PREFIX):
        raise DecryptionError("value is not a ToolCRM ciphertext")
    kid, _, blob = stored[len(PREFIX) :].partition(":")
    return kid, blob


def key_id_of(stored: str) -> str:
    return split_ciphertext(stored)[0]


def parse_key_ring(spec: str) -> KeyRing:
    """Parse ``"k1:base64,k2:base64"``; the last entry is the active (encrypting) key."""
    keys: dict[str, bytes] = {}
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        kid, sep, b64 = item.partition(":")
        if not sep or not kid or ":" in kid:
            raise ImproperlyConfigured("PII_KEYS entries look like 'keyid:base64key'")
        key = base64.b64decode(b64)
        if len(key) != 32:
            raise ImproperlyConfigured(f"PII key {kid!r} must be 32 bytes (AES-256)")
        keys[kid] = key
    if not keys:
        raise ImproperlyConfigured("PII_KEYS is empty")
    return KeyRing(keys=keys, active_key_id=list(keys)[-1])


@lru_cache(maxsize=4)
def _ring_for(spec: str) -> KeyRing:
    return parse_key_ring(spec)


def key_ring() -> KeyRing:
    return _ring_for(settings.PII_KEYS)


def encrypt(plaintext: str) -> str:
    return key_ring().encrypt(plaintext)


def decrypt(stored: str) -> str:
    return key_ring().decrypt(stored)


@lru_cache(maxsize=4)
def _index_key(spec: str) -> bytes:
    key = base64.b64decode(spec)
    if len(key) < 32:
        raise ImproperlyConfigured("PII_INDEX_KEY must be at least 32 bytes")
    return key


def blind_index(normalised_value: str, *, purpose: str) -> str:
    """HMAC-SHA256 of a normalised value, domain-separated by purpose ("phone", "id_card")."""
    key = _index_key(settings.PII_INDEX_KEY)
    message = f"{purpose}\x00{normalised_value}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:40]


def generate_key_spec(key_id: str) -> str:
    """A new ``id:base64`` entry for PII_KEYS (used by docs and ``manage.py generate_pii_key``)."""
    return f"{key_id}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"
