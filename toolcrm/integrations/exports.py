"""Customer and order lists out of ToolCRM: the list the user is looking at (same filters, same
scope) as CSV or Excel, with phones masked as on screen — an export is a copy of personal data
leaving the system, so it never carries more than the page shows, and each one is audit-logged
with its filters and row count (PIPL: who took which list out, when).

Both kinds build an ``Export``: a header and a lazy iterator of rows over a streamed queryset.
CSV is UTF-8 with a BOM so that Excel on a Chinese Windows opens it without mojibake, streamed
line by line; .xlsx is written with openpyxl's write-only mode (constant memory per row) into a
temporary file that the response then streams.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from toolcrm.core.audit import log_event
from toolcrm.core.pii import mask_phone
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customer_list, search_queryset
from toolcrm.sales.choices import OrderChannel, OrderStatus
from toolcrm.sales.models import Order, OrderLine
from toolcrm.sales.selectors import OrderFilters, order_line_list, order_list

FORMATS = ("csv", "xlsx")
# An .xlsx is built whole before its first byte is sent (a zip cannot be streamed as it is
# written) at ~2,000 rows a second without lxml: past this many rows a proxy would time out
# first, so larger lists are refused with a pointer to CSV, which streams at ~10,000 rows/s.
XLSX_MAX_ROWS = 100_000
CHUNK_SIZE = 2000

Cell = str | int | Decimal


@dataclass(frozen=True)
class Export:
    file_format: str
    filename: str
    sheet_title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]  # lazy: read once, while the response is sent
    row_count: int


def _file_format(value: str) -> str:
    return value if value in FORMATS else "csv"


def _filename(stem: str, file_format: str) -> str:
    return f"{stem}-{timezone.localtime().strftime('%Y%m%d-%H%M')}.{file_format}"


def _local(moment: Any) -> str:
    return str(timezone.localtime(moment).strftime("%Y-%m-%d %H:%M"))


class ExportTooLargeError(ValueError):
    """An Excel export of more rows than ``XLSX_MAX_ROWS``; ``message`` says what to do."""

    def __init__(self, row_count: int) -> None:
        self.message = _(
            "共 %(rows)s 行，超过 Excel 导出上限 %(limit)s 行：请缩小筛选范围，或导出 CSV。"
        ) % {"rows": f"{row_count:,}", "limit": f"{XLSX_MAX_ROWS:,}"}
        super().__init__(self.message)


def _check_size(file_format: str, row_count: int) -> None:
    if file_format == "xlsx" and row_count > XLSX_MAX_ROWS:
        raise ExportTooLargeError(row_count)


def _labels(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
    """A choice field's labels in the active language, translated once per export:
    ``get_FOO_display`` hashes lazy choices on every call (~0.25 ms, half of a row's cost)."""
    return {value: str(label) for value, label in choices}


# --- customers ------------------------------------------------------------------------------


def _customer_header() -> list[str]:
    return [
        _("客户编号"),
        _("类型"),
        _("姓名/企业名称"),
        _("会员卡号"),
        _("手机号（打码）"),
        _("邮箱"),
        _("归属门店"),
        _("省"),
        _("市"),
        _("区/县"),
        _("来源渠道"),
        _("建档时间"),
    ]


def _customer_row(customer: Customer, labels: dict[str, dict[str, str]]) -> list[Cell]:
    return [
        str(customer.pk),
        labels["kind"].get(customer.kind, customer.kind),
        customer.name,
        customer.member_card_no or "",
        mask_phone(customer.phone),
        customer.email,
        customer.home_store.name,
        customer.province,
        customer.city,
        customer.district,
        labels["source_channel"].get(customer.source_channel, customer.source_channel),
        _local(customer.created_at),
    ]


def prepare_customer_export(
    *, user: Any, kind: str = "", query: str = "", file_format: str = "csv"
) -> Export:
    """Check the permission, build the scoped queryset the list page shows and log the export."""
    require_capability(user, Capability.EXPORT_CUSTOMERS)
    file_format = _file_format(file_format)
    if query:
        queryset = search_queryset(user=user, query=query)[1]
    else:
        queryset = customer_list(user=user, kind=kind)
    row_count = queryset.count()
    _check_size(file_format, row_count)
    labels = {
        "kind": _labels(Customer._meta.get_field("kind").choices or ()),
        "source_channel": _labels(Customer._meta.get_field("source_channel").choices or ()),
    }
    log_event(
        actor=user,
        obj=user,
        event="export_customers",
        data={"kind": kind, "query": query, "format": file_format, "rows": row_count},
    )
    return Export(
        file_format=file_format,
        filename=_filename("customers", file_format),
        sheet_title=_("客户"),
        header=_customer_header(),
        rows=(_customer_row(c, labels) for c in queryset.iterator(chunk_size=CHUNK_SIZE)),
        row_count=row_count,
    )


# --- orders ---------------------------------------------------------------------------------


def _order_header(*, with_lines: bool) -> list[str]:
    header = [
        _("订单号"),
        _("渠道"),
        _("门店"),
        _("下单时间"),
        _("状态"),
        _("客户编号"),
        _("客户姓名"),
        _("手机号（打码）"),
        _("商品金额"),
        _("优惠金额"),
        _("实付金额"),
        _("备注"),
    ]
    if with_lines:
        header += [_("SKU"), _("商品名称"), _("数量"), _("单价"), _("行优惠"), _("小计")]
    return header


def _order_cells(order: Order, labels: dict[str, dict[str, str]]) -> list[Cell]:
    customer = order.customer
    return [
        order.external_id,
        labels["channel"].get(order.channel, order.channel),
        order.store.name,
        _local(order.ordered_at),
        labels["status"].get(order.status, order.status),
        str(customer.pk) if customer else "",
        customer.name if customer else "",
        mask_phone(customer.phone) if customer else "",
        order.subtotal,
        order.discount_total,
        order.total,
        order.note,
    ]


def _line_cells(line: OrderLine, labels: dict[str, dict[str, str]]) -> list[Cell]:
    return [
        *_order_cells(line.order, labels),
        line.product.sku,
        line.product.name,
        line.quantity,
        line.unit_price,
        line.discount,
        line.line_total,
    ]


# The columns the rows read (``only``): not loading the customer's other encrypted columns saves
# their decryption, a third of a row's cost.
_ORDER_COLUMNS = (
    "external_id",
    "channel",
    "status",
    "ordered_at",
    "subtotal",
    "discount_total",
    "total",
    "note",
    "store__name",
    "customer__name",
    "customer__phone",
)
_LINE_COLUMNS = (
    "quantity",
    "unit_price",
    "discount",
    "line_total",
    "product__sku",
    "product__name",
    *(f"order__{name}" for name in _ORDER_COLUMNS),
)


def prepare_order_export(
    *, user: Any, filters: OrderFilters, with_lines: bool = False, file_format: str = "csv"
) -> Export:
    """The orders of the order list page with these filters (one row per order, or per line
    with ``with_lines``), scoped and masked like the page; the export is audit-logged."""
    require_capability(user, Capability.EXPORT_ORDERS)
    file_format = _file_format(file_format)
    labels = {"channel": _labels(OrderChannel.choices), "status": _labels(OrderStatus.choices)}
    rows: Iterator[list[Cell]]
    if with_lines:
        lines = order_line_list(user=user, filters=filters).only(*_LINE_COLUMNS)
        row_count = lines.count()
        rows = (_line_cells(line, labels) for line in lines.iterator(chunk_size=CHUNK_SIZE))
    else:
        orders = order_list(user=user, filters=filters).only(*_ORDER_COLUMNS)
        row_count = orders.count()
        rows = (_order_cells(order, labels) for order in orders.iterator(chunk_size=CHUNK_SIZE))
    _check_size(file_format, row_count)
    log_event(
        actor=user,
        obj=user,
        event="export_orders",
        data={
            "filters": filters.as_log_data(),
            "lines": with_lines,
            "format": file_format,
            "rows": row_count,
        },
    )
    return Export(
        file_format=file_format,
        filename=_filename("order-lines" if with_lines else "orders", file_format),
        sheet_title=_("订单明细") if with_lines else _("订单"),
        header=_order_header(with_lines=with_lines),
        rows=rows,
        row_count=row_count,
    )


# --- writers --------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(export: Export) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(export.header)
    for row in export.rows:
        yield writer.writerow(row)


def xlsx_file(export: Export) -> IO[bytes]:
    """The workbook in a temporary file (deleted when closed), rewound for reading."""
    from openpyxl import Workbook  # imported on use: only exports need it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(export.sheet_title)
    sheet.append(list(export.header))
    for row in export.rows:
        sheet.append(list(row))
    # Not a with-block: the response streams the file and closes (and so deletes) it.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        workbook.save(handle)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle
