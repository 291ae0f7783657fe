"""``manage.py generate_pii_key KEYID``: print a new, random ``PII_KEYS`` entry.

The entry goes to stdout alone (so it can be piped into a secrets store); the next steps go to
stderr. Key ids already in the configured ring are refused: two keys under one id would make the
older ciphertexts unreadable.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from toolcrm.core import crypto

_KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class Command(BaseCommand):
    help = (
        "Print a new PII_KEYS entry 'KEYID:base64key' (a random AES-256 key). Append it as the "
        "last entry of PII_KEYS, restart, then run 'manage.py rotate_pii_keys'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key_id", help="short id stored with every ciphertext, e.g. 2026q4")

    def handle(self, *args: Any, key_id: str, **options: Any) -> None:
        if not _KEY_ID.match(key_id):
            raise CommandError("KEYID: 1-32 characters of letters, digits, '_', '.' or '-'.")
        try:
            existing = crypto.key_ring().keys
        except ImproperlyConfigured:
            existing = {}  # no ring configured yet: this is the first key
        if key_id in existing:
            raise CommandError(f"Key id {key_id!r} is already in PII_KEYS; choose a new one.")
        self.stdout.write(crypto.generate_key_spec(key_id))
        self.stderr.write(
            "Append this entry as the LAST item of PII_KEYS (comma-separated), keep the old keys, "
            "restart the app and workers, then run: manage.py rotate_pii_keys"
        )
