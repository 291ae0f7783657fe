"""Every write to staff accounts: API tokens for integrations, and the TOTP second factor
(enrolling a device, confirming it, verifying a code).

Each service is keyword-only and runs in one transaction. Two-factor checks go through
django-otp's device API, which throttles repeated wrong codes (exponential back-off per device)
and refuses a code that was already used.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from toolcrm.accounts.models import ApiToken, User

# ---------------------------------------------------------------------------------------------
# API tokens for integrations (POS, e-commerce)
# ---------------------------------------------------------------------------------------------

API_TOKEN_PREFIX = "tcrm_"


@transaction.atomic
def issue_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a bearer token acting as ``user`` and return it with its plaintext, which exists
    only in this return value: the row keeps its SHA-256 and the first 8 random characters (to
    recognise a token in the admin or in a leaked log line)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌名称（如“POS 上海浦东店”）。")})
    if not user.is_active:
        raise ValidationError({"user": _("不能为已停用的员工签发令牌。")})
    secret = secrets.token_urlsafe(32)  # 256 bits
    plaintext = f"{API_TOKEN_PREFIX}{secret}"
    token = ApiToken(
        name=name, user=user, token_hash=ApiToken.hash_token(plaintext), prefix=secret[:8]
    )
    token.full_clean()
    token.save()
    return token, plaintext


# ---------------------------------------------------------------------------------------------
# Two-factor authentication (TOTP devices)
# ---------------------------------------------------------------------------------------------

TOTP_DEVICE_NAME = "ToolCRM"


@dataclass(frozen=True)
class TotpCheck:
    """The outcome of checking a code: the device that accepted it, or why none did."""

    device: TOTPDevice | None
    retry_at: datetime | None = None  # set while wrong attempts throttle the device

    @property
    def is_accepted(self) -> bool:
        return self.device is not None


def has_confirmed_totp_device(*, user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def start_totp_enrolment(*, user: User) -> TOTPDevice:
    """The user's pending (unconfirmed) device, created on first call: reloading the set-up page
    keeps showing the same secret instead of piling up devices."""
    pending = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if pending is not None:
        return pending
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


def _check_code(device: TOTPDevice, token: str) -> TotpCheck:
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return TotpCheck(device=None, retry_at=(details or {}).get("locked_until"))
    # verify_token records a failure (throttling) or the used time step (no replay) on the row.
    return TotpCheck(device=device if device.verify_token(token) else None)


@transaction.atomic
def confirm_totp_enrolment(*, user: User, device_id: int, token: str) -> TotpCheck:
    """Confirm the pending device when ``token`` is a current code from it; other pending
    devices of the user are discarded."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=user, confirmed=False)
        .first()
    )
    if device is None:
        return TotpCheck(device=None)
    check = _check_code(device, token)
    if check.is_accepted:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return check


@transaction.atomic
def verify_totp(*, user: User, token: str) -> TotpCheck:
    """Check ``token`` against the user's confirmed devices (rows locked, so one code cannot be
    accepted twice by concurrent requests)."""
    retry_at: datetime | None = None
    devices = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)
    for device in devices.order_by("pk"):
        check = _check_code(device, token)
        if check.is_accepted:
            return check
        retry_at = check.retry_at or retry_at
    return TotpCheck(device=None, retry_at=retry_at)
