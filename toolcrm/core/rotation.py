"""PII key rotation: re-encrypt every encrypted column under the newest key, or recompute the
blind indexes after a ``PII_INDEX_KEY`` change.

Both walk each model that has ``EncryptedTextField`` columns in primary-key order, in batches, each
batch in its own transaction. Rotation selects only rows holding a ciphertext that is *not* under
the active key (the key id is part of the stored value, ``enc:v1:<kid>:…``), so an interrupted run
simply continues where it stopped when started again, and a finished run is a no-op. Values are
decrypted and encrypted again; a ciphertext is never encrypted twice. Each row is written with a
compare-and-swap ``UPDATE … WHERE pk = … AND column = <the ciphertext read>``, so a row that the
application changes meanwhile is left alone rather than overwritten with stale data (a re-run
picks it up if it still needs it). The blind index does not depend on the encryption key, so
rotation never touches it. ``manage.py rotate_pii_keys`` is the thin command around this module.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import F, Model, Q, QuerySet, TextField
from django.db.models.functions import Cast, Substr

from toolcrm.core import crypto
from toolcrm.core.fields import EncryptedTextField, encrypted_fields

DEFAULT_BATCH_SIZE = 500


class RotationError(Exception):
    """A stored value cannot be decrypted with the configured key ring (e.g. its key was
    removed from ``PII_KEYS`` too early). Batches before the failing one stay committed."""


@dataclass
class ModelProgress:
    """Counters for one model: ``pending`` rows were selected for this run, ``processed`` of them
    have been handled so far (``done`` written, ``skipped_concurrent`` changed meanwhile)."""

    label: str
    total: int = 0
    pending: int = 0
    processed: int = 0
    done: int = 0
    unchanged: int = 0
    skipped_concurrent: int = 0


ProgressCallback = Callable[[ModelProgress], None]


def encrypted_models() -> list[type[Model]]:
    """Every concrete, managed model with at least one encrypted column."""
    return [
        model
        for model in apps.get_models()
        if not model._meta.proxy and model._meta.managed and encrypted_fields(model)
    ]


def resolve_models(label: str | None) -> list[type[Model]]:
    """The models to process: all of them, or the one named ``app_label.ModelName``."""
    if not label:
        return encrypted_models()
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise LookupError(f"unknown model {label!r} (expected app_label.ModelName)") from exc
    if not encrypted_fields(model):
        raise LookupError(f"{model._meta.label} has no encrypted fields")
    return [model]


def _raw_alias(field: EncryptedTextField) -> str:
    return f"_raw_{field.attname}"


def _head_alias(field: EncryptedTextField) -> str:
    return f"_head_{field.attname}"


def _as_text(field: EncryptedTextField) -> Cast:
    return Cast(F(field.attname), output_field=TextField())


def _with_raw_ciphertexts(
    model: type[Model], fields: Sequence[EncryptedTextField]
) -> QuerySet[Any]:
    """The model's rows annotated with each encrypted column as plain text. Casting to a plain
    ``TextField`` means lookups on the annotation compare stored strings as they are: neither
    ``from_db_value`` (decryption) nor ``get_prep_value`` (encryption) applies to them."""
    return model._base_manager.annotate(**{_raw_alias(field): _as_text(field) for field in fields})


def _active_prefix(ring: crypto.KeyRing) -> str:
    return f"{crypto.PREFIX}{ring.active_key_id}:"


def _stale_rows(
    model: type[Model], fields: Sequence[EncryptedTextField], active_prefix: str
) -> QuerySet[Any]:
    """Rows where at least one column holds a ciphertext under a key other than the active one
    (empty and NULL columns are not ciphertexts and never match). The key id is compared with
    ``=`` on the value's head rather than with ``LIKE``, which is case-insensitive on SQLite."""
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{_raw_alias(field)}__startswith": crypto.PREFIX}) & ~Q(
            **{_head_alias(field): active_prefix}
        )
    heads = {_head_alias(field): Substr(_as_text(field), 1, len(active_prefix)) for field in fields}
    return _with_raw_ciphertexts(model, fields).annotate(**heads).filter(condition)


def _decrypt(ring: crypto.KeyRing, model: type[Model], pk: Any, field: str, raw: str) -> str:
    try:
        return ring.decrypt(raw)
    except crypto.DecryptionError as exc:
        raise RotationError(f"{model._meta.label} pk={pk} field {field}: {exc}") from exc


def _in_batches(
    queryset: QuerySet[Any],
    columns: Sequence[str],
    batch_size: int,
    handle: Callable[[list[tuple[Any, ...]]], None],
) -> None:
    """Read ``(pk, *columns)`` rows in pk order, ``batch_size`` at a time, and hand each batch to
    ``handle`` inside its own transaction: a failure rolls back that batch only."""
    last_pk: Any = None
    while True:
        with transaction.atomic():
            page = queryset.order_by("pk")
            if last_pk is not None:
                page = page.filter(pk__gt=last_pk)
            rows = list(page.values_list("pk", *columns)[:batch_size])
            if not rows:
                return
            handle(rows)
        last_pk = rows[-1][0]


def count_stale(model: type[Model]) -> int:
    """How many rows of ``model`` still hold a ciphertext under a non-active key."""
    fields = encrypted_fields(model)
    return _stale_rows(model, fields, _active_prefix(crypto.key_ring())).count()


def _reencrypt_batch(
    model: type[Model],
    fields: Sequence[EncryptedTextField],
    rows: Sequence[tuple[Any, ...]],
    ring: crypto.KeyRing,
    progress: ModelProgress,
) -> None:
    active = _active_prefix(ring)
    for pk, *raw_values in rows:
        progress.processed += 1
        expected: dict[str, str] = {}
        replacement: dict[str, str] = {}
        for field, raw in zip(fields, raw_values, strict=True):
            if raw and raw.startswith(crypto.PREFIX) and not raw.startswith(active):
                expected[field.attname] = raw
                replacement[field.attname] = ring.encrypt(
                    _decrypt(ring, model, pk, field.attname, raw)
                )
        if not replacement:
            progress.unchanged += 1
            continue
        # ``column=<ciphertext>`` and the new ciphertexts pass through get_prep_value unchanged
        # (they start with crypto.PREFIX), so this is a compare-and-swap on the stored strings.
        written = model._base_manager.filter(pk=pk, **expected).update(**replacement)
        if written:
            progress.done += 1
        else:
            progress.skipped_concurrent += 1


def rotate_model(
    model: type[Model],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: ProgressCallback | None = None,
) -> ModelProgress:
    """Re-encrypt the rows of ``model`` that are not yet under the active key."""
    ring = crypto.key_ring()
    fields = encrypted_fields(model)
    stale = _stale_rows(model, fields, _active_prefix(ring))
    progress = ModelProgress(label=model._meta.label, total=model._base_manager.count())
    progress.pending = stale.count()
    progress.unchanged = progress.total - progress.pending
    if not progress.pending:
        return progress

    def handle(rows: list[tuple[Any, ...]]) -> None:
        _reencrypt_batch(model, fields, rows, ring, progress)
        if on_batch:
            on_batch(progress)

    _in_batches(stale, [_raw_alias(field) for field in fields], batch_size, handle)
    return progress


def _indexed_fields(model: type[Model]) -> list[tuple[EncryptedTextField, str]]:
    """Encrypted fields that have a blind index, with the name of their index column."""
    return [(field, field.index_field) for field in encrypted_fields(model) if field.index_field]


def _reindex_batch(
    model: type[Model],
    indexed: Sequence[tuple[EncryptedTextField, str]],
    rows: Sequence[tuple[Any, ...]],
    ring: crypto.KeyRing,
    progress: ModelProgress,
) -> None:
    for pk, *values in rows:
        progress.processed += 1
        expected: dict[str, str] = {}
        replacement: dict[str, str] = {}
        for position, (field, index_column) in enumerate(indexed):
            raw, current_index = values[2 * position], values[2 * position + 1]
            plaintext = _decrypt(ring, model, pk, field.attname, raw) if raw else ""
            new_index = field.index_value(plaintext)
            if new_index != current_index:
                expected[field.attname] = raw
                replacement[index_column] = new_index
        if not replacement:
            progress.unchanged += 1
            continue
        if model._base_manager.filter(pk=pk, **expected).update(**replacement):
            progress.done += 1
        else:
            progress.skipped_concurrent += 1


def reindex_model(
    model: type[Model],
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    on_batch: ProgressCallback | None = None,
) -> ModelProgress:
    """Recompute every blind index of ``model`` under the current ``PII_INDEX_KEY``. Idempotent:
    rows whose index is already right are not written."""
    indexed = _indexed_fields(model)
    progress = ModelProgress(label=model._meta.label)
    if not indexed:
        return progress
    ring = crypto.key_ring()
    progress.total = progress.pending = model._base_manager.count()
    columns: list[str] = []
    for field, index_column in indexed:
        columns += [_raw_alias(field), index_column]

    def handle(rows: list[tuple[Any, ...]]) -> None:
        _reindex_batch(model, indexed, rows, ring, progress)
        if on_batch:
            on_batch(progress)

    queryset = _with_raw_ciphertexts(model, [field for field, _ in indexed])
    _in_batches(queryset, columns, batch_size, handle)
    return progress
