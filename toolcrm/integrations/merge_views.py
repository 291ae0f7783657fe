"""Pages of identity resolution: the review queue of duplicate candidates, the candidates of one
customer, "not the same person", the merge screen (two customers side by side, a choice per
differing field, what will move, confirm) and the merge history with its undo button. Views
parse, call one service or selector and render; the capability is
``Capability.MERGE_CUSTOMERS`` (403 without it) and both customers must be in the user's scope
(``get_customer_for``: 404 otherwise)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.selectors import get_customer_for
from toolcrm.integrations import identity, merge, selectors

PAGE_SIZE = 25


@login_required
@require_http_methods(["GET", "POST"])
def merge_screen(request: HttpRequest, survivor_id: int, other_id: int) -> HttpResponse:
    require_capability(request.user, Capability.MERGE_CUSTOMERS)
    survivor = get_customer_for(user=request.user, customer_id=survivor_id)
    other = get_customer_for(user=request.user, customer_id=other_id)
    errors: list[str] = []
    if request.method == "POST":
        choices: dict[str, merge.FieldSource] = {
            name: "other"
            for name in merge.MERGEABLE_FIELDS
            if request.POST.get(f"field_{name}") == "other"
        }
        try:
            merge.merge_customers(
                user=request.user, survivor=survivor, other=other, field_choices=choices
            )
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("已将 %(other)s 合并到 %(survivor)s，可在合并记录中撤销。")
                % {"other": other.name, "survivor": survivor.name},
            )
            return redirect(survivor)
    else:
        try:
            merge.check_mergeable(survivor=survivor, other=other)
        except ValidationError as error:
            errors = error.messages
    context = {
        "survivor": survivor,
        "other": other,
        "comparison": selectors.merge_comparison(survivor=survivor, other=other),
        "errors": errors,
    }
    return render(request, "integrations/merge.html", context)


@login_required
@require_GET
def merge_history(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MERGE_CUSTOMERS)
    page = Paginator(selectors.merge_records_visible_to(request.user), PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    rows = [(record, selectors.fields_taken_from_merged(record)) for record in page_obj]
    return render(
        request,
        "integrations/merge_history.html",
        {"page_obj": page_obj, "records": page_obj.object_list, "rows": rows},
    )


@login_required
@require_POST
def merge_undo(request: HttpRequest, merge_id: int) -> HttpResponse:
    require_capability(request.user, Capability.MERGE_CUSTOMERS)
    record = selectors.get_merge_for(user=request.user, merge_id=merge_id)
    try:
        merge.undo_merge(user=request.user, merge=record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已撤销合并，两位客户已恢复原状。"))
    return redirect("identity:merge_history")


@login_required
@require_GET
def candidate_queue(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MERGE_CUSTOMERS)
    page = Paginator(selectors.candidate_queue(request.user), PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    rows = [(c, selectors.candidate_evidence(c)) for c in page_obj.object_list]
    return render(
        request, "integrations/candidate_queue.html", {"page_obj": page_obj, "rows": rows}
    )


@login_required
@require_GET
def customer_candidates(request: HttpRequest, customer_id: int) -> HttpResponse:
    require_capability(request.user, Capability.MERGE_CUSTOMERS)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    matches = selectors.candidates_for(user=request.user, customer=customer)
    rows = [(m, [identity.evidence_text(item) for item in m.evidence]) for m in matches]
    return render(
        request, "integrations/customer_candidates.html", {"customer": customer, "rows": rows}
    )


@login_required
@require_POST
def dismiss_candidate(request: HttpRequest, customer_id: int, other_id: int) -> HttpResponse:
    require_capability(request.user, Capability.MERGE_CUSTOMERS)
    customer = get_customer_for(user=request.user, customer_id=customer_id)
    other = get_customer_for(user=request.user, customer_id=other_id)
    identity.dismiss_pair(user=request.user, customer=customer, other=other)
    messages.success(request, _("已标记为不是同一人，不会再提示这对客户。"))
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("identity:candidate_queue")
