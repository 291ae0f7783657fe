"""Forms of the staff account pages: login, the 6-digit TOTP code, and the audit-log filter.

They parse and show errors; authentication itself goes through ``django.contrib.auth`` (so that
django-axes sees every attempt) and two-factor checks through ``accounts.services``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from toolcrm.core.pii import to_halfwidth

_TOTP_CODE = re.compile(r"^\d{6}$")

AUDIT_ACTIONS: dict[str, int] = {
    "create": LogEntry.Action.CREATE,
    "update": LogEntry.Action.UPDATE,
    "delete": LogEntry.Action.DELETE,
    "access": LogEntry.Action.ACCESS,
}


class LoginForm(AuthenticationForm):
    """Username and password, with the product's wording and hooks for browser tests."""

    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入（密码区分大小写）。"),
        "inactive": _("该账号已停用，请联系管理员。"),
    }

    def __init__(self, request: Any = None, *args: Any, **kwargs: Any) -> None:
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("用户名")
        self.fields["password"].label = _("密码")
        self.fields["username"].widget.attrs.update(
            {
                "class": "form-control form-control-lg",
                "autocomplete": "username",
                "autocapitalize": "none",
                "data-testid": "login-username",
            }
        )
        self.fields["password"].widget.attrs.update(
            {"class": "form-control form-control-lg", "data-testid": "login-password"}
        )


class TotpCodeForm(forms.Form):
    """The 6-digit code from an authenticator app; spaces and full-width digits are accepted."""

    token = forms.CharField(
        label=_("6 位验证码"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg text-center font-monospace",
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "placeholder": "123456",
                "data-testid": "otp-token",
            }
        ),
    )

    def clean_token(self) -> str:
        token = re.sub(r"\s", "", to_halfwidth(self.cleaned_data["token"]))
        if not _TOTP_CODE.match(token):
            raise forms.ValidationError(_("请输入身份验证器上显示的 6 位数字。"), code="format")
        return token


def _object_type_choices() -> list[tuple[str, str]]:
    """Models whose changes are audit-logged, as ``app_label.model`` values (no query)."""
    choices = [
        (f"{model._meta.app_label}.{model._meta.model_name}", str(model._meta.verbose_name))
        for model in auditlog.get_models()
    ]
    return [("", str(_("全部对象"))), *sorted(choices, key=lambda choice: choice[1])]


class AuditLogFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("操作"),
        required=False,
        choices=[
            ("", _("全部操作")),
            ("create", _("新建")),
            ("update", _("修改")),
            ("delete", _("删除")),
            ("access", _("查看敏感信息")),
        ],
        widget=forms.Select(attrs={"class": "form-select", "data-testid": "audit-action"}),
    )
    object_type = forms.ChoiceField(
        label=_("对象类型"),
        required=False,
        widget=forms.Select(attrs={"class": "form-select", "data-testid": "audit-object-type"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = _object_type_choices()  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """Keyword filters for ``LogEntry``; an invalid choice filters nothing."""
        if not self.is_valid():
            return {}
        filters: dict[str, Any] = {}
        if action := self.cleaned_data.get("action"):
            filters["action"] = AUDIT_ACTIONS[action]
        if object_type := self.cleaned_data.get("object_type"):
            app_label, _dot, model_name = object_type.partition(".")
            filters["content_type__app_label"] = app_label
            filters["content_type__model"] = model_name
        return filters

    def query_string(self) -> str:
        """The active filters as a query string, for pagination links."""
        if not self.is_valid():
            return ""
        return urlencode({name: value for name, value in self.cleaned_data.items() if value})
