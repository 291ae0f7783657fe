"""Audit helpers: record an access to personal data (a "reveal") with its mandatory reason.

Changes to customers, consents and staff permissions are logged automatically by django-auditlog
(see each app's ``audit.py``); reading unmasked PII is not a change, so it is written here as an
auditlog ``ACCESS`` entry carrying the field and the reason.
"""

from __future__ import annotations

from typing import Any

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model


def log_pii_access(
    *, actor: Any, obj: Model, field_name: str, reason: str, ip: str = ""
) -> LogEntry:
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        object_id=obj.pk if isinstance(obj.pk, int) else None,
        object_repr=str(obj)[:200],
        action=LogEntry.Action.ACCESS,
        changes={},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        remote_addr=ip or None,
        additional_data={"event": "reveal_pii", "field": field_name, "reason": reason},
    )


def log_event(*, actor: Any, obj: Model, event: str, data: dict[str, Any]) -> LogEntry:
    """An explicit audit entry for a domain action that is more than its field changes (a merge
    and its undo); ``data`` must hold no plaintext PII."""
    return LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_pk=str(obj.pk),
        object_id=obj.pk if isinstance(obj.pk, int) else None,
        object_repr=str(obj)[:200],
        action=LogEntry.Action.UPDATE,
        changes={},
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        additional_data={"event": event, **data},
    )
