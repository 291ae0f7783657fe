"""Import pages: job list, upload, column mapping, preview, start, the job page with its
HTMX-polled progress, and the error report download. Views parse, call one service or selector
and render; permissions are ``Capability.IMPORT_DATA`` (checked here and in the services) and
the job scoping of ``selectors``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_POST

from toolcrm.core.roles import Capability, require_capability
from toolcrm.integrations import selectors, services
from toolcrm.integrations.choices import ImportStatus
from toolcrm.integrations.forms import MappingForm, UploadForm
from toolcrm.integrations.parsing import TableError

PAGE_SIZE = 25


def _message(error: TableError) -> str:
    return error.message_in("en" if (get_language() or "").startswith("en") else "zh-hans")


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.IMPORT_DATA)
    page = Paginator(selectors.import_jobs_visible_to(request.user), PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    return render(
        request, "integrations/job_list.html", {"page_obj": page_obj, "jobs": page_obj.object_list}
    )


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.IMPORT_DATA)
    kinds = services.kinds_for(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            job = services.create_import_job(
                user=request.user,
                kind=form.cleaned_data["kind"],
                content=upload_file.read(),
                filename=upload_file.name,
                store=form.cleaned_data["store"],
                profile=form.cleaned_data["profile"],
                is_dry_run=form.cleaned_data["is_dry_run"],
            )
        except TableError as error:
            form.add_error("file", _message(error))
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect("integrations:mapping", job_id=job.pk)
    return render(request, "integrations/upload.html", {"form": form})


@login_required
def mapping(request: HttpRequest, job_id: int) -> HttpResponse:
    require_capability(request.user, Capability.IMPORT_DATA)
    job = selectors.get_import_job_for(user=request.user, job_id=job_id)
    if job.status != ImportStatus.DRAFT:
        return redirect(job)
    header = services.read_job_table(job).header
    form = MappingForm(
        request.POST or None,
        specs=services.field_specs(job.kind),
        header=header,
        mapping=job.mapping,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_job_mapping(user=request.user, job=job, mapping=form.mapping())
            if form.cleaned_data["save_as"]:
                services.save_mapping_profile(
                    user=request.user,
                    kind=job.kind,
                    name=form.cleaned_data["save_as"],
                    source_label=form.cleaned_data["source_label"],
                    mapping=form.mapping(),
                )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return redirect("integrations:preview", job_id=job.pk)
    return render(request, "integrations/mapping.html", {"job": job, "form": form})


@login_required
@require_GET
def preview(request: HttpRequest, job_id: int) -> HttpResponse:
    require_capability(request.user, Capability.IMPORT_DATA)
    job = selectors.get_import_job_for(user=request.user, job_id=job_id)
    if job.status != ImportStatus.DRAFT:
        return redirect(job)
    header = services.read_job_table(job).header
    column_error = ""
    rows: list[services.PreviewRow] = []
    try:
        services.check_columns(kind=job.kind, mapping=job.mapping, header=header)
    except TableError as error:
        column_error = _message(error)
    else:
        rows = services.preview(user=request.user, job=job)
    context = {
        "job": job,
        "header": header,
        "rows": rows,
        "column_error": column_error,
        "problem_rows": sum(1 for row in rows if row.problems),
        "earlier": selectors.earlier_imports_of_same_file(job).first(),
    }
    return render(request, "integrations/preview.html", context)


@login_required
@require_POST
def start(request: HttpRequest, job_id: int) -> HttpResponse:
    require_capability(request.user, Capability.IMPORT_DATA)
    job = selectors.get_import_job_for(user=request.user, job_id=job_id)
    try:
        services.start_import_job(user=request.user, job=job)
    except TableError as error:
        messages.error(request, _message(error))
        return redirect("integrations:preview", job_id=job.pk)
    return redirect(job)


@login_required
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    require_capability(request.user, Capability.IMPORT_DATA)
    job = selectors.get_import_job_for(user=request.user, job_id=job_id)
    template = (
        "integrations/partials/progress.html"
        if getattr(request, "htmx", False)
        else "integrations/job_detail.html"
    )
    return render(request, template, {"job": job, "errors": selectors.job_errors(job)})


@login_required
@require_GET
def error_report(request: HttpRequest, job_id: int) -> HttpResponse:
    require_capability(request.user, Capability.IMPORT_DATA)
    job = selectors.get_import_job_for(user=request.user, job_id=job_id)
    response = HttpResponse(selectors.error_report_csv(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
