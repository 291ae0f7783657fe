"""``manage.py demo_logins``: print the demo logins as a table (``make run`` shows it before the
server starts); ``--markdown`` prints the table of README.md, ``--language en`` in English."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from toolcrm.demo.tables import login_rows, markdown_table, text_table


class Command(BaseCommand):
    help = "Print the demo logins (role, username, password, store or region, what they see)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--markdown", action="store_true", help="the README table (role, username, …)"
        )
        parser.add_argument("--language", default="", help="e.g. en or zh-hans")

    def handle(self, *args: Any, markdown: bool, language: str, **options: Any) -> None:
        with translation.override(language or settings.LANGUAGE_CODE):
            rows = login_rows()
            self.stdout.write(markdown_table(rows) if markdown else text_table(rows))
