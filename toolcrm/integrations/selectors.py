"""Reads of the integrations app, scoped to the acting user: the import jobs they may see (their
own uploads, and jobs of the stores in their scope), one job by id (404 otherwise), mapping
profiles, and the error report of a job as CSV (UTF-8 with BOM, so Excel opens it). For identity
resolution: the open duplicate candidates in scope (the review queue), the live candidates of one
customer, the merge records in scope (both customers' stores visible to the user), one by id,
and the side-by-side comparison the merge screen shows (masked PII, counts of rows to move)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from toolcrm.core.pii import mask_id_card, mask_phone
from toolcrm.core.roles import Capability, has_capability
from toolcrm.core.scoping import ALL_STORES, restrict_to_stores, store_ids_for
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.integrations.choices import ImportStatus, MatchStatus
from toolcrm.integrations.identity import Match, evidence_text, find_candidates
from toolcrm.integrations.merge import ENCRYPTED_FIELDS, MERGEABLE_FIELDS, MOVED_TABLES
from toolcrm.integrations.models import (
    ImportJob,
    ImportRowError,
    MappingProfile,
    MatchCandidate,
    MergeRecord,
)

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


def merge_records_visible_to(user: Any) -> QuerySet[MergeRecord]:
    """Merges whose two customers both belong to stores in the user's scope, newest first."""
    queryset = MergeRecord.objects.select_related(
        "survivor", "merged", "performed_by", "undone_by"
    ).order_by("-performed_at", "-pk")
    if not has_capability(user, Capability.MERGE_CUSTOMERS):
        return queryset.none()
    queryset = restrict_to_stores(queryset, user, store_field="survivor__home_store")
    return restrict_to_stores(queryset, user, store_field="merged__home_store")


def fields_taken_from_merged(record: MergeRecord) -> list[str]:
    """Labels of the fields whose value the merge took from the merged customer (the history
    shows what changed on the survivor)."""
    return [
        str(label)
        for name, label in MERGEABLE_FIELDS.items()
        if record.field_choices.get(name) == "other"
    ]


def get_merge_for(*, user: Any, merge_id: int) -> MergeRecord:
    try:
        return merge_records_visible_to(user).get(pk=merge_id)
    except MergeRecord.DoesNotExist as exc:
        raise Http404("merge not found") from exc


@dataclass(frozen=True)
class FieldComparison:
    name: str
    label: str
    survivor_value: str
    other_value: str

    @property
    def is_different(self) -> bool:
        return self.survivor_value != self.other_value


@dataclass(frozen=True)
class MergeComparison:
    fields: list[FieldComparison]
    moves: list[tuple[str, int]]  # (label, rows of the other customer that will move)

    @property
    def differing(self) -> list[FieldComparison]:
        return [field for field in self.fields if field.is_different]


def _display(customer: Customer, name: str) -> str:
    value = getattr(customer, name)
    if not value:
        return ""
    if name in ENCRYPTED_FIELDS:
        return mask_id_card(value) if name == "id_card_no" else mask_phone(value)
    if name == "home_store":
        return str(customer.home_store.name)
    display = getattr(customer, f"get_{name}_display", None)
    return str(display()) if display else str(value)


def merge_comparison(*, survivor: Customer, other: Customer) -> MergeComparison:
    """Both customers' mergeable fields side by side (PII masked: two different values can mask
    alike, so differences are decided on the real values) and what will move."""
    fields = []
    for name, label in MERGEABLE_FIELDS.items():
        survivor_display, other_display = _display(survivor, name), _display(other, name)
        if getattr(survivor, name) != getattr(other, name) and survivor_display == other_display:
            other_display += " *"
        fields.append(FieldComparison(name, str(label), survivor_display, other_display))
    moves = [(str(table.label), table.rows_of(other).count()) for table in MOVED_TABLES]
    return MergeComparison(fields=fields, moves=moves)


def candidate_queue(user: Any) -> QuerySet[MatchCandidate]:
    """Open candidates whose two customers are both active and visible to the user."""
    if not has_capability(user, Capability.MERGE_CUSTOMERS):
        return MatchCandidate.objects.none()
    visible = customers_visible_to(user).values("pk")
    return (
        MatchCandidate.objects.filter(
            status=MatchStatus.OPEN, customer__in=visible, other__in=visible
        )
        .select_related("customer__home_store", "other__home_store")
        .order_by("-score", "-found_at", "pk")
    )


def candidate_evidence(candidate: MatchCandidate) -> list[str]:
    return [evidence_text(item) for item in candidate.evidence]


def candidates_for(*, user: Any, customer: Customer) -> list[Match]:
    """Live matches of one customer among the customers the user may see, without the pairs
    already dismissed."""
    matches = find_candidates(customer=customer)
    visible = set(
        customers_visible_to(user)
        .filter(pk__in=[m.other.pk for m in matches])
        .values_list("pk", flat=True)
    )
    dismissed = set(
        MatchCandidate.objects.filter(status=MatchStatus.DISMISSED)
        .filter(Q(customer=customer) | Q(other=customer))
        .values_list("customer_id", "other_id")
    )
    return [
        match
        for match in matches
        if match.other.pk in visible
        and (min(customer.pk, match.other.pk), max(customer.pk, match.other.pk)) not in dismissed
    ]
