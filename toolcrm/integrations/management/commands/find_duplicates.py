"""``manage.py find_duplicates [--customer ID …] [--auto-merge --user USERNAME]``: store duplicate
candidates for the review queue, for every active customer or for the given ones (the same work
as the task); with ``--auto-merge``, then merge the candidates that only deterministic keys
support, as the named user (who needs the merge capability, and is recorded on each merge)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from toolcrm.integrations.identity import scan_duplicates
from toolcrm.integrations.merge import auto_merge_deterministic


class Command(BaseCommand):
    help = "Find customers that may be duplicates and add them to the review queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--customer", type=int, action="append", dest="customer_ids", help="customer id"
        )
        parser.add_argument(
            "--auto-merge",
            action="store_true",
            help="merge candidates supported only by deterministic keys",
        )
        parser.add_argument("--user", default="", help="username recorded on automatic merges")

    def handle(self, *args: Any, **options: Any) -> None:
        user = None
        if options["auto_merge"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError("--auto-merge needs --user USERNAME of an existing user")
        written = scan_duplicates(customer_ids=options["customer_ids"])
        self.stdout.write(f"candidates written: {written}")
        if user is not None:
            merged = auto_merge_deterministic(user=user)
            self.stdout.write(f"merged automatically: {len(merged)}")
