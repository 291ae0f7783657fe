"""Downloads of the customer and order lists the user is looking at, as CSV or Excel (see
``exports``): CSV streamed row by row, Excel streamed from a temporary file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from toolcrm.core.roles import Capability, require_capability
from toolcrm.integrations import exports
from toolcrm.sales.forms import OrderFilterForm

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(export: exports.Export) -> StreamingHttpResponse:
    response: StreamingHttpResponse
    if export.file_format == "xlsx":
        response = FileResponse(exports.xlsx_file(export), content_type=XLSX_TYPE)
    else:
        response = StreamingHttpResponse(
            exports.csv_lines(export), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


def _refusal(message: str) -> HttpResponseBadRequest:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def customer_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    try:
        export = exports.prepare_customer_export(
            user=request.user,
            kind=request.GET.get("kind", ""),
            query=request.GET.get("q", "").strip(),
            file_format=request.GET.get("format", "csv"),
        )
    except exports.ExportTooLargeError as error:
        return _refusal(error.message)
    return _download(export)


@login_required
@require_GET
def order_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The order list's filters (same query string); a filter that does not parse refuses the
    download rather than exporting more rows than the page would show."""
    require_capability(request.user, Capability.EXPORT_ORDERS)
    form = OrderFilterForm(request.GET, user=request.user)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[name].label if name in form.fields else ''}: "
            + " ".join(str(error) for error in errors)
            for name, errors in form.errors.items()
        )
        return _refusal(_("筛选条件有误，未导出：%(problems)s") % {"problems": problems})
    try:
        export = exports.prepare_order_export(
            user=request.user,
            filters=form.filters(),
            with_lines=request.GET.get("lines") == "1",
            file_format=request.GET.get("format", "csv"),
        )
    except exports.ExportTooLargeError as error:
        return _refusal(error.message)
    return _download(export)
