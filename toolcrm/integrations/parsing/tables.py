"""``read_table``: an uploaded CSV or Excel file → a header and its rows, each row keeping the
number the user sees for it in Excel (the header being row 1 in a plain file).

What is read, and how:

- **File type** from the content, not the name: a zip is an .xlsx workbook (see ``xlsx.py``), an
  OLE file is a legacy .xls or an encrypted workbook (refused with what to do instead), an HTML
  page saved as ".xls" (some web back-offices do that) is refused; anything else is text.
- **Encoding** of text: a BOM wins (UTF-8, or UTF-16 as Excel's "Unicode text" writes it); else
  strict UTF-8; else charset-normalizer lists the encodings the bytes are plausible in, and when
  GBK/GB2312/GB18030 is among them the file is read as GB18030 (the superset that Excel on Chinese
  Windows writes). Short GBK files are the reason for that preference: on a few dozen bytes the
  detector's first guess is as often Korean or UTF-16 as Chinese.
- **Delimiter**: comma, tab or semicolon, whichever splits the most of the first lines into the
  same number of columns (ties go in that order).
- **Header**: the first non-blank row, skipping title rows above it (a row with a single filled
  cell followed by a row with several, e.g. "2024年3月会员名单"). Names are cleaned like any text
  (full-width → half-width, spaces collapsed); an empty name becomes the column letter ("C");
  repeated names get a suffix ("金额", "金额_2"). Two-row headers under merged cells: see
  ``xlsx.py``.
- **Rows**: blank rows are skipped but still counted, so row numbers match the file. Row numbers
  count records, as Excel shows them: a quoted cell with a line break inside counts once, where a
  text editor would count two lines. Cells past the last named column are kept in ``Row.extra``
  (so an importer can report them) and a short row is padded with None.

Rows are read lazily and again on every iteration (``table.rows()``), so a large file is never
held as a list of rows.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice

import charset_normalizer
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.cell import get_column_letter

from toolcrm.integrations.parsing.errors import TableError
from toolcrm.integrations.parsing.text import CellValue, clean_text, is_blank

RawRow = tuple[int, Sequence[CellValue]]
"""A row as read from the file: its 1-based number and its cells, blanks included."""
RawRows = Generator[RawRow, None, None]

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_GB_FAMILY = {"gb2312", "gbk", "gb18030", "hz"}
_DELIMITERS = (",", "\t", ";")
_SNIFF_CHARACTERS = 64 * 1024
_SNIFF_LINES = 20
_MAX_TITLE_ROWS = 5

_EMPTY_FILE = _("文件是空的：%(value)s")
_NO_HEADER = _("文件中没有表头行：%(value)s")
_LEGACY_EXCEL = _(
    "无法读取旧版 Excel (.xls) 或加密的工作簿：%(value)s。"
    "请在 Excel 中另存为 .xlsx 或 CSV 后再导入。"
)
_HTML_TABLE = _(
    "这是网页格式的表格，不是真正的 Excel 文件：%(value)s。请在 Excel 中另存为 .xlsx 后再导入。"
)
_UNKNOWN_ENCODING = _("无法识别文件的文字编码：%(value)s。请另存为 CSV UTF-8 后再导入。")
_BROKEN_CSV = _("第 %(row)s 行无法读取：%(detail)s")


@dataclass(frozen=True, slots=True)
class Row:
    """One data row. ``row["手机"]`` reads a cell by its (cleaned, unique) header name."""

    number: int
    values: tuple[CellValue, ...]
    columns: Mapping[str, int] = field(repr=False, compare=False)
    extra: tuple[tuple[str, CellValue], ...] = ()
    """Non-blank cells to the right of the last header column: (column letter, value)."""

    def __getitem__(self, column: str) -> CellValue:
        return self.values[self.columns[column]]

    def get(self, column: str, default: CellValue = None) -> CellValue:
        index = self.columns.get(column)
        return default if index is None else self.values[index]

    def as_dict(self) -> dict[str, CellValue]:
        return dict(zip(self.columns, self.values, strict=True))


@dataclass(frozen=True)
class Table:
    """A header and a way to read the rows under it (lazily, as often as needed)."""

    header: tuple[str, ...]
    header_row_numbers: tuple[int, ...]
    read_rows: Callable[[], Iterator[Row]] = field(repr=False, compare=False)
    file_format: str = "csv"
    encoding: str | None = None
    delimiter: str | None = None
    sheet_name: str | None = None

    def rows(self) -> Iterator[Row]:
        return self.read_rows()

    def __iter__(self) -> Iterator[Row]:
        return self.read_rows()


def read_table(data: bytes, *, filename: str, sheet: str | None = None) -> Table:
    """Read an uploaded file (bytes as received) into a Table, or raise TableError.
    ``sheet`` names the worksheet of a workbook (default: the first visible one)."""
    if data.startswith(_ZIP_MAGIC):
        from toolcrm.integrations.parsing.xlsx import read_workbook

        return read_workbook(data, filename=filename, sheet=sheet)
    if data.startswith(_OLE_MAGIC):
        raise TableError(_LEGACY_EXCEL, code="legacy_excel", value=filename)
    text, encoding = decode_text(data, filename=filename)
    if text.lstrip()[:20].lower().startswith(("<html", "<!doctype", "<table", "<?xml")):
        raise TableError(_HTML_TABLE, code="html_table", value=filename)
    delimiter = sniff_delimiter(text)

    def open_rows() -> RawRows:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, [cell if cell.strip() else None for cell in cells]
        except csv.Error as error:
            raise TableError(
                _BROKEN_CSV, code="broken_csv", params={"row": number + 1, "detail": str(error)}
            ) from None

    return build_table(
        open_rows, filename=filename, file_format="csv", encoding=encoding, delimiter=delimiter
    )


def decode_text(data: bytes, *, filename: str) -> tuple[str, str]:
    """The text of a CSV/TXT upload and the encoding it was read in (see the module docstring)."""
    if not data.strip():
        raise TableError(_EMPTY_FILE, code="empty_file", value=filename)
    if data.startswith(codecs.BOM_UTF8):
        encoding = "utf-8-sig"
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding = _detect_encoding(data, filename=filename)
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError:
        raise TableError(_UNKNOWN_ENCODING, code="unknown_encoding", value=filename) from None


def _detect_encoding(data: bytes, *, filename: str) -> str:
    candidates = [
        codecs.lookup(match.encoding).name for match in charset_normalizer.from_bytes(data)
    ]
    if any(name in _GB_FAMILY for name in candidates):
        return "gb18030"
    # Without a BOM, UTF-16/32 "fits" almost any even-length bytes: never a real guess here.
    plausible = [name for name in candidates if not name.startswith(("utf-16", "utf-32"))]
    if not plausible:
        raise TableError(_UNKNOWN_ENCODING, code="unknown_encoding", value=filename)
    return plausible[0]


def sniff_delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one that splits the most of the first lines into the same
    number (> 1) of columns, a title line above the header notwithstanding; comma when none
    splits anything (a one-column file)."""
    sample = text[:_SNIFF_CHARACTERS]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        rows = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            lines = [cells for cells in islice(rows, _SNIFF_LINES * 2) if any(cells)]
        except csv.Error:
            continue
        widths = Counter(len(cells) for cells in lines[:_SNIFF_LINES] if len(cells) > 1)
        if not widths:
            continue
        width, count = widths.most_common(1)[0]
        score = (count, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def build_table(
    open_rows: Callable[[], RawRows],
    *,
    filename: str,
    file_format: str,
    header_names: Callable[[list[RawRow]], tuple[list[str], tuple[int, ...]]] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
    sheet_name: str | None = None,
) -> Table:
    """Find the header among the first rows, name the columns, and wrap the data rows.
    ``header_names`` lets the Excel reader name columns from a two-row merged header."""
    rows = open_rows()
    try:
        leading = list(islice(_non_blank(rows), _MAX_TITLE_ROWS + 3))
    finally:
        rows.close()  # a workbook reader holds the file open until its generator is closed
    if not leading:
        raise TableError(_NO_HEADER, code="no_header", value=filename)
    leading = _skip_title_rows(leading)
    if header_names is not None:
        names, header_row_numbers = header_names(leading)
    else:
        names, header_row_numbers = [clean_text(cell) for cell in leading[0][1]], (leading[0][0],)
    header = unique_names(names)
    if not header:
        raise TableError(_NO_HEADER, code="no_header", value=filename)
    columns = {name: index for index, name in enumerate(header)}
    last_header_row = header_row_numbers[-1]

    def read_rows() -> Iterator[Row]:
        for number, cells in _non_blank(open_rows()):
            if number > last_header_row:
                yield _make_row(number, cells, columns)

    return Table(
        header=header,
        header_row_numbers=header_row_numbers,
        read_rows=read_rows,
        file_format=file_format,
        encoding=encoding,
        delimiter=delimiter,
        sheet_name=sheet_name,
    )


def unique_names(names: Sequence[str]) -> tuple[str, ...]:
    """Trailing empty names dropped; empty names → column letter; repeats → "name_2", "name_3"."""
    names = list(names)
    while names and not names[-1]:
        names.pop()
    result: list[str] = []
    seen = set(filter(None, names))
    used: set[str] = set()
    for position, name in enumerate(names, start=1):
        candidate = name or get_column_letter(position)
        if candidate in used or (not name and candidate in seen):
            suffix = 2
            while f"{candidate}_{suffix}" in used or f"{candidate}_{suffix}" in seen:
                suffix += 1
            candidate = f"{candidate}_{suffix}"
        used.add(candidate)
        result.append(candidate)
    return tuple(result)


def _non_blank(rows: Iterable[RawRow]) -> Iterator[RawRow]:
    return (row for row in rows if not all(is_blank(cell) for cell in row[1]))


def _filled(cells: Sequence[CellValue]) -> int:
    return sum(1 for cell in cells if not is_blank(cell))


def _skip_title_rows(leading: list[RawRow]) -> list[RawRow]:
    """Drop report titles above the header: one filled cell, then a row with several."""
    skipped = 0
    while (
        skipped < _MAX_TITLE_ROWS
        and len(leading) > 1
        and _filled(leading[0][1]) == 1
        and _filled(leading[1][1]) > 1
    ):
        leading, skipped = leading[1:], skipped + 1
    return leading


def _make_row(number: int, cells: Sequence[CellValue], columns: Mapping[str, int]) -> Row:
    width = len(columns)
    values = tuple(cells[:width]) + (None,) * (width - len(cells))
    extra = tuple(
        (get_column_letter(position), cell)
        for position, cell in enumerate(cells[width:], start=width + 1)
        if not is_blank(cell)
    )
    return Row(number=number, values=values, columns=columns, extra=extra)
