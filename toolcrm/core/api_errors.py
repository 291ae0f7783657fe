"""One JSON error format for the whole HTTP API, and the handlers that produce it.

Every error body has a human ``detail`` and a machine ``code``. Errors about the input carry a list
of ``{"field", "message"}`` items, with the field as a dotted path into the request
(``lines.0.quantity``), so an integrator can point at the offending value:

* schema validation by django-ninja (wrong type, missing field, ``quantity <= 0``) → 422
  ``validation_error``;
* business rules raised by services as Django ``ValidationError`` (unknown SKU, store outside the
  user's scope, duplicate phone) → 400 ``invalid``;
* ``PermissionDenied`` → 403, ``Http404`` → 404 (also for rows outside the user's scope, so an
  id from another store looks exactly like one that does not exist), authentication → 401;
* an ``IntegrityError`` that a service did not turn into a validation error → 409, never a 500.

Handlers register on the ``NinjaAPI`` with :func:`register_error_handlers`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from pydantic import Field

logger = logging.getLogger("toolcrm.api")

# Where django-ninja says a value came from; the first element of every error location.
_SOURCES = frozenset({"body", "query", "path", "header", "cookie", "form", "file"})
# The API's convention: a handler's request body parameter is called ``payload``. Ninja puts the
# parameter name into the location; clients only know the JSON they sent, so it is dropped.
BODY_PARAMETER = "payload"


class FieldError(Schema):
    field: str = Field(
        description="Dotted path of the offending value in the request; `__all__` when the "
        "error is about the request as a whole.",
        examples=["lines.0.quantity"],
    )
    message: str = Field(examples=["Input should be greater than 0"])


class ErrorOut(Schema):
    detail: str = Field(examples=["Not Found"])
    code: str = Field(examples=["not_found"])


class FieldErrorsOut(Schema):
    detail: list[FieldError]
    code: str = Field(examples=["validation_error"])


def field_name(location: Sequence[Any]) -> str:
    """``("body", "payload", "lines", 0, "quantity")`` → ``"lines.0.quantity"``."""
    parts = list(location)
    source = parts.pop(0) if parts and parts[0] in _SOURCES else ""
    if source == "body" and parts and parts[0] == BODY_PARAMETER:
        parts.pop(0)
    if not parts:
        return source or NON_FIELD_ERRORS
    return ".".join(str(part) for part in parts)


def field_errors_from_django(error: ValidationError) -> list[FieldError]:
    """A Django ``ValidationError`` (field dict or plain list) as API field errors."""
    if hasattr(error, "error_dict"):
        items: Iterable[tuple[str, list[str]]] = error.message_dict.items()
    else:
        items = [(NON_FIELD_ERRORS, error.messages)]
    return [
        FieldError(field=name, message=str(message))
        for name, messages in items
        for message in messages
    ]


def field_errors_body(errors: list[FieldError], *, code: str) -> dict[str, Any]:
    return {"detail": [error.model_dump() for error in errors], "code": code}


def register_error_handlers(api: NinjaAPI) -> None:
    def schema_invalid(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
        errors = [
            FieldError(field=field_name(item.get("loc", ())), message=str(item.get("msg", "")))
            for item in exc.errors
        ]
        return api.create_response(
            request, field_errors_body(errors, code="validation_error"), status=422
        )

    def business_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        body = field_errors_body(field_errors_from_django(exc), code="invalid")
        return api.create_response(request, body, status=400)

    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = _("没有权限执行此操作。")
        if exc.args and exc.args[0]:
            detail = _("没有权限执行此操作（需要 %(capability)s）。") % {"capability": exc.args[0]}
        return api.create_response(
            request, {"detail": detail, "code": "permission_denied"}, status=403
        )

    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(
            request, {"detail": _("未找到。"), "code": "not_found"}, status=404
        )

    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:  # ninja raises this only for a body that is not JSON
            errors = [FieldError(field="body", message=str(exc))]
            return api.create_response(
                request, field_errors_body(errors, code="invalid"), status=400
            )
        code = {401: "unauthorized", 403: "permission_denied", 429: "throttled"}.get(
            exc.status_code, "error"
        )
        response = api.create_response(
            request, {"detail": str(exc), "code": code}, status=exc.status_code
        )
        if isinstance(exc, AuthenticationError):
            response["WWW-Authenticate"] = 'Bearer realm="toolcrm"'
        return response

    def integrity_error(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        # Services turn expected conflicts into validation errors; this is the safety net.
        logger.warning("IntegrityError reached the API: %s", exc)
        return api.create_response(
            request,
            {"detail": _("数据冲突，请刷新后重试。"), "code": "conflict"},
            status=409,
        )

    def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("Unhandled API error", exc_info=exc)
        return api.create_response(
            request, {"detail": _("服务器内部错误。"), "code": "server_error"}, status=500
        )

    # ninja types a handler's exception as "instance or class"; each handler here gets instances.
    handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
        (SchemaValidationError, schema_invalid),
        (ValidationError, business_invalid),
        (PermissionDenied, forbidden),
        (Http404, not_found),
        (HttpError, http_error),
        (IntegrityError, integrity_error),
        (Exception, unexpected),
    ]
    for exception_class, handler in handlers:
        api.add_exception_handler(exception_class, handler)
