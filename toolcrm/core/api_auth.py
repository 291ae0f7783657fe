"""Who is calling the HTTP API: a bearer token (integrations) or the UI's session.

* ``BearerTokenAuth``: ``Authorization: Bearer <token>``. Tokens are ``accounts.ApiToken`` rows
  holding only the SHA-256 of the token; a token acts as its user (that user's role and store
  scope apply to every call). A presented token that is unknown, deactivated or whose user is
  inactive is a 401 straight away, never a fall-back to the session. ``last_used_at`` is written
  at most once per ``LAST_USED_RESOLUTION`` so that a busy POS does not write on every request.
* ``SessionAuth``: the logged-in UI user. Unsafe methods need Django's CSRF token (header
  ``X-CSRFToken``), because a browser sends the session cookie on its own. A user whose role must
  use a second factor and has not verified one in this session is not authenticated here either
  (the OTP middleware leaves ``/api/`` to this class).

``core.roles.require_capability`` is the one permission check handlers make (403). This module
sits in ``core`` and so cannot import ``accounts``; it reaches the token model through the app
registry.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from auditlog.context import auditlog_value
from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

LAST_USED_RESOLUTION = timedelta(minutes=1)


def user_for_token(token: str) -> Any | None:
    """The active user behind an active token, or ``None``; refreshes ``last_used_at``."""
    if not token:
        return None
    token_model: Any = apps.get_model("accounts", "ApiToken")
    api_token = (
        token_model.objects.select_related("user")
        .filter(token_hash=token_model.hash_token(token), is_active=True)
        .first()
    )
    if api_token is None or not api_token.user.is_active:
        return None
    now = timezone.now()
    if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_RESOLUTION:
        token_model.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user


def _record_audit_actor(user: Any) -> None:
    """django-auditlog's middleware picked the actor from the session before auth ran; name the
    token's user so that changes made through the API are attributed to it."""
    # Outside a request (tests calling the API directly, commands) there is no audit context.
    with contextlib.suppress(LookupError):
        auditlog_value.get()["actor"] = user


class BearerTokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        user = user_for_token(token.strip())
        if user is None:
            raise AuthenticationError(401, _("API 令牌无效或已停用。"))
        request.user = user
        _record_audit_actor(user)
        return user


def _second_factor_missing(user: Any) -> bool:
    # Mirrors accounts.middleware.otp_required_for (core may not import accounts).
    return bool(
        settings.OTP_REQUIRED
        and getattr(user, "role", "") in settings.OTP_REQUIRED_ROLES
        and not (hasattr(user, "is_verified") and user.is_verified())
    )


class SessionAuth(NinjaSessionAuth):
    def __init__(self) -> None:
        super().__init__(csrf=True)

    def __call__(self, request: HttpRequest) -> Any | None:
        user = getattr(request, "user", None)
        # Without a session there is nothing to protect from CSRF: say 401, not "CSRF failed".
        if user is None or not user.is_authenticated or _second_factor_missing(user):
            return None
        return super().__call__(request)


def api_auth() -> list[Any]:
    """The authentication accepted on every endpoint: a bearer token or the UI session."""
    return [BearerTokenAuth(), SessionAuth()]
