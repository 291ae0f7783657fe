"""Reading what Chinese retail exports really look like: files (``read_table``: CSV in UTF-8,
UTF-8 with BOM, GBK/GB18030 or UTF-16; .xlsx with merged headers and date cells) and values
(dates, amounts, counts, phones, text). Every function is pure and raises a ``CellError`` or
``TableError`` whose message is a Chinese source string translated through gettext.

The accepted formats are listed in each module's docstring and, for users, in
``docs/import-guide.md``."""

from toolcrm.integrations.parsing.dates import CHINA_TZ, parse_date, parse_datetime
from toolcrm.integrations.parsing.errors import CellError, ParseError, TableError
from toolcrm.integrations.parsing.numbers import parse_amount, parse_int, parse_quantity
from toolcrm.integrations.parsing.phones import parse_phone
from toolcrm.integrations.parsing.tables import Row, Table, read_table
from toolcrm.integrations.parsing.text import CellValue, clean_text, is_blank, to_halfwidth_safe

__all__ = [
    "CHINA_TZ",
    "CellError",
    "CellValue",
    "ParseError",
    "Row",
    "Table",
    "TableError",
    "clean_text",
    "is_blank",
    "parse_amount",
    "parse_date",
    "parse_datetime",
    "parse_int",
    "parse_phone",
    "parse_quantity",
    "read_table",
    "to_halfwidth_safe",
]
