"""read_table on real-shaped files (tests/data/, made by make_fixtures.py) and on small inline
ones: encodings detected, delimiters sniffed, merged two-row headers named, blank rows skipped
with the row numbers the user sees kept, and unreadable files refused with the reason."""

from __future__ import annotations

import codecs
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from toolcrm.integrations.parsing import (
    Row,
    TableError,
    parse_amount,
    parse_date,
    parse_datetime,
    parse_phone,
    parse_quantity,
    read_table,
)
from toolcrm.integrations.parsing import xlsx as xlsx_module
from toolcrm.integrations.parsing.dates import CHINA_TZ

DATA = Path(__file__).resolve().parents[1] / "data"


def read_fixture(name: str, **kwargs: str) -> tuple[tuple[str, ...], list[Row]]:
    table = read_table((DATA / name).read_bytes(), filename=name, **kwargs)
    return table.header, list(table.rows())


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- The committed fixtures ------------------------------------------------------------------


def test_gbk_csv_exported_by_excel() -> None:
    data = (DATA / "customers_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    table = read_table(data, filename="customers_gbk.csv")
    rows = list(table.rows())

    assert (table.file_format, table.encoding, table.delimiter) == ("csv", "gb18030", ",")
    assert table.header == (
        "会员卡号", "姓名", "手机号", "性别", "生日", "所在地区", "详细地址", "累计消费", "备注"
    )  # fmt: skip
    assert [row.number for row in rows] == [2, 3, 5, 6]  # row 4 is blank
    assert rows[0].as_dict() == {
        "会员卡号": "VIP000123",
        "姓名": "张伟",
        "手机号": "13812345678",
        "性别": "男",
        "生日": "1985/6/12",
        "所在地区": "广东省深圳市南山区",
        "详细地址": "粤海街道科技园路1号",
        "累计消费": "￥12,345.50",
        "备注": "老客户",
    }
    assert rows[1]["备注"] is None


def test_gbk_csv_values_parse() -> None:
    _header, rows = read_fixture("customers_gbk.csv")
    good = rows[:3]

    assert [parse_phone(row["手机号"]) for row in good] == [
        "+8613812345678",
        "+8613922334455",
        "+8613700001111",
    ]
    assert [parse_date(row["生日"]) for row in good] == [
        dt.date(1985, 6, 12),
        dt.date(1990, 3, 5),
        dt.date(1978, 11, 30),
    ]
    assert [parse_amount(row["累计消费"]) for row in good] == [
        Decimal("12345.50"),
        Decimal("1200.00"),
        Decimal("980.00"),
    ]


def test_the_broken_row_of_the_gbk_csv_fails_cell_by_cell_with_reasons() -> None:
    _header, rows = read_fixture("customers_gbk.csv")
    broken = rows[3]
    reasons = {}
    for column, parse in (
        ("手机号", parse_phone),
        ("生日", parse_date),
        ("累计消费", parse_amount),
    ):
        try:
            parse(broken[column])
        except ValueError as error:
            reasons[column] = str(error)

    assert broken.number == 6
    assert reasons == {
        "手机号": "电话号码被 Excel 存成了科学计数法，后几位已丢失：1.38123E+10"
        "（请把该列设为文本后重新导出）",
        "生日": "日期不存在：2024/2/30（2024 年 2 月没有 30 日）",
        "累计消费": "不是有效的金额：abc（例：1234.50、¥1,234.50）",
    }


def test_utf8_bom_csv_with_a_line_break_inside_a_quoted_cell() -> None:
    table = read_table((DATA / "orders_utf8_bom.csv").read_bytes(), filename="orders.csv")
    rows = list(table.rows())

    assert table.encoding == "utf-8-sig"
    assert table.header[0] == "订单号"  # no BOM glued to the first name
    assert [row.number for row in rows] == [2, 3, 5]  # Excel's rows: one per record
    assert rows[1]["买家留言"] == "请周末送货\r\n电话联系"
    assert [parse_datetime(row["下单时间"]) for row in rows] == [
        dt.datetime(2024, 3, 5, 14, 0, tzinfo=CHINA_TZ),
        dt.datetime(2024, 3, 6, 9, 5, tzinfo=CHINA_TZ),
        dt.datetime(2024, 3, 7, 10, 0, tzinfo=CHINA_TZ),
    ]
    assert [parse_amount(row["实付金额"]) for row in rows] == [
        Decimal("1299.00"),
        Decimal("59.80"),
        Decimal("-29.90"),
    ]
    assert [parse_quantity(row["数量"]) for row in rows] == [1, 2, 1]
    assert [parse_phone(row["买家手机"]) for row in rows] == [
        "+8613812345678",
        "+8613922334455",
        "+8613700001111",
    ]


def test_utf16_tab_separated_unicode_text_from_excel() -> None:
    table = read_table((DATA / "members_utf16.txt").read_bytes(), filename="members.txt")
    rows = list(table)

    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert table.header == ("姓名", "手机", "注册日期", "积分")
    assert [row.values for row in rows] == [
        ("陈静", "0086 135 1111 2222", "2023.12.1", "1,200"),
        ("周杰", "(021)6234 5678", "20240101", "０"),
    ]
    assert parse_date(rows[0]["注册日期"]) == dt.date(2023, 12, 1)
    assert parse_phone(rows[1]["手机"]) == "+862162345678"


def test_xlsx_with_title_row_merged_group_header_and_date_cells() -> None:
    table = read_table((DATA / "orders_merged_header.xlsx").read_bytes(), filename="orders.xlsx")
    rows = list(table.rows())

    assert (table.file_format, table.sheet_name) == ("xlsx", "订单")
    assert table.header == (
        "订单号",
        "下单时间",
        "收货人-姓名",
        "收货人-手机",
        "收货人-地址",
        "实付金额",
        "付款日期",
        "备注",
        "备注_2",
    )
    assert table.header_row_numbers == (2, 3)
    assert [row.number for row in rows] == [4, 5, 7]  # row 6 is blank
    first = rows[0]
    assert first["下单时间"] == dt.datetime(2024, 3, 5, 14, 0)
    assert first["收货人-手机"] == 13812345678
    assert first["付款日期"] == 45356
    assert rows[2]["下单时间"] == dt.datetime(2024, 3, 7, 0, 0)
    assert [parse_datetime(row["下单时间"]) for row in rows] == [
        dt.datetime(2024, 3, 5, 14, 0, tzinfo=CHINA_TZ),
        dt.datetime(2024, 3, 6, 9, 5, 30, tzinfo=CHINA_TZ),
        dt.datetime(2024, 3, 7, 0, 0, tzinfo=CHINA_TZ),
    ]
    assert [parse_date(row["付款日期"]) for row in rows] == [
        dt.date(2024, 3, 5),
        dt.date(2024, 3, 6),
        dt.date(2024, 3, 7),
    ]
    assert [parse_phone(row["收货人-手机"]) for row in rows] == [
        "+8613812345678",
        "+8613922334455",
        "+8613700001111",
    ]
    assert [parse_amount(row["实付金额"]) for row in rows] == [
        Decimal("1299.00"),
        Decimal("12345.50"),
        Decimal("59.80"),
    ]
    assert [(row["备注"], row["备注_2"]) for row in rows] == [
        ("首单", None),
        (None, "加急"),
        ("开票", "公司抬头"),
    ]


def test_xlsx_other_sheet_by_name_and_missing_sheet() -> None:
    data = (DATA / "orders_merged_header.xlsx").read_bytes()

    table = read_table(data, filename="orders.xlsx", sheet="说明")
    assert table.header == ("说明", "内容")
    assert [row.values for row in table] == [("导出时间", "2024-03-08")]

    with pytest.raises(TableError) as excinfo:
        read_table(data, filename="orders.xlsx", sheet="Sheet9")
    assert excinfo.value.code == "no_such_sheet"
    assert str(excinfo.value) == "工作簿中没有名为“Sheet9”的工作表：orders.xlsx"
    assert excinfo.value.message_in("en") == "The workbook orders.xlsx has no sheet named “Sheet9”"


def test_rows_can_be_read_again() -> None:
    table = read_table((DATA / "orders_merged_header.xlsx").read_bytes(), filename="o.xlsx")

    assert [row.number for row in table.rows()] == [row.number for row in table.rows()]


# --- Small inline CSV files ------------------------------------------------------------------


def csv_table(text: str, encoding: str = "utf-8") -> tuple[tuple[str, ...], list[Row]]:
    table = read_table(text.encode(encoding), filename="test.csv")
    return table.header, list(table.rows())


@pytest.mark.parametrize(
    ("text", "delimiter"),
    [
        ("姓名,手机\n张三,138\n", ","),
        ("姓名\t手机\n张三\t138\n", "\t"),
        ("姓名;手机\n张三;138\n", ";"),
        ("名称;备注\n张三,李四;好\n王五;坏\n", ";"),  # commas inside cells of a ;-file
        ('备注,金额\n"好,很好",1\n', ","),
        ("手机号\n13812345678\n", ","),  # one column
        ("2024年3月会员名单\n姓名\t手机\n张三\t138\n", "\t"),  # title line above the header
    ],
)
def test_delimiter_is_sniffed(text: str, delimiter: str) -> None:
    assert read_table(text.encode(), filename="t.csv").delimiter == delimiter


@pytest.mark.parametrize(
    ("header_line", "expected"),
    [
        ("金额,金额,金额", ("金额", "金额_2", "金额_3")),
        (" 姓名 ,（手机）,ＶＩＰ卡号", ("姓名", "(手机)", "VIP卡号")),
        ("姓名,,手机", ("姓名", "B", "手机")),
        ("A,,B", ("A", "B_2", "B")),
        ("姓名,手机,,,", ("姓名", "手机")),
        ("\u200b姓名\u3000,手机", ("姓名", "手机")),
    ],
)
def test_header_names_are_cleaned_and_made_unique(
    header_line: str, expected: tuple[str, ...]
) -> None:
    header, _rows = csv_table(header_line + "\n" + ",".join("x" * len(expected)) + "\n")

    assert header == expected


def test_rows_are_padded_and_extra_cells_are_kept_apart() -> None:
    header, rows = csv_table("姓名,手机\n张三\n李四,139,多出来的,\n")

    assert header == ("姓名", "手机")
    assert rows[0].values == ("张三", None)
    assert rows[0].extra == ()
    assert rows[1].values == ("李四", "139")
    assert rows[1].extra == (("C", "多出来的"),)
    assert rows[1].get("不存在") is None


def test_blank_rows_are_skipped_but_counted() -> None:
    _header, rows = csv_table("姓名,手机\r\n\r\n张三,138\r\n , \r\n,,\r\n李四,139\r\n\r\n")

    assert [(row.number, row["姓名"]) for row in rows] == [(3, "张三"), (6, "李四")]


def test_title_rows_above_the_header_are_skipped() -> None:
    table = read_table(
        "2024年3月会员名单,,\n\n姓名,手机,生日\n张三,138,2024-03-05\n".encode(), filename="t.csv"
    )

    assert table.header == ("姓名", "手机", "生日")
    assert table.header_row_numbers == (3,)
    assert [row.number for row in table] == [4]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "gb2312", "utf-8", "utf-8-sig", "utf-16"])
def test_encodings_are_detected(encoding: str) -> None:
    header, rows = csv_table("备注\n好\n", encoding=encoding)

    assert header == ("备注",)
    assert rows[0]["备注"] == "好"


def test_gb18030_only_characters() -> None:
    _header, rows = csv_table("姓名,备注\n𠮷野家,€5\n", encoding="gb18030")

    assert rows[0].values == ("𠮷野家", "€5")


def test_crlf_and_cr_line_endings() -> None:
    assert [row.values for row in csv_table("a,b\r\n1,2\r\n")[1]] == [("1", "2")]
    assert [row.values for row in csv_table("a,b\r1,2\r")[1]] == [("1", "2")]


# --- Files that cannot be read ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code", "message"),
    [
        (b"", "empty_file", "文件是空的：bad.csv"),
        (b"\r\n \r\n", "empty_file", "文件是空的：bad.csv"),
        (codecs.BOM_UTF8 + b",,,\r\n,,\r\n", "no_header", "文件中没有表头行：bad.csv"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100,
            "legacy_excel",
            "无法读取旧版 Excel (.xls) 或加密的工作簿：bad.csv。"
            "请在 Excel 中另存为 .xlsx 或 CSV 后再导入。",
        ),
        (
            "<html><table><tr><td>姓名</td></tr></table></html>".encode(),
            "html_table",
            "这是网页格式的表格，不是真正的 Excel 文件：bad.csv。"
            "请在 Excel 中另存为 .xlsx 后再导入。",
        ),
        (
            b"PK\x03\x04 not really a zip",
            "unreadable_workbook",
            "无法读取 Excel 文件：bad.csv（文件可能已损坏，或不是 .xlsx 格式）",
        ),
        (
            ("姓名,备注\n张三,好\n李四," + "长" * 200_000 + "\n").encode(),
            "broken_csv",
            "第 3 行无法读取：field larger than field limit (131072)",
        ),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(data: bytes, code: str, message: str) -> None:
    with pytest.raises(TableError) as excinfo:
        list(read_table(data, filename="bad.csv").rows())

    assert excinfo.value.code == code
    assert excinfo.value.message_in("zh-hans") == message


def test_unreadable_file_message_in_english() -> None:
    with pytest.raises(TableError) as excinfo:
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", filename="old.xls")

    assert excinfo.value.message_in("en") == (
        "Cannot read an old Excel (.xls) or encrypted workbook: old.xls. "
        "Save it in Excel as .xlsx or CSV and import that."
    )


# --- Small generated workbooks ---------------------------------------------------------------


def test_plain_xlsx_header_reads_no_merge_information(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise AssertionError("a plain header needs no merge scan")

    monkeypatch.setattr(xlsx_module, "merged_ranges", fail)
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "手机", "生日"])
    sheet.append(["张三", 13812345678, dt.datetime(1990, 3, 5)])

    table = read_table(workbook_bytes(workbook), filename="plain.xlsx")

    assert table.header == ("姓名", "手机", "生日")
    assert [row.values for row in table] == [("张三", 13812345678, dt.datetime(1990, 3, 5))]


def test_xlsx_header_with_a_gap_but_no_merge_stays_one_row() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", None, "手机"])
    sheet.append(["张三", "x", "138"])

    table = read_table(workbook_bytes(workbook), filename="gap.xlsx")

    assert table.header == ("姓名", "B", "手机")
    assert [row.number for row in table] == [2]


def test_xlsx_group_header_at_the_right_edge() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["A1"] = "订单号"
    sheet.merge_cells("A1:A2")
    sheet["B1"] = "收货人"
    sheet.merge_cells("B1:C1")
    sheet["B2"], sheet["C2"] = "姓名", "手机"
    sheet.append(["T1", "张三", "13812345678"])

    table = read_table(workbook_bytes(workbook), filename="edge.xlsx")

    assert table.header == ("订单号", "收货人-姓名", "收货人-手机")
    assert [row.values for row in table] == [("T1", "张三", "13812345678")]


def test_xlsx_wide_merged_header_over_data_is_not_a_group() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["姓名", "备注", None])
    sheet.merge_cells("B1:C1")  # a wide "备注" column, no sub-headers under it
    sheet.append(["张三", "老客户", None])
    sheet.append(["李四", None, None])

    table = read_table(workbook_bytes(workbook), filename="wide.xlsx")

    assert table.header == ("姓名", "备注")
    assert [(row.number, row.values) for row in table] == [
        (2, ("张三", "老客户")),
        (3, ("李四", None)),
    ]


def test_xlsx_data_starting_below_empty_rows_keeps_excel_row_numbers() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet["B3"], sheet["C3"] = "姓名", "手机"
    sheet["B5"], sheet["C5"] = "张三", "13812345678"

    table = read_table(workbook_bytes(workbook), filename="offset.xlsx")

    assert table.header == ("A", "姓名", "手机")
    assert table.header_row_numbers == (3,)
    assert [(row.number, row.values) for row in table] == [(5, (None, "张三", "13812345678"))]
