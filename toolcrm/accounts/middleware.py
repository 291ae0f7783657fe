"""Makes the TOTP second factor mandatory for the roles in ``settings.OTP_REQUIRED_ROLES`` when
``settings.OTP_REQUIRED`` is on: such a user is sent to verify (or first enrol) a device before any
other page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz", "/api/", "/i18n/")


def otp_required_for(user: object) -> bool:
    return bool(
        settings.OTP_REQUIRED
        and getattr(user, "is_authenticated", False)
        and getattr(user, "role", "") in settings.OTP_REQUIRED_ROLES
    )


class RequireOTPMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            otp_required_for(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(_EXEMPT_PREFIXES)
        ):
            return redirect("accounts:otp_verify")
        return self.get_response(request)
