"""Notification pages: the signed-in user's list (marking read), the navbar bell's unread count
(an HTMX fragment), and opening one notification (marks it read, then follows its link)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from toolcrm.core import notifications
from toolcrm.core.models import Notification

PAGE_SIZE = 30


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    page_obj = Paginator(notifications.notifications_for(request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "core/notifications.html",
        {
            "page_obj": page_obj,
            "items": page_obj.object_list,
            "unread": notifications.unread_count(request.user),
        },
    )


@login_required
@require_GET
def bell(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "core/partials/notification_bell.html",
        {"unread": notifications.unread_count(request.user)},
    )


@login_required
@require_POST
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Notification, recipient_id=request.user.pk, pk=pk)
    notifications.mark_read(user=request.user, notification_id=item.pk)
    if item.url and url_has_allowed_host_and_scheme(item.url, allowed_hosts={request.get_host()}):
        return redirect(item.url)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    notifications.mark_read(user=request.user)
    return redirect("notifications:list")
