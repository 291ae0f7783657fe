"""Staff account pages: login and logout, the TOTP second factor (verify a code, enrol a device)
and the audit log.

Login goes through Django's ``LoginView`` with an ``AuthenticationForm``, which passes the request
to ``authenticate()`` so django-axes counts failures and locks a username + IP pair; the lockout
page is ``accounts/locked_out.html``. Views stay thin: device checks are in ``accounts.services``.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.db.models import BooleanField, Model
from django.db.models.query import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from toolcrm.accounts import services
from toolcrm.accounts.forms import AuditLogFilterForm, LoginForm, TotpCodeForm
from toolcrm.accounts.middleware import otp_required_for
from toolcrm.accounts.models import User
from toolcrm.core.roles import Capability, has_capability

AUDIT_PAGE_SIZE = 50


class StaffLoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class StaffLogoutView(auth_views.LogoutView):
    """POST only (Django's default): a link or prefetch cannot log anyone out."""


def _staff(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # login_required has already sent anonymous users away
        raise PermissionDenied
    return user


def _is_verified(user: User) -> bool:
    """Whether this session has passed the second factor (set by django-otp's middleware)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


def _requested_next(request: HttpRequest) -> str:
    """The ``next`` the page was asked with (query string, or the form's hidden field)."""
    return request.POST.get("next") or request.GET.get("next") or ""


def _next_url(request: HttpRequest) -> str:
    """Where to go after the second factor: a safe ``next`` or the home page."""
    candidate = _requested_next(request)
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _redirect_with_next(view_name: str, request: HttpRequest, next_url: str = "") -> HttpResponse:
    next_url = next_url or _requested_next(request)
    url = resolve_url(view_name)
    return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


def _code_error_message(check: services.TotpCheck) -> str:
    if check.retry_at is not None:
        return _("错误次数过多，请稍候几秒再试。")
    return _("验证码不正确或已过期，请输入身份验证器上最新的 6 位数字。")


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Enter the current code of a confirmed device; users without one are sent to enrol."""
    user = _staff(request)
    if _is_verified(user):
        return redirect(_next_url(request))
    if not services.has_confirmed_totp_device(user=user):
        return _redirect_with_next("accounts:otp_setup", request)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.verify_totp(user=user, token=form.cleaned_data["token"])
        if check.device is not None:
            otp_login(request, check.device)
            return redirect(_next_url(request))
        form.add_error("token", _code_error_message(check))
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _requested_next(request)},
        status=400 if form.errors else 200,
    )


def _qr_svg(data: str) -> SafeString:
    """An inline SVG QR code (no external image service sees the secret)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    # Generated locally from our own data by the qrcode package: markup we control.
    return mark_safe(image.to_string(encoding="unicode"))


def _grouped(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app: scan the QR code (or type the secret), confirm with a code.

    Only for users without a confirmed device: replacing a device needs the old one (or an admin
    deleting it), so a stolen password alone never gets past the second factor."""
    user = _staff(request)
    if services.has_confirmed_totp_device(user=user):
        if _is_verified(user):
            messages.info(request, _("您已绑定身份验证器。"))
            return redirect(_next_url(request))
        return _redirect_with_next("accounts:otp_verify", request)
    device: TOTPDevice = services.start_totp_enrolment(user=user)
    form = TotpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check = services.confirm_totp_enrolment(
            user=user, device_id=device.pk, token=form.cleaned_data["token"]
        )
        if check.device is not None:
            otp_login(request, check.device)
            messages.success(request, _("身份验证器已绑定，以后登录需输入验证码。"))
            return redirect(_next_url(request))
        form.add_error("token", _code_error_message(check))
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": _grouped(secret),
            "next": _requested_next(request),
        },
        status=400 if form.errors else 200,
    )


@dataclass(frozen=True)
class ChangeLine:
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class AuditRow:
    entry: Any
    action: str  # "create", "update", "delete", "access"
    changes: list[ChangeLine]
    accessed_field: str
    reason: str


_ACTION_NAMES = {
    LogEntry.Action.CREATE: "create",
    LogEntry.Action.UPDATE: "update",
    LogEntry.Action.DELETE: "delete",
    LogEntry.Action.ACCESS: "access",
}


_M2M_OPERATIONS = {"add": _lazy("添加"), "delete": _lazy("移除")}
_BOOLEANS = {"True": _lazy("是"), "False": _lazy("否")}


def _field_label(model: type[Model] | None, name: str) -> str:
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]
    except (FieldDoesNotExist, AttributeError):
        return name


def _is_noise(model: type[Model] | None, name: str) -> bool:
    """Fields a reader of the log does not need: reverse relations (auditlog lists them on
    create), the primary key and automatic timestamps (the entry has its own time)."""
    if model is None:
        return False
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return (
        not field.concrete
        or bool(getattr(field, "primary_key", False))
        or bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    )


def _value_display(model: type[Model] | None, name: str, value: Any) -> str:
    """A logged value for people: choice labels instead of codes, empty for nothing. Foreign keys
    stay ids (resolving them would cost a query per row)."""
    if value in (None, "None", ""):
        return ""
    if model is not None:
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return str(value)
        choices = dict(getattr(field, "choices", None) or [])
        if str(value) in choices:
            return str(choices[str(value)])
        if isinstance(field, BooleanField) and str(value) in _BOOLEANS:
            return str(_BOOLEANS[str(value)])
    return str(value)


def _change_lines(entry: Any) -> list[ChangeLine]:
    model = entry.content_type.model_class()
    lines: list[ChangeLine] = []
    for name, values in (entry.changes or {}).items():
        label = _field_label(model, name)
        if isinstance(values, dict):  # many-to-many: {"type": "m2m", "operation", "objects"}
            operation = _M2M_OPERATIONS.get(str(values.get("operation")), "")
            objects = ", ".join(str(item) for item in values.get("objects", []))
            lines.append(ChangeLine(label=label, old="", new=f"{operation} {objects}".strip()))
        elif isinstance(values, list | tuple) and len(values) == 2 and not _is_noise(model, name):
            old = _value_display(model, name, values[0])
            new = _value_display(model, name, values[1])
            if old or new:
                lines.append(ChangeLine(label=label, old=old, new=new or "—"))
    return lines


def _audit_row(entry: Any) -> AuditRow:
    extra = entry.additional_data if isinstance(entry.additional_data, dict) else {}
    action = _ACTION_NAMES.get(entry.action, "update")
    accessed = ""
    if action == "access" and extra.get("field"):
        accessed = _field_label(entry.content_type.model_class(), str(extra["field"]))
    return AuditRow(
        entry=entry,
        action=action,
        changes=_change_lines(entry) if action != "access" else [],
        accessed_field=accessed,
        reason=str(extra.get("reason", "")) if action == "access" else "",
    )


def audit_entries(*, user: User, filters: dict[str, Any]) -> QuerySet[Any]:
    """Audit-log entries for an auditor, newest first, with actor and object type joined."""
    if not has_capability(user, Capability.VIEW_AUDIT_LOG):
        return LogEntry.objects.none()
    return (
        LogEntry.objects.filter(**filters)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    if not has_capability(user, Capability.VIEW_AUDIT_LOG):
        raise PermissionDenied(Capability.VIEW_AUDIT_LOG.value)
    # Pages under /accounts/ are exempt from RequireOTPMiddleware (login and 2FA live here), so
    # this one asks for the second factor itself.
    if otp_required_for(user) and not _is_verified(user):
        return _redirect_with_next("accounts:otp_verify", request, next_url=request.path)
    form = AuditLogFilterForm(request.GET)
    paginator = Paginator(audit_entries(user=user, filters=form.filters()), AUDIT_PAGE_SIZE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/audit_log.html",
        {
            "form": form,
            "page_obj": page_obj,
            "rows": [_audit_row(entry) for entry in page_obj.object_list],
            "query_string": form.query_string(),
        },
    )
