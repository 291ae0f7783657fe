"""``manage.py import_data KIND FILE --mapping NAME [--dry-run] [--user USERNAME]``: import a
file the way the UI does (same services, same error report), synchronously, and print the
outcome counts and where the error report was written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from toolcrm.core.roles import Role
from toolcrm.integrations import selectors, services
from toolcrm.integrations.choices import ImportKind, ImportStatus
from toolcrm.integrations.models import MappingProfile
from toolcrm.integrations.parsing import TableError


class Command(BaseCommand):
    help = "Import customers, orders, products or stock levels from a CSV or .xlsx file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--mapping",
            default="",
            help="Name of a saved mapping profile (default: match the file's header names).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")
        parser.add_argument("--user", default="", help="Import as this user (default: an admin).")

    def handle(self, *args: Any, **options: Any) -> None:
        kind: str = options["kind"]
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        profile = None
        if options["mapping"]:
            profile = MappingProfile.objects.filter(kind=kind, name=options["mapping"]).first()
            if profile is None:
                raise CommandError(f"No {kind} mapping profile named {options['mapping']!r}")
        user = self._user(options["user"])
        try:
            job = services.import_file(
                user=user,
                kind=kind,
                content=path.read_bytes(),
                filename=path.name,
                profile=profile,
                is_dry_run=options["dry_run"],
            )
        except TableError as error:
            raise CommandError(f"{error.message_in('zh-hans')}\n{error.message_in('en')}") from None
        except (PermissionDenied, ValidationError) as error:
            raise CommandError(str(error)) from None
        if job.status == ImportStatus.FAILED:
            raise CommandError(f"{job.failure_zh}\n{job.failure_en}")
        prefix = "DRY RUN (nothing written): " if job.is_dry_run else ""
        self.stdout.write(
            f"{prefix}job {job.pk}: {job.processed_rows} rows; created {job.created_count}, "
            f"updated {job.updated_count}, unchanged {job.skipped_count}, "
            f"rows with errors {job.error_count}; path: {job.import_path or '-'}"
        )
        if job.error_count:
            report = Path(settings.MEDIA_ROOT) / "imports" / "reports" / f"job-{job.pk}-errors.csv"
            report.parent.mkdir(parents=True, exist_ok=True)
            report.write_bytes(selectors.error_report_csv(job))
            self.stdout.write(f"error report: {report}")

    def _user(self, username: str) -> Any:
        users = get_user_model().objects.filter(is_active=True)
        user = (
            users.filter(username=username).first()
            if username
            else users.filter(role=Role.ADMIN).order_by("pk").first()
        )
        if user is None:
            raise CommandError(f"No active user {username!r}" if username else "No admin user")
        return user
