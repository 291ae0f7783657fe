"""Excel (.xlsx) workbooks for ``read_table``: openpyxl in read-only mode with cached values (what
Excel last showed for a formula), so a workbook of any size streams instead of being loaded whole.

Cells keep their Excel types: a cell formatted as a date arrives as a ``datetime``, a number as an
``int``/``float``, so the value parsers see what the user saw rather than a re-formatted string.

**Two-row headers under merged cells.** Exports often group columns under a merged cell::

    | 订单号 | 收货人 (merged over C:E)  | 实付金额 |
    |        | 姓名  | 手机   | 地址   |          |

The rule: when the header row has merged cells spanning several columns of that row only, and
the next row has text under at least two columns of each of them, that next row holds sub-headers
and each column is named ``"<group>-<sub-header>"`` ("收货人-手机");
a column without a sub-header keeps its own name ("订单号", merged down over both rows), and a
sub-header without a group keeps the sub-header. Data starts under the sub-header row. Deeper
header hierarchies are not guessed. Read-only mode hides merged ranges, so they are read from
the sheet's XML with openpyxl's own parser, and only when the header row has gaps that a merge
could explain (a plain header costs nothing).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.merge import MergeCells
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from toolcrm.integrations.parsing.errors import TableError
from toolcrm.integrations.parsing.tables import RawRow, RawRows, Table, build_table
from toolcrm.integrations.parsing.text import CellValue, clean_text, is_blank

_MERGE_CELLS_TAG = f"{{{SHEET_MAIN_NS}}}mergeCells"
_ROW_TAG = f"{{{SHEET_MAIN_NS}}}row"

_UNREADABLE_WORKBOOK = _("无法读取 Excel 文件：%(value)s（文件可能已损坏，或不是 .xlsx 格式）")
_NO_SUCH_SHEET = _("工作簿中没有名为“%(sheet)s”的工作表：%(value)s")
_NO_SHEET = _("工作簿中没有可读取的工作表：%(value)s")

MergedRange = tuple[int, int, int, int]
"""(min_column, min_row, max_column, max_row), 1-based, as openpyxl's range_boundaries."""


def read_workbook(data: bytes, *, filename: str, sheet: str | None) -> Table:
    workbook = _open(data, filename=filename)
    try:
        sheet_name = _sheet_name(workbook, sheet, filename=filename)
    finally:
        workbook.close()

    def open_rows() -> RawRows:
        workbook = _open(data, filename=filename)
        try:
            worksheet = workbook[sheet_name]
            # The <dimension> an exporting program writes is often wrong; without it openpyxl
            # reads every row that is really there.
            worksheet.reset_dimensions()
            yield from enumerate(worksheet.iter_rows(values_only=True), start=1)
        finally:
            workbook.close()

    def header_names(leading: list[RawRow]) -> tuple[list[str], tuple[int, ...]]:
        return name_columns(leading, lambda: merged_ranges(data, sheet_name))

    return build_table(
        open_rows,
        filename=filename,
        file_format="xlsx",
        header_names=header_names,
        sheet_name=sheet_name,
    )


def name_columns(
    leading: list[RawRow], load_merges: Callable[[], list[MergedRange]]
) -> tuple[list[str], tuple[int, ...]]:
    """Column names and the header's row numbers, by the rule in the module docstring."""
    header_number, header_cells = leading[0]
    single = [clean_text(cell) for cell in header_cells], (header_number,)
    if len(leading) < 2 or leading[1][0] != header_number + 1:
        return single
    sub_cells = leading[1][1]
    if not _has_gaps(header_cells, sub_cells):
        return single
    merges = load_merges()
    groups = [
        (min_col, max_col)
        for min_col, min_row, max_col, max_row in merges
        if min_row == max_row == header_number and max_col > min_col
    ]
    if not groups or not all(_are_sub_headers(sub_cells, group) for group in groups):
        return single
    width = max(len(header_cells), len(sub_cells))
    names = []
    for column in range(1, width + 1):
        group = clean_text(_anchor_value(header_number, column, header_cells, merges))
        sub_header = clean_text(_cell(sub_cells, column))
        if group and sub_header and group != sub_header:
            names.append(f"{group}-{sub_header}")
        else:
            names.append(group or sub_header)
    return names, (header_number, header_number + 1)


def merged_ranges(data: bytes, sheet_name: str) -> list[MergedRange]:
    """The merged ranges of a sheet. They sit after the cell data in the sheet's XML, so this is
    one streaming pass over it (rows are discarded as they go by)."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        worksheet: Any = workbook[sheet_name]
        # Private in openpyxl, but it is the only handle on the sheet's XML in read-only mode;
        # tests/integrations read a workbook with merged headers, so a rename fails loudly there.
        with worksheet._get_source() as source:
            for _event, element in iterparse(source):
                if element.tag == _MERGE_CELLS_TAG:
                    merge_cells = MergeCells.from_tree(element)
                    refs = [cell.ref for cell in merge_cells.mergeCell] if merge_cells else []
                    return [_boundaries(ref) for ref in refs]
                if element.tag == _ROW_TAG:
                    element.clear()
    finally:
        workbook.close()
    return []


def _boundaries(ref: str) -> MergedRange:
    min_col, min_row, max_col, max_row = range_boundaries(ref)
    # A merged range always has all four corners; openpyxl types them as optional for "A:C".
    return (min_col or 1, min_row or 1, max_col or 1, max_row or 1)


def _open(data: bytes, *, filename: str) -> Workbook:
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise TableError(_UNREADABLE_WORKBOOK, code="unreadable_workbook", value=filename) from None


def _sheet_name(workbook: Workbook, sheet: str | None, *, filename: str) -> str:
    if sheet is not None:
        if sheet not in workbook.sheetnames:
            raise TableError(
                _NO_SUCH_SHEET, code="no_such_sheet", value=filename, params={"sheet": sheet}
            )
        return sheet
    visible = [ws.title for ws in workbook.worksheets if ws.sheet_state == "visible"]
    if not visible:
        raise TableError(_NO_SHEET, code="no_sheet", value=filename)
    return str(visible[0])


def _are_sub_headers(cells: Sequence[CellValue], group: tuple[int, int]) -> bool:
    """Whether the cells under a merged group look like sub-headers: text under at least two of
    its columns. A wide merged "备注" over data rows has one value under it, or a number."""
    under = [_cell(cells, column) for column in range(group[0], group[1] + 1)]
    filled = [cell for cell in under if not is_blank(cell)]
    return len(filled) >= 2 and all(isinstance(cell, str) for cell in filled)


def _has_gaps(header_cells: Sequence[CellValue], sub_cells: Sequence[CellValue]) -> bool:
    """Whether the header row has blanks inside it, or the next row reaches further right: the
    only shapes a horizontal merge in the header row can leave in read-only values."""
    filled = [position for position, cell in enumerate(header_cells) if not is_blank(cell)]
    if not filled:
        return False
    last = filled[-1]
    if len(filled) < last + 1:
        return True
    return any(not is_blank(cell) for cell in sub_cells[last + 1 :])


def _anchor_value(
    row: int, column: int, cells: Sequence[CellValue], merges: list[MergedRange]
) -> CellValue:
    """The value shown at (row, column): a merged cell shows its top-left cell's value."""
    for min_col, min_row, max_col, _max_row in merges:
        if min_row == row and min_col <= column <= max_col:
            return _cell(cells, min_col)
    return _cell(cells, column)


def _cell(cells: Sequence[CellValue], column: int) -> CellValue:
    return cells[column - 1] if column <= len(cells) else None
