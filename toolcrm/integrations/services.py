"""Every write of the integrations app: saving a column-mapping profile, creating an import job
from an uploaded file, setting its mapping, starting it (the task is queued on commit) and
running it (chunk by chunk, resumable), plus the dry run and the preview, which run the same
code inside a transaction that is rolled back.

Permissions: ``Capability.IMPORT_DATA`` for every kind, ``Capability.IMPORT_CATALOG`` for
products (chain-wide data). The default store of a job must be in the uploader's scope, and each
row's store is checked again by the importer."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from toolcrm.core.pii import to_halfwidth
from toolcrm.core.roles import Capability, has_capability
from toolcrm.core.scoping import ALL_STORES, store_ids_for
from toolcrm.integrations import bulk_orders
from toolcrm.integrations.choices import ImportKind, ImportPath, ImportStatus
from toolcrm.integrations.importers import IMPORTERS, FieldSpec, Importer
from toolcrm.integrations.models import ImportJob, ImportRowError, MappingProfile
from toolcrm.integrations.parsing import Table, TableError, read_table
from toolcrm.integrations.runner import Tally, process
from toolcrm.stores.models import Store

MISSING_COLUMN = gettext_lazy("缺少必需的列：%(value)s（%(field)s）。未导入任何数据。")
UNMAPPED_FIELD = gettext_lazy("必填字段“%(field)s”没有对应的列。未导入任何数据。")
PREVIEW_ROWS = 20


def kinds_for(user: Any) -> list[str]:
    """The import kinds the user may run."""
    if not has_capability(user, Capability.IMPORT_DATA):
        return []
    return [
        kind
        for kind in ImportKind.values
        if kind != ImportKind.PRODUCTS or has_capability(user, Capability.IMPORT_CATALOG)
    ]


def _require_kind(user: Any, kind: str) -> None:
    if kind not in kinds_for(user):
        raise PermissionDenied(Capability.IMPORT_DATA.value)


def field_specs(kind: str) -> tuple[FieldSpec, ...]:
    return IMPORTERS[kind].fields


def guess_mapping(kind: str, header: Sequence[str]) -> dict[str, str]:
    """Each field mapped onto the first column whose name is one of its aliases (or its own
    name or label), ignoring case and spaces."""

    def fold(text: str) -> str:
        return to_halfwidth(text).replace(" ", "").lower()

    exact = {fold(name): name for name in reversed(header)}
    # "会员-手机" under a merged "会员" header also answers to "手机".
    by_sub_header = {fold(name.rsplit("-", 1)[-1]): name for name in reversed(header)}
    mapping: dict[str, str] = {}
    for columns in (exact, by_sub_header):
        for spec in field_specs(kind):
            if spec.name in mapping:
                continue
            for alias in (spec.name, str(spec.label), *spec.aliases):
                column = columns.get(fold(alias))
                if column is not None and column not in mapping.values():
                    mapping[spec.name] = column
                    break
    return mapping


def check_columns(*, kind: str, mapping: Mapping[str, str], header: Sequence[str]) -> None:
    """Raise TableError naming the first required field that has no column in the file."""
    for spec in IMPORTERS[kind].required_fields():
        column = mapping.get(spec.name, "")
        if not column:
            raise TableError(
                UNMAPPED_FIELD, code="unmapped_field", value=spec.name, params={"field": spec.label}
            )
        if column not in header:
            raise TableError(
                MISSING_COLUMN,
                code="missing_column",
                value=column,
                params={"field": spec.label},
            )


@transaction.atomic
def save_mapping_profile(
    *, user: Any, kind: str, name: str, source_label: str, mapping: Mapping[str, str]
) -> MappingProfile:
    _require_kind(user, kind)
    known = {spec.name for spec in field_specs(kind)}
    clean = {k: v for k, v in mapping.items() if k in known and v}
    name = name.strip()
    if not name:
        raise ValidationError({"profile_name": _("请填写方案名称。")})
    profile, _created = MappingProfile.objects.update_or_create(
        kind=kind,
        name=name[:60],
        defaults={"source_label": source_label.strip()[:60], "mapping": clean},
        create_defaults={
            "source_label": source_label.strip()[:60],
            "mapping": clean,
            "created_by": user,
        },
    )
    return profile


def _check_store(user: Any, store: Store | None) -> None:
    allowed = store_ids_for(user)
    if store is not None and allowed is not ALL_STORES and store.pk not in (allowed or ()):
        raise ValidationError({"store": _("只能选择您有权限的门店。")})


def default_store_for(user: Any) -> Store | None:
    """The store rows without a store column go to: the user's own store, if they have one."""
    store_id = getattr(user, "store_id", None)
    return Store.objects.filter(pk=store_id).first() if store_id else None


@transaction.atomic
def create_import_job(
    *,
    user: Any,
    kind: str,
    content: bytes,
    filename: str,
    store: Store | None = None,
    profile: MappingProfile | None = None,
    is_dry_run: bool = False,
) -> ImportJob:
    """Store the upload as a draft job; raises TableError when the file cannot be read."""
    _require_kind(user, kind)
    store = store or default_store_for(user)
    _check_store(user, store)
    table = read_table(content, filename=filename)
    # A profile's mapping is kept whole: a column it names that the file lacks is reported by
    # name when the import starts (and shows as unmapped on the mapping page).
    mapping = dict(profile.mapping) if profile else {}
    job = ImportJob(
        kind=kind,
        original_filename=filename[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        mapping=mapping or guess_mapping(kind, table.header),
        mapping_profile=profile,
        store=store,
        uploaded_by=user,
        is_dry_run=is_dry_run,
    )
    job.file.save(filename, ContentFile(content), save=False)
    job.full_clean()
    job.save()
    return job


@transaction.atomic
def set_job_mapping(*, user: Any, job: ImportJob, mapping: Mapping[str, str]) -> ImportJob:
    _require_kind(user, job.kind)
    if job.status != ImportStatus.DRAFT:
        raise ValidationError(_("导入已开始，不能再修改列对应。"))
    known = {spec.name for spec in field_specs(job.kind)}
    job.mapping = {k: v for k, v in mapping.items() if k in known and v}
    job.save(update_fields=["mapping"])
    return job


@transaction.atomic
def start_import_job(*, user: Any, job: ImportJob) -> ImportJob:
    """Queue a draft job; the task runs once the transaction commits."""
    from toolcrm.integrations.tasks import run_import_job as run_task

    _require_kind(user, job.kind)
    if job.status != ImportStatus.DRAFT:
        return job
    check_columns(kind=job.kind, mapping=job.mapping, header=read_job_table(job).header)
    job.status = ImportStatus.QUEUED
    job.save(update_fields=["status"])
    job_id = job.pk
    transaction.on_commit(lambda: run_task.enqueue(job_id))
    return job


def import_file(
    *,
    user: Any,
    kind: str,
    content: bytes,
    filename: str,
    profile: MappingProfile | None = None,
    is_dry_run: bool = False,
) -> ImportJob:
    """Create a job for a file and run it now (the command line's way): the mapping is the
    profile's, else the one guessed from the header names."""
    job = create_import_job(
        user=user,
        kind=kind,
        content=content,
        filename=filename,
        profile=profile,
        is_dry_run=is_dry_run,
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    return run_import_job(job_id=job.pk)


def read_job_table(job: ImportJob) -> Table:
    with job.file.open("rb") as handle:
        content = handle.read()
    return read_table(content, filename=job.original_filename)


def _importer(job: ImportJob) -> Importer:
    return IMPORTERS[job.kind](user=job.uploaded_by, mapping=job.mapping, default_store=job.store)


def _fail(job: ImportJob, error: TableError) -> ImportJob:
    job.status = ImportStatus.FAILED
    job.failure_zh = error.message_in("zh-hans")
    job.failure_en = error.message_in("en")
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "failure_zh", "failure_en", "finished_at"])
    return job


def _error_rows(job: ImportJob, tally: Tally) -> list[ImportRowError]:
    return [
        ImportRowError(
            job=job,
            row_number=problem.row_number,
            column=problem.column[:100],
            value=problem.value,
            code=problem.code[:40],
            message_zh=problem.message_zh,
            message_en=problem.message_en,
            row_data=data,
        )
        for problem, data in tally.problems
    ]


def _save_progress(job: ImportJob, tally: Tally) -> None:
    ImportRowError.objects.bulk_create(_error_rows(job, tally))
    ImportJob.objects.filter(pk=job.pk).update(
        processed_rows=F("processed_rows") + tally.processed_rows,
        created_count=F("created_count") + tally.created,
        updated_count=F("updated_count") + tally.updated,
        skipped_count=F("skipped_count") + tally.skipped,
        error_count=F("error_count") + tally.error_rows,
    )


def run_import_job(*, job_id: int) -> ImportJob:
    """Run (or resume) a job. Safe to call twice: a finished job is returned as it is; an
    interrupted one continues after its last committed chunk."""
    job = ImportJob.objects.select_related("uploaded_by", "store").get(pk=job_id)
    if job.is_finished:
        return job
    try:
        table = read_job_table(job)
        check_columns(kind=job.kind, mapping=job.mapping, header=table.header)
    except TableError as error:
        return _fail(job, error)
    if not has_capability(job.uploaded_by, Capability.IMPORT_DATA):
        raise PermissionDenied(Capability.IMPORT_DATA.value)
    job.status = ImportStatus.RUNNING
    job.started_at = job.started_at or timezone.now()
    job.total_rows = sum(1 for _row in table.rows())
    if not job.import_path:  # chosen once: a resumed job stays on its path
        is_bulk = bulk_orders.uses_bulk_path(
            kind=job.kind,
            user=job.uploaded_by,
            total_rows=job.total_rows,
            is_dry_run=job.is_dry_run,
        )
        job.import_path = ImportPath.BULK if is_bulk else ImportPath.STANDARD
    job.save(update_fields=["status", "started_at", "total_rows", "import_path"])
    importer = _importer(job)
    chunk_size = settings.IMPORT_CHUNK_SIZE
    try:
        if job.is_dry_run:
            _dry_run(job, importer, table, chunk_size)
        elif job.import_path == ImportPath.BULK:
            bulk_orders.process(
                bulk_orders.BulkOrderImporter(
                    user=job.uploaded_by, mapping=job.mapping, default_store=job.store
                ),
                table,
                chunk_size=settings.IMPORT_BULK_CHUNK_SIZE,
                skip_rows=job.processed_rows,
                on_chunk=lambda tally: _save_progress(job, tally),
            )
        else:
            process(
                importer,
                table,
                chunk_size=chunk_size,
                skip_rows=job.processed_rows,
                on_chunk=lambda tally: _save_progress(job, tally),
            )
    except TableError as error:
        return _fail(job, error)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


class _RollBack(Exception):
    pass


def _dry_run(job: ImportJob, importer: Importer, table: Table, chunk_size: int) -> None:
    """Everything validated and written, then rolled back; only the job's outcome is kept."""
    tally = Tally()
    try:
        with transaction.atomic():
            tally = process(importer, table, chunk_size=chunk_size)
            raise _RollBack
    except _RollBack:
        pass
    _save_progress(job, tally)


@dataclass(frozen=True)
class PreviewRow:
    number: int
    cells: list[tuple[str, str, bool]]  # (column, text, has a problem)
    problems: list[str]


def preview(*, user: Any, job: ImportJob, limit: int = PREVIEW_ROWS) -> list[PreviewRow]:
    """The first rows as they would import, each with its problems (nothing is kept)."""
    _require_kind(user, job.kind)
    table = read_job_table(job)
    tally = Tally()
    try:
        with transaction.atomic():
            tally = process(_importer(job), table, chunk_size=limit, limit_rows=limit)
            raise _RollBack
    except _RollBack:
        pass
    by_row: dict[int, list[Any]] = {}
    for problem, _data in tally.problems:
        by_row.setdefault(problem.row_number, []).append(problem)
    rows: list[PreviewRow] = []
    for row in table.rows():
        if len(rows) >= limit:
            break
        problems = by_row.get(row.number, [])
        bad_columns = {p.column for p in problems}
        cells = [
            (column, "" if value is None else str(value), column in bad_columns)
            for column, value in row.as_dict().items()
        ]
        english = (translation.get_language() or "").startswith("en")
        messages = [p.message_en if english else p.message_zh for p in problems]
        rows.append(PreviewRow(row.number, cells, messages))
    return rows
