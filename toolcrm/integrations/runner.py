"""Running an importer over a table: rows grouped into units (an order's consecutive lines),
duplicates within the file found, units processed in chunks, each unit in its own savepoint.

``process`` is shared by the import job (chunks committed with the job's progress, so a killed
worker resumes after the last committed chunk), the dry run and the preview (both inside a
transaction that is rolled back)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Container, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from toolcrm.integrations.importers import (
    Importer,
    Outcome,
    RowProblem,
    RowRejected,
    render_problem,
)
from toolcrm.integrations.parsing import Row, Table
from toolcrm.sales.signals import batched_order_signals

DUPLICATE_ROW = _("与第 %(row)s 行完全相同（重复行），已跳过")
DUPLICATE_KEY = _("与第 %(row)s 行是同一条记录（%(key)s），请合并为一行")


@dataclass
class Unit:
    """Rows imported together, the rows left out as exact duplicates and their problems."""

    rows: list[Row]
    row_count: int
    problems: list[RowProblem] = field(default_factory=list)
    dropped: list[Row] = field(default_factory=list)
    duplicate_of: int = 0  # the row that first had this unit's key, when it is a repeat


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    error_rows: int = 0
    processed_rows: int = 0
    problems: list[tuple[RowProblem, list[list[str]]]] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        self.created += other.created
        self.updated += other.updated
        self.skipped += other.skipped
        self.error_rows += other.error_rows
        self.processed_rows += other.processed_rows
        self.problems.extend(other.problems)


def row_data(row: Row) -> list[list[str]]:
    """The row's cells as [column, text] pairs, as the error report writes them back."""
    return [[column, _as_text(value)] for column, value in row.as_dict().items()]


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def units(
    importer: Importer, table: Table, *, starts: Container[int] | None = None
) -> Iterator[Unit]:
    """The table's rows as units, in file order; duplicates are reported on the later row.
    A row whose number is in ``starts`` always begins a new unit (the bulk path feeds only some
    of a file's rows, and two units that were apart in the file must stay apart)."""
    seen_rows: dict[bytes, int] = {}
    seen_keys: dict[str, int] = {}
    current: Unit | None = None
    current_key: str | None = None
    for row in table.rows():
        digest = hashlib.blake2b(repr(row.values).encode(), digest_size=16).digest()
        unit_key = importer.unit_key(row)
        if (
            current is not None
            and unit_key is not None
            and unit_key == current_key
            and (starts is None or row.number not in starts)
        ):
            current.row_count += 1
            if current.duplicate_of:
                shown = importer.describe_key(unit_key)
                current.problems.append(_duplicate_key(row, current.duplicate_of, shown))
                current.dropped.append(row)
            elif digest in seen_rows:
                current.problems.append(_duplicate_row(row, seen_rows[digest]))
                current.dropped.append(row)
            else:
                seen_rows[digest] = row.number
                current.rows.append(row)
            continue
        if current is not None:
            yield current
        current, current_key = Unit(rows=[], row_count=1), unit_key
        if digest in seen_rows:
            current.problems.append(_duplicate_row(row, seen_rows[digest]))
            current.dropped.append(row)
            continue
        seen_rows[digest] = row.number
        key = importer.duplicate_key(row)
        if key is not None and key in seen_keys:
            current.duplicate_of = seen_keys[key]
            current.problems.append(_duplicate_key(row, seen_keys[key], importer.describe_key(key)))
            current.dropped.append(row)
            continue
        if key is not None:
            seen_keys[key] = row.number
        current.rows.append(row)
    if current is not None:
        yield current


def _duplicate_key(row: Row, first: int, key: str) -> RowProblem:
    return render_problem(
        row_number=row.number,
        column="",
        value="",
        code="duplicate_key",
        template=DUPLICATE_KEY,
        params={"row": first, "key": key},
    )


def _duplicate_row(row: Row, first: int) -> RowProblem:
    return render_problem(
        row_number=row.number,
        column="",
        value="",
        code="duplicate_row",
        template=DUPLICATE_ROW,
        params={"row": first},
    )


def process_unit(importer: Importer, unit: Unit) -> Tally:
    """One unit in its own savepoint: written entirely or not at all."""
    outcome: Outcome | None = None
    problems: list[RowProblem] = []
    if unit.rows:
        try:
            with transaction.atomic():
                outcome = importer.import_unit(unit.rows)
        except RowRejected as rejected:
            problems = rejected.problems
    return unit_tally(unit, outcome, problems)


def unit_tally(unit: Unit, outcome: Outcome | None, problems: Sequence[RowProblem]) -> Tally:
    """The tally of a decided unit: its outcome, and the rows of its own and these problems."""
    tally = Tally(processed_rows=unit.row_count)
    if outcome is not None:
        tally.created += outcome is Outcome.CREATED
        tally.updated += outcome is Outcome.UPDATED
        tally.skipped += outcome is Outcome.SKIPPED
    all_problems = [*unit.problems, *problems]
    by_number = {row.number: row for row in (*unit.rows, *unit.dropped)}
    tally.error_rows = len({problem.row_number for problem in all_problems})
    for problem in all_problems:
        row = by_number.get(problem.row_number)
        tally.problems.append((problem, row_data(row) if row is not None else []))
    return tally


def chunks(
    importer: Importer,
    table: Table,
    *,
    chunk_size: int,
    skip_rows: int = 0,
    limit_rows: int | None = None,
) -> Iterator[list[Unit]]:
    """The table's units after the first ``skip_rows`` rows, ``chunk_size`` rows or more per
    chunk; no unit starts once ``limit_rows`` rows have been taken."""
    skipped = 0
    taken = 0  # rows of the chunks yielded so far
    pending: list[Unit] = []
    rows = 0  # rows of ``pending``
    for unit in units(importer, table):
        if skipped < skip_rows:
            skipped += unit.row_count
            continue
        if limit_rows is not None and taken + rows >= limit_rows:
            break
        pending.append(unit)
        rows += unit.row_count
        if rows >= chunk_size:
            yield pending
            taken += rows
            pending, rows = [], 0
    if pending:
        yield pending


def process(
    importer: Importer,
    table: Table,
    *,
    chunk_size: int,
    skip_rows: int = 0,
    limit_rows: int | None = None,
    on_chunk: Callable[[Tally], None] | None = None,
) -> Tally:
    """Import the table's units after the first ``skip_rows`` rows, ``chunk_size`` rows per
    transaction; ``on_chunk`` runs inside each chunk's transaction (to save progress with it)."""
    total = Tally()
    with translation.override("zh-hans"):
        for pending in chunks(
            importer, table, chunk_size=chunk_size, skip_rows=skip_rows, limit_rows=limit_rows
        ):
            total.add(_run_chunk(importer, pending, on_chunk))
    return total


def _run_chunk(
    importer: Importer, pending: list[Unit], on_chunk: Callable[[Tally], None] | None
) -> Tally:
    tally = Tally()
    # One orders_recorded_batch per chunk (one rescoring task, not one per order), sent after
    # the chunk has committed.
    with batched_order_signals(), transaction.atomic():
        for unit in pending:
            tally.add(process_unit(importer, unit))
        if on_chunk is not None:
            on_chunk(tally)
    return tally
