"""Cross-cutting middleware: the UI language rule, the Content-Security-Policy header and one
structured log line per request (method, path, status, duration, user id)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

request_logger = logging.getLogger("toolcrm.request")


class ChosenLanguageMiddleware:
    """Pages are in Chinese unless the user picked English with the language switch (a cookie).

    A store's shared tablet often runs an English-locale browser; the browser's Accept-Language
    must not turn the clerk's screens English behind their back. The API keeps Accept-Language,
    so an integrator can ask for English error messages. Runs just before ``LocaleMiddleware``.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/"):
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Every page, /api/docs included: its swagger-ui is served locally and needs no inline
        # script (django-ninja passes the settings as a JSON data block).
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class RequestLogMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            user = getattr(request, "user", None)
            request_logger.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "user_id": getattr(user, "pk", None),
                },
            )
        return response
