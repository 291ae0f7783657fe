"""In-app notifications any app can send: ``notify(recipient_ids=[...], title=..., body=...,
url=..., key=...)``. The navbar bell shows the unread count (fetched by HTMX after the page
loads, so no page pays a query for it) and /notifications/ lists them and marks them read.

Titles and bodies are stored as text in the language active when they were sent (a task runs in
the site's default language), like an e-mail. ``key`` makes a send idempotent per recipient: a
second ``notify`` with the same key writes nothing for a recipient who already has it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from toolcrm.core.models import Notification

TITLE_LENGTH = Notification._meta.get_field("title").max_length or 200


def notify(
    *,
    recipient_ids: Iterable[int],
    title: str,
    body: str = "",
    url: str = "",
    key: str = "",
) -> int:
    """Create one notification per recipient; returns how many were new."""
    recipients = sorted(set(recipient_ids))
    if not recipients:
        return 0
    if key:
        already = set(
            Notification.objects.filter(recipient_id__in=recipients, key=key).values_list(
                "recipient_id", flat=True
            )
        )
        recipients = [pk for pk in recipients if pk not in already]
    rows = [
        Notification(recipient_id=pk, title=title[:TITLE_LENGTH], body=body, url=url, key=key)
        for pk in recipients
    ]
    # ignore_conflicts: a concurrent send with the same key loses quietly to the first one
    Notification.objects.bulk_create(rows, ignore_conflicts=bool(key))
    return len(rows)


def notifications_for(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, user: Any, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; returns how many changed.
    Another user's notification id matches nothing."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())
