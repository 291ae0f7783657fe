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
- ``orders_merged_header.xlsx``: a report title merged over the top, then a two-row header whose
  "收货人" group is merged over 姓名/手机/地址, date cells (with and without a time), an
  unformatted serial date, phones stored as numbers, a blank row and two "备注" columns.
"""

from __future__ import annotations

import datetime as dt
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


if __name__ == "__main__":
    main()
