"""``manage.py create_api_token USERNAME --name "POS 上海浦东店"``: issue an API bearer token.

The token acts as USERNAME (that user's role and store scope apply to every API call), so issue
integration tokens to a dedicated staff user per integration. The plaintext goes to stdout alone,
exactly once (pipe it into the integration's secret store); the database keeps only its SHA-256.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from toolcrm.accounts.models import User
from toolcrm.accounts.services import issue_api_token


class Command(BaseCommand):
    help = (
        "Issue an API bearer token acting as USERNAME and print it once. Deactivate a token in "
        "the admin (API 令牌) to revoke it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="the staff user the token acts as")
        parser.add_argument(
            "--name", required=True, help='what the token is for, e.g. "POS 上海浦东店"'
        )

    def handle(self, *args: Any, username: str, name: str, **options: Any) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        try:
            token, plaintext = issue_api_token(user=user, name=name)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(plaintext)
        self.stderr.write(
            f"Token #{token.pk} “{token.name}” acts as {user.username} ({user.role_label}). "
            "It is shown only now; store it in the integration's secret store. "
            "Send it as: Authorization: Bearer <token>"
        )
