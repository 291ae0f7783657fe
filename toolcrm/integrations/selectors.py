"""Reads of the integrations app, scoped to the acting user: the import jobs they may see (their
own uploads, and jobs of the stores in their scope), one job by id (404 otherwise), mapping
profiles, and the error report of a job as CSV (UTF-8 with BOM, so Excel opens it)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from toolcrm.core.roles import Capability, has_capability
from toolcrm.core.scoping import ALL_STORES, store_ids_for
from toolcrm.integrations.choices import ImportStatus
from toolcrm.integrations.models import ImportJob, ImportRowError, MappingProfile

REPORT_COLUMNS = ("原始行号/row", "列/column", "值/value", "原因/reason (zh)", "reason (en)")


def import_jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    queryset = ImportJob.objects.select_related("uploaded_by", "store").order_by("-created_at")
    if not has_capability(user, Capability.IMPORT_DATA):
        return queryset.none()
    store_ids = store_ids_for(user)
    if store_ids is ALL_STORES:
        return queryset
    return queryset.filter(Q(uploaded_by=user) | Q(store_id__in=sorted(store_ids or ())))


def get_import_job_for(*, user: Any, job_id: int) -> ImportJob:
    try:
        return import_jobs_visible_to(user).get(pk=job_id)
    except ImportJob.DoesNotExist as exc:
        raise Http404("import job not found") from exc


def mapping_profiles(*, user: Any, kind: str = "") -> QuerySet[MappingProfile]:
    if not has_capability(user, Capability.IMPORT_DATA):
        return MappingProfile.objects.none()
    queryset = MappingProfile.objects.all()
    return queryset.filter(kind=kind) if kind else queryset


def earlier_imports_of_same_file(job: ImportJob) -> QuerySet[ImportJob]:
    """Finished real imports of the same file content and kind (the preview warns about them;
    importing again is safe but changes nothing)."""
    return ImportJob.objects.filter(
        sha256=job.sha256, kind=job.kind, status=ImportStatus.DONE, is_dry_run=False
    ).exclude(pk=job.pk)


def job_errors(job: ImportJob, *, limit: int = 50) -> list[ImportRowError]:
    return list(job.row_errors.order_by("row_number", "pk")[:limit])


def error_report_csv(job: ImportJob) -> bytes:
    """One line per rejected row: the row's original cells (so the report, corrected, can be
    imported again: the importer ignores the appended columns) and then the row number, the
    columns, values and reasons of its problems (several joined with "；")."""
    grouped: dict[int, list[ImportRowError]] = {}
    columns: list[str] = []
    for error in job.row_errors.order_by("row_number", "pk").iterator():
        grouped.setdefault(error.row_number, []).append(error)
        columns.extend(column for column, _text in error.row_data if column not in columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*columns, *REPORT_COLUMNS])
    for number, errors in grouped.items():
        data: dict[str, str] = dict(next((e.row_data for e in errors if e.row_data), []))
        writer.writerow(
            [
                *(data.get(column, "") for column in columns),
                number,
                "；".join(e.column for e in errors),
                "；".join(e.value for e in errors),
                "；".join(e.message_zh for e in errors),
                "; ".join(e.message_en for e in errors),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
