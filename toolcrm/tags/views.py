"""Tag pages: rule tag definitions (list, create, edit, switch off/on; the HTMX condition builder
and preview), the count of each tag per store, and a tag's customers. Views parse, call one
selector or service and render; permissions and scoping are in the selectors and services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.choices import CompanyType, CustomerKind, SourceChannel
from toolcrm.insights.choices import LifecycleStage, RfmSegment
from toolcrm.sales.choices import OrderChannel
from toolcrm.tags import forms, selectors, services
from toolcrm.tags.schema import DefinitionErrors

PAGE_SIZE = 50


def _builder_context() -> dict[str, Any]:
    choices = selectors.condition_choices()
    return {
        "choices": choices,
        "profile_choices": {
            "kind": CustomerKind.choices,
            "source_channel": SourceChannel.choices,
            "company_type": [c for c in CompanyType.choices if c[0]],
            "lifecycle_stage": LifecycleStage.choices,
            "rfm_segment": RfmSegment.choices,
            "home_store": [(str(pk), name) for pk, name in choices.stores],
        },
        "channels": OrderChannel.choices,
    }


def _attach(rows: list[forms.ConditionRow], errors: DefinitionErrors) -> None:
    for position, row_errors in errors.rows.items():
        if 0 <= position < len(rows):
            rows[position].errors = row_errors


@login_required
@require_GET
def definition_list(request: HttpRequest) -> HttpResponse:
    tags = selectors.tag_definitions(user=request.user)
    return render(request, "tags/definition_list.html", {"tags": tags})


def _form(request: HttpRequest, tag_id: int | None) -> HttpResponse:
    tag = selectors.get_rule_tag(user=request.user, tag_id=tag_id) if tag_id else None
    general: list[str] = []
    if request.method == "POST":
        rows = forms.rows_from_post(request.POST)
        name = request.POST.get("name", "")
        description = request.POST.get("description", "")
        match = request.POST.get("match", "all")
        try:
            saved = services.save_rule_tag(
                user=request.user,
                name=name,
                description=description,
                definition=forms.definition_from(request.POST, rows),
                tag_id=tag.pk if tag else None,
            )
        except DefinitionErrors as errors:
            general = errors.general
            _attach(rows, errors)
        else:
            messages.success(request, _("标签“%(name)s”已保存，正在计算。") % {"name": saved.name})
            return redirect("tags:definition_list")
    elif tag is not None:
        rows = forms.rows_from_definition(tag.definition or {})
        name, description = tag.name, tag.description
        match = (tag.definition or {}).get("match", "all")
    else:
        rows, name, description, match = [forms.new_row(0)], "", "", "all"
    context = {
        "tag": tag,
        "rows": rows,
        "name": name,
        "description": description,
        "match": match,
        "general_errors": general,
        **_builder_context(),
    }
    return render(
        request,
        "tags/definition_form.html",
        context,
        status=400 if general or any(r.errors for r in rows) else 200,
    )


@login_required
def definition_create(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_TAGS)
    return _form(request, None)


@login_required
def definition_edit(request: HttpRequest, tag_id: int) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_TAGS)
    return _form(request, tag_id)


@login_required
@require_POST
def definition_set_active(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = selectors.get_tag(user=request.user, tag_id=tag_id, capability=Capability.MANAGE_TAGS)
    is_active = request.POST.get("is_active") == "1"
    services.set_tag_active(user=request.user, tag_id=tag.pk, is_active=is_active)
    if is_active:
        messages.success(request, _("标签“%(name)s”已启用，正在计算。") % {"name": tag.label})
    else:
        messages.success(request, _("标签“%(name)s”已停用。") % {"name": tag.label})
    return redirect("tags:definition_list")


@login_required
@require_GET
def condition_add(request: HttpRequest) -> HttpResponse:
    """HTMX: one more, empty condition row (its index after the highest on the page)."""
    require_capability(request.user, Capability.MANAGE_TAGS)
    index = max(forms.row_indices(request.GET), default=-1) + 1
    context = {"row": forms.new_row(index), **_builder_context()}
    return render(request, "tags/partials/condition_row.html", context)


@login_required
@require_GET
def condition_row(request: HttpRequest) -> HttpResponse:
    """HTMX: the row again after its type or field changed, showing the matching inputs."""
    require_capability(request.user, Capability.MANAGE_TAGS)
    indices = forms.row_indices(request.GET)
    row = forms.row_from(request.GET, indices[0]) if indices else forms.new_row(0)
    return render(request, "tags/partials/condition_row.html", {"row": row, **_builder_context()})


@login_required
@require_GET
def condition_remove(request: HttpRequest) -> HttpResponse:
    """HTMX: removing a row swaps it for nothing."""
    require_capability(request.user, Capability.MANAGE_TAGS)
    return HttpResponse("")


@login_required
@require_POST
def definition_preview(request: HttpRequest) -> HttpResponse:
    """HTMX: validate the form as it stands and show how many visible customers it would tag."""
    require_capability(request.user, Capability.MANAGE_TAGS)
    rows = forms.rows_from_post(request.POST)
    tag_id = request.POST.get("tag_id", "")
    try:
        definition = services.validate_rule(
            name=request.POST.get("name", "") or "-",
            description=request.POST.get("description", ""),
            definition=forms.definition_from(request.POST, rows),
            exclude_tag_id=int(tag_id) if tag_id.isdigit() else None,
        )
    except DefinitionErrors as errors:
        return render(request, "tags/partials/preview.html", {"errors": errors.messages()})
    preview = selectors.preview_rule(user=request.user, definition=definition)
    return render(request, "tags/partials/preview.html", {"preview": preview})


@login_required
@require_GET
def tag_report(request: HttpRequest) -> HttpResponse:
    report = selectors.tag_report(user=request.user)
    return render(request, "tags/report.html", {"report": report})


@login_required
@require_GET
def tag_members(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = selectors.get_tag(user=request.user, tag_id=tag_id, capability=Capability.VIEW_TAG_REPORT)
    members = selectors.tag_members(user=request.user, tag=tag)
    page_obj = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tags/members.html", {"tag": tag, "page_obj": page_obj})
