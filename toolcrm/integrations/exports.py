"""Customer lists out of ToolCRM: the list the user is looking at (same filters, same scope) as
CSV or Excel, with phones masked as on screen — an export is a copy of personal data leaving the
system, so it never carries more than the page shows, and each one is audit-logged with its
filters and row count (PIPL: who took which list out, when).

CSV is UTF-8 with a BOM so that Excel on a Chinese Windows opens it without mojibake; .xlsx is
written with openpyxl's write-only mode (constant memory per row).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from toolcrm.core.audit import log_event
from toolcrm.core.pii import mask_phone
from toolcrm.core.roles import Capability, has_capability
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customer_list, search_queryset

FORMATS = ("csv", "xlsx")
# Excel's sheet limit, minus the header row.
XLSX_MAX_ROWS = 1_048_575


@dataclass(frozen=True)
class CustomerExport:
    queryset: QuerySet[Customer]
    file_format: str
    filename: str
    row_count: int


def _header() -> list[str]:
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


def _row(customer: Customer) -> list[str]:
    created = timezone.localtime(customer.created_at).strftime("%Y-%m-%d %H:%M")
    return [
        str(customer.pk),
        str(customer.get_kind_display()),
        customer.name,
        customer.member_card_no or "",
        mask_phone(customer.phone),
        customer.email,
        customer.home_store.name,
        customer.province,
        customer.city,
        customer.district,
        str(customer.get_source_channel_display()),
        created,
    ]


def prepare_customer_export(
    *, user: Any, kind: str = "", query: str = "", file_format: str = "csv"
) -> CustomerExport:
    """Check the permission, build the scoped queryset the list page shows and log the export."""
    if not has_capability(user, Capability.EXPORT_CUSTOMERS):
        raise PermissionDenied(Capability.EXPORT_CUSTOMERS.value)
    if file_format not in FORMATS:
        file_format = "csv"
    if query:
        queryset = search_queryset(user=user, query=query)[1]
    else:
        queryset = customer_list(user=user, kind=kind)
    row_count = queryset.count()
    log_event(
        actor=user,
        obj=user,
        event="export_customers",
        data={"kind": kind, "query": query, "format": file_format, "rows": row_count},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return CustomerExport(
        queryset=queryset,
        file_format=file_format,
        filename=f"customers-{stamp}.{file_format}",
        row_count=row_count,
    )


class _Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value: str) -> str:
        return value


def csv_lines(export: CustomerExport) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(_header())
    for customer in export.queryset.iterator(chunk_size=2000):
        yield writer.writerow(_row(customer))


def xlsx_bytes(export: CustomerExport) -> bytes:
    from openpyxl import Workbook  # imported on use: only exports need it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("客户"))
    sheet.append(_header())
    for count, customer in enumerate(export.queryset.iterator(chunk_size=2000)):
        if count >= XLSX_MAX_ROWS:
            break
        sheet.append(_row(customer))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
