"""Download of the customer list the user is looking at, as CSV or Excel (see ``exports``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from toolcrm.integrations import exports

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_GET
def customer_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    export = exports.prepare_customer_export(
        user=request.user,
        kind=request.GET.get("kind", ""),
        query=request.GET.get("q", "").strip(),
        file_format=request.GET.get("format", "csv"),
    )
    response: HttpResponse | StreamingHttpResponse
    if export.file_format == "xlsx":
        response = HttpResponse(exports.xlsx_bytes(export), content_type=XLSX_TYPE)
    else:
        response = StreamingHttpResponse(
            exports.csv_lines(export), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
