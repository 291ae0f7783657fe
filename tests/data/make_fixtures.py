"""Writes the real-shaped import files under tests/data/ that tests/integrations read.

Run it after changing a fixture's content: ``.venv/bin/python tests/data/make_fixtures.py``.
The generated files are committed; regenerating the .xlsx changes only its zip timestamps.

Each file imitates one real source:

- ``customers_gbk.csv``: a member list saved from Excel on Chinese Windows as "CSV (逗号分隔)":
  GBK, CRLF, no BOM, quotes only where a cell holds a comma, a blank row left in, and one row
  broken the way Excel breaks them (phone turned into 1.38123E+10, a 30 February, a typo amount).
- ``orders_utf8_bom.csv``: a web-shop order export in "CSV UTF-8" (BOM), with ISO and slash dates,
  ``¥``/``￥`` amounts with thousands separators, a refund in brackets, measure words after
  quantities, and a remark with a line break inside quotes.
- ``members_utf16.txt``: Excel's "Unicode 文本": UTF-16 LE with BOM, tab-separated.
- ``customers_bad_rows.csv``: a member list (CSV UTF-8 with BOM) where each kind of mistake an
  import meets appears once among good rows; ``CUSTOMERS_BAD_ROWS`` lists the row, the column and
  the error code the importer must report for it (the tests read it from here).
- ``pos_order_lines.xlsx``: a store POS export of order lines (one row per line, an order's lines
  consecutive) under a merged title and a two-row header ("会员" merged over 手机/姓名), with date
  cells, an unformatted Excel serial date, prices as numbers and phones stored as numbers.
- ``orders_merged_header.xlsx``: a report title merged over the top, then a two-row header whose
  "收货人" group is merged over 姓名/手机/地址, date cells (with and without a time), an
  unformatted serial date, phones stored as numbers, a blank row and two "备注" columns.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent

CUSTOMERS_GBK_ROWS = [
    "会员卡号,姓名,手机号,性别,生日,所在地区,详细地址,累计消费,备注",
    "VIP000123,张伟,13812345678,男,1985/6/12,广东省深圳市南山区,粤海街道科技园路1号,"
    '"￥12,345.50",老客户',
    "VIP000124,李娜,１３９ ２２３３ ４４５５,女,1990年3月5日,上海市浦东新区,张江路100弄2号,"
    '"1,200.00",',
    ",,,,,,,,",
    "VIP000125,王强,+86 137-0000-1111,男,1978-11-30,北京朝阳区,建国路88号SOHO现代城,980元,装修队长",
    "VIP000126,赵敏,1.38123E+10,女,2024/2/30,朝阳区,某某路,abc,手机号被Excel改坏",
]

ORDERS_UTF8_BOM = (
    "订单号,下单时间,买家手机,收货地址,商品名称,数量,实付金额,买家留言\r\n"
    "E20240305000001,2024-03-05 14:00:00,+86 138-1234-5678,"
    '广东省 深圳市 南山区 粤海街道 科技中一路,博世 GSB 120-LI 电钻,1件,"¥1,299.00",\r\n'
    "E20240306000002,2024/3/6 9:05,0086 139 2233 4455,"
    '上海市浦东新区张江路100弄2号,得力 DL-8012 卷尺 5m,2把,￥59.80,"请周末送货\r\n电话联系"\r\n'
    "\r\n"
    "E20240307000003,2024-03-07T10:00:00+08:00,13700001111,"
    "新疆维吾尔自治区乌鲁木齐市天山区解放北路1号,退款：卷尺,1,(29.90),七天无理由\r\n"
)

MEMBERS_UTF16 = (
    "姓名\t手机\t注册日期\t积分\r\n陈静\t0086 135 1111 2222\t2023.12.1\t1,200\r\n"
    "周杰\t(021)6234 5678\t20240101\t０\r\n"
)


CUSTOMER_HEADER = [
    "会员卡号", "姓名", "手机号", "邮箱", "客户类型", "企业类型", "统一社会信用代码",
    "生日", "性别", "所在地区", "详细地址", "门店编码", "来源渠道", "备注",
]  # fmt: skip

# (cells, expected error code or "" for a good row, the column the error names).
CUSTOMERS_BAD_ROWS: list[tuple[list[str], str, str]] = [
    (["M0000001", "张伟", "13812345678", "zw@example.com", "个人", "", "", "1985/6/12", "男",
      "广东省深圳市南山区", "粤海街道科技园路1号", "", "门店", "老客户"], "", ""),
    (["M0000002", "李娜", "１３９ ２２３３ ４４５５", "", "", "", "", "1990年3月5日", "女",
      "", "上海市浦东新区张江路100弄2号", "SH01", "", ""], "", ""),
    (["", "王强", "+86 137-0000-1111", "", "", "", "", "1978-11-30", "M", "", "", "", "电商",
      ""], "", ""),
    (["M0000004", "华建装饰", "021-6234 5678", "", "企业", "装修公司", "91310115MA1K4XXX01",
      "", "", "", "朝阳区建国路88号", "", "", ""], "", ""),
    (["M0000005", "赵敏", "0086 135 1111 2222", "", "", "", "", "", "", "", "火星基地1号", "",
      "", "地址无法识别"], "", ""),
    # 1 missing name
    (["M0000006", "", "13500000006", "", "", "", "", "", "", "", "", "", "", ""], "required",
     "姓名"),
    # 2 phone turned into scientific notation by Excel
    (["M0000007", "钱七", "1.38123E+10", "", "", "", "", "", "", "", "", "", "", ""],
     "phone_scientific", "手机号"),
    # 3 phone that is not a number
    (["M0000008", "孙八", "12345", "", "", "", "", "", "", "", "", "", "", ""], "invalid",
     "手机号"),
    # 4 neither phone nor member card
    (["", "周九", "", "", "", "", "", "", "", "", "", "", "", ""], "phone_or_card", "手机号"),
    # 5 a date that does not exist
    (["M0000010", "吴十", "13500000010", "", "", "", "", "2024/2/30", "", "", "", "", "", ""],
     "invalid_date", "生日"),
    # 6 day-first date (ambiguous, not guessed)
    (["M0000011", "郑一", "13500000011", "", "", "", "", "5/3/1990", "", "", "", "", "", ""],
     "invalid_date", "生日"),
    # 7 year out of range
    (["M0000012", "冯二", "13500000012", "", "", "", "", "1800-01-01", "", "", "", "", "", ""],
     "year_out_of_range", "生日"),
    # 8 unknown gender
    (["M0000013", "陈三", "13500000013", "", "", "", "", "", "男女", "", "", "", "", ""],
     "not_a_choice", "性别"),
    # 9 bad e-mail
    (["M0000014", "褚四", "13500000014", "chu at example", "", "", "", "", "", "", "", "", "", ""],
     "bad_email", "邮箱"),
    # 10 unknown customer kind
    (["M0000015", "卫五", "13500000015", "", "VIP", "", "", "", "", "", "", "", "", ""],
     "not_a_choice", "客户类型"),
    # 11 unknown company type
    (["M0000016", "蒋六建材", "13500000016", "", "企业", "贸易公司", "", "", "", "", "", "", "",
      ""], "not_a_choice", "企业类型"),
    # 12 a store outside the importing manager's scope
    (["M0000017", "沈七", "13500000017", "", "", "", "", "", "", "", "", "HZ01", "", ""],
     "store_out_of_scope", "门店编码"),
    # 13 a store that does not exist
    (["M0000018", "韩八", "13500000018", "", "", "", "", "", "", "", "", "XX99", "", ""],
     "store_out_of_scope", "门店编码"),
    # 14 an exact repeat of the first row
    (["M0000001", "张伟", "13812345678", "zw@example.com", "个人", "", "", "1985/6/12", "男",
      "广东省深圳市南山区", "粤海街道科技园路1号", "", "门店", "老客户"], "duplicate_row", ""),
    # 15 the same phone as row 3, written differently
    (["M0000020", "李娜娜", "+86 139-2233-4455", "", "", "", "", "", "", "", "", "", "", ""],
     "duplicate_key", ""),
    # 16 name too long
    (["M0000021", "名" * 101, "13500000021", "", "", "", "", "", "", "", "", "", "", ""],
     "too_long", "姓名"),
    # 17 member card number too long
    (["M" + "0" * 25, "杨九", "13500000022", "", "", "", "", "", "", "", "", "", "", ""],
     "too_long", "会员卡号"),
    # 18 credit code too long
    (["M0000023", "朱十建筑", "13500000023", "", "企业", "", "91310115MA1K4XXX01XYZ", "", "",
      "", "", "", "", ""], "too_long", "统一社会信用代码"),
    # 19 unknown source channel
    (["M0000024", "秦一", "13500000024", "", "", "", "", "", "", "", "", "", "抖音", ""],
     "not_a_choice", "来源渠道"),
    # 20 a phone that belongs to another store's customer (created by the test)
    (["M0000025", "许二", "13600000025", "", "", "", "", "", "", "", "", "", "", ""],
     "not_yours", "手机号"),
    # 21 a company without phone or credit code (the customers service refuses it)
    (["M0000026", "何三五金", "", "", "企业", "", "", "", "", "", "", "", "", ""], "invalid",
     "手机号"),
    # 22 a phone with too many digits
    (["M0000027", "吕四", "138123456789999", "", "", "", "", "", "", "", "", "", "", ""],
     "invalid", "手机号"),
]  # fmt: skip


def write_customers_bad_rows() -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CUSTOMER_HEADER)
    for cells, _code, _column in CUSTOMERS_BAD_ROWS:
        writer.writerow(cells)
    (HERE / "customers_bad_rows.csv").write_bytes(buffer.getvalue().encode("utf-8-sig"))


def write_pos_order_lines() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "销售明细"
    sheet["A1"] = "2024年3月 上海浦东店 销售明细"
    sheet.merge_cells("A1:I1")
    for column, name in zip(
        "ABCDEHI",
        ["小票号", "门店编码", "销售时间", "商品编码", "数量", "成交单价", "优惠"],
        strict=True,
    ):
        sheet[f"{column}2"] = name
        sheet.merge_cells(f"{column}2:{column}3")
    sheet["F2"] = "会员"
    sheet.merge_cells("F2:G2")
    sheet["F3"], sheet["G3"] = "手机", "姓名"
    rows = [
        ("P240305001", "SH01", dt.datetime(2024, 3, 5, 14, 0), "DR-100", "1件", 13812345678,
         "张伟", 599, 0),
        ("P240305001", "SH01", dt.datetime(2024, 3, 5, 14, 0), "BT-18V", 2, 13812345678,
         "张伟", 299, 20),
        (None,) * 9,
        ("P240306002", "SH01", 45357.5833, "TM-5M", 3, "139-2233-4455", "李娜", 29.9, None),
        ("P240307003", "SH01", dt.date(2024, 3, 7), "DR-100", 1, None, None, 599, None),
        # an order with an unknown SKU on its second line: the whole order is held back
        ("P240308004", "SH01", dt.datetime(2024, 3, 8, 10, 30), "DR-100", 1, 8613700001111,
         "王强", 599, None),
        ("P240308004", "SH01", dt.datetime(2024, 3, 8, 10, 30), "NOPE-1", 1, 8613700001111,
         "王强", 10, None),
    ]  # fmt: skip
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=4 + offset, column=column, value=value)
    for row in range(4, 4 + len(rows)):
        sheet.cell(row=row, column=3).number_format = "yyyy-mm-dd hh:mm"
    sheet.cell(row=7, column=3).number_format = "General"  # the serial date stays a number
    fixed = dt.datetime(2024, 3, 8, 9, 0)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.save(HERE / "pos_order_lines.xlsx")


def write_customers_gbk() -> None:
    text = "\r\n".join(CUSTOMERS_GBK_ROWS) + "\r\n"
    (HERE / "customers_gbk.csv").write_bytes(text.encode("gbk"))


def write_orders_utf8_bom() -> None:
    (HERE / "orders_utf8_bom.csv").write_bytes(ORDERS_UTF8_BOM.encode("utf-8-sig"))


def write_members_utf16() -> None:
    (HERE / "members_utf16.txt").write_bytes(MEMBERS_UTF16.encode("utf-16"))


def write_orders_merged_header() -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "订单"
    sheet["A1"] = "2024年3月 门店订单导出"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.merge_cells("A1:I1")
    for column, name in zip(
        "ABFGHI", ["订单号", "下单时间", "实付金额", "付款日期", "备注", "备注"], strict=True
    ):
        sheet[f"{column}2"] = name
        sheet.merge_cells(f"{column}2:{column}3")
    sheet["C2"] = "收货人"
    sheet.merge_cells("C2:E2")
    sheet["C2"].alignment = Alignment(horizontal="center")
    for column, name in zip("CDE", ["姓名", "手机", "地址"], strict=True):
        sheet[f"{column}3"] = name
    rows = [
        (
            "S2024030501",
            dt.datetime(2024, 3, 5, 14, 0),
            "张伟",
            13812345678,
            "广东省深圳市南山区粤海街道科技园路1号",
            1299.0,
            45356,
            "首单",
            None,
        ),
        (
            "S2024030602",
            dt.datetime(2024, 3, 6, 9, 5, 30),
            "李娜",
            "139-2233-4455",
            "上海市浦东新区张江路100弄2号",
            12345.5,
            45357.5833,
            None,
            "加急",
        ),
        (None,) * 9,
        (
            "S2024030703",
            dt.date(2024, 3, 7),
            "王强",
            8613700001111,
            "北京市朝阳区建国路88号",
            59.8,
            "2024年3月7日",
            "开票",
            "公司抬头",
        ),
    ]
    for offset, values in enumerate(rows):
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=4 + offset, column=column, value=value)
    for row in (4, 5, 7):
        sheet.cell(row=row, column=2).number_format = "yyyy-mm-dd hh:mm"
        sheet.cell(row=row, column=6).number_format = '"¥"#,##0.00'
    sheet.cell(row=7, column=2).number_format = "yyyy-mm-dd"
    notes = workbook.create_sheet("说明")
    notes["A1"] = "说明"
    notes["B1"] = "内容"
    notes["A2"] = "导出时间"
    notes["B2"] = "2024-03-08"
    fixed = dt.datetime(2024, 3, 8, 9, 0)
    workbook.properties.created = fixed
    workbook.properties.modified = fixed
    workbook.save(HERE / "orders_merged_header.xlsx")


def main() -> None:
    write_customers_gbk()
    write_orders_utf8_bom()
    write_members_utf16()
    write_orders_merged_header()
    write_customers_bad_rows()
    write_pos_order_lines()


if __name__ == "__main__":
    main()
