"""``manage.py rotate_pii_keys``: re-encrypt every encrypted PII column under the newest key of
``PII_KEYS`` (or, with ``--reindex``, recompute the blind indexes after a ``PII_INDEX_KEY``
change). Safe to interrupt and run again: it continues where it stopped. The work is in
``toolcrm.core.rotation``; this command parses options and prints progress.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from toolcrm.core import crypto, rotation


class Command(BaseCommand):
    help = (
        "Re-encrypt every EncryptedTextField value under the active (last) key of PII_KEYS, in "
        "primary-key order and in batches of one transaction each; re-running continues an "
        "interrupted run. With --reindex, recompute the blind-index columns instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=rotation.DEFAULT_BATCH_SIZE,
            help="rows per transaction (default %(default)s)",
        )
        parser.add_argument(
            "--model", dest="model_label", help="only this model, as app_label.ModelName"
        )
        parser.add_argument(
            "--reindex",
            action="store_true",
            help="recompute blind indexes under the current PII_INDEX_KEY (no re-encryption)",
        )

    def handle(
        self,
        *args: Any,
        batch_size: int,
        model_label: str | None,
        reindex: bool,
        **options: Any,
    ) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            models = rotation.resolve_models(model_label)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        ring = crypto.key_ring()
        if reindex:
            self.stdout.write("Recomputing blind indexes under the current PII_INDEX_KEY.")
        else:
            self.stdout.write(f"Active key: {ring.active_key_id} (ring: {', '.join(ring.keys)}).")
        for model in models:
            try:
                if reindex:
                    result = rotation.reindex_model(
                        model, batch_size=batch_size, on_batch=self._report_batch
                    )
                else:
                    result = rotation.rotate_model(
                        model, batch_size=batch_size, on_batch=self._report_batch
                    )
            except rotation.RotationError as exc:
                raise CommandError(
                    f"{exc}. Batches before this one are committed; fix the key ring and run "
                    "the command again to continue."
                ) from exc
            self._report_model(result, reindex=reindex, active_key_id=ring.active_key_id)
        self.stdout.write(self.style.SUCCESS("Done."))

    def _report_batch(self, progress: rotation.ModelProgress) -> None:
        self.stdout.write(f"  {progress.label}: {progress.processed}/{progress.pending}")

    def _report_model(
        self, result: rotation.ModelProgress, *, reindex: bool, active_key_id: str
    ) -> None:
        if reindex:
            line = (
                f"{result.label}: {result.done} rows reindexed, {result.unchanged} already current"
            )
        else:
            line = (
                f"{result.label}: {result.done} rows re-encrypted, "
                f"{result.unchanged} already current under {active_key_id}"
            )
        if result.skipped_concurrent:
            line += f", {result.skipped_concurrent} changed concurrently and left for the next run"
        self.stdout.write(line)
