"""TOTP second factor: with OTP_REQUIRED on, a store manager must enrol (QR code + secret, confirm
with a code) or verify a device before any page; a clerk is never asked; with it off (the demo)
nobody is. Codes are single-use, wrong codes are throttled, and a password alone cannot replace
an enrolled device."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from toolcrm.core.roles import Role

HOME = "/"
VERIFY = "/accounts/2fa/"
SETUP = "/accounts/2fa/setup/"
PASSWORD = "test-pass-123"


@pytest.fixture
def otp_required(settings):  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED = True
    settings.OTP_REQUIRED_ROLES = ["admin", "store_manager", "regional_manager"]


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    return f"{totp(device.bin_key, step=device.step, drift=steps_ahead):06d}"


def _confirmed_device(user) -> TOTPDevice:  # type: ignore[no-untyped-def]
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


@pytest.mark.django_db
def test_manager_without_device_is_sent_to_enrol_and_then_reaches_home(
    otp_required, manager, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(manager)

    assert client.get(HOME)["Location"] == VERIFY
    assert client.get(VERIFY)["Location"] == SETUP
    page = client.get(SETUP)

    assert page.status_code == 200
    html = page.content.decode()
    device = TOTPDevice.objects.get(user=manager)
    assert device.confirmed is False
    qr = re.search(r'data-testid="otp-qr">(.*?)</div>', html, re.S)
    assert qr and qr.group(1).startswith("<svg")
    assert "http" not in qr.group(1).replace("http://www.w3.org/2000/svg", "")
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html)
    assert secret is not None
    assert client.get(HOME)["Location"] == VERIFY  # not verified yet

    response = client.post(SETUP, {"token": code_for(device)})

    assert response.status_code == 302
    assert response["Location"] == HOME
    device.refresh_from_db()
    assert device.confirmed is True
    assert client.get(HOME).status_code == 200


@pytest.mark.django_db
def test_the_secret_on_the_page_is_the_device_key(otp_required, manager, client_for) -> None:  # type: ignore[no-untyped-def]
    import base64

    html = client_for(manager).get(SETUP).content.decode()

    shown = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', html).group(1)  # type: ignore[union-attr]
    device = TOTPDevice.objects.get(user=manager)
    assert base64.b32decode(shown.replace(" ", "")) == device.bin_key


@pytest.mark.django_db
def test_full_login_with_password_then_code(otp_required, manager) -> None:  # type: ignore[no-untyped-def]
    device = _confirmed_device(manager)
    client = Client()

    response = client.post("/accounts/login/", {"username": "manager_a", "password": PASSWORD})
    assert response["Location"] == HOME
    assert client.get(HOME)["Location"] == VERIFY
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert 'data-testid="otp-token"' in page.content.decode()

    response = client.post(VERIFY, {"token": code_for(device)})

    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200


@pytest.mark.django_db
def test_code_with_spaces_or_full_width_digits_is_accepted(
    otp_required, manager, client_for
) -> None:  # type: ignore[no-untyped-def]
    device = _confirmed_device(manager)
    code = code_for(device)
    typed = "".join(chr(ord(d) + 0xFEE0) for d in code[:3]) + " " + code[3:]

    response = client_for(manager).post(VERIFY, {"token": typed})

    assert response.status_code == 302


@pytest.mark.django_db
def test_wrong_code_is_refused_and_then_throttled(otp_required, manager, client_for) -> None:  # type: ignore[no-untyped-def]
    device = _confirmed_device(manager)
    client = client_for(manager)

    wrong = client.post(VERIFY, {"token": "000000" if code_for(device) != "000000" else "111111"})

    assert wrong.status_code == 400
    assert "验证码不正确" in wrong.content.decode()
    assert client.get(HOME)["Location"] == VERIFY
    # Right after a failure, even the right code waits (exponential back-off per device).
    throttled = client.post(VERIFY, {"token": code_for(device)})
    assert throttled.status_code == 400
    assert "错误次数过多" in throttled.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["12345", "1234567", "abcdef", ""])
def test_malformed_code_is_refused_without_touching_the_device(
    otp_required, manager, client_for, token: str
) -> None:  # type: ignore[no-untyped-def]
    device = _confirmed_device(manager)

    response = client_for(manager).post(VERIFY, {"token": token})

    assert response.status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


@pytest.mark.django_db
def test_a_code_cannot_be_used_twice(otp_required, settings, manager) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = _confirmed_device(manager)
    code = code_for(device)
    first, second = Client(), Client()
    first.force_login(manager)
    second.force_login(manager)

    assert first.post(VERIFY, {"token": code}).status_code == 302
    assert second.post(VERIFY, {"token": code}).status_code == 400


@pytest.mark.django_db
def test_wrong_code_at_enrolment_leaves_the_device_unconfirmed(
    otp_required, manager, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(manager)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=manager)

    response = client.post(SETUP, {"token": "000000" if code_for(device) != "000000" else "1"})

    assert response.status_code == 400
    device.refresh_from_db()
    assert device.confirmed is False
    assert client.get(HOME)["Location"] == VERIFY


@pytest.mark.django_db
def test_reloading_the_setup_page_keeps_one_pending_device(
    otp_required, manager, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(manager)
    first = client.get(SETUP).content.decode()
    second = client.get(SETUP).content.decode()

    assert TOTPDevice.objects.filter(user=manager).count() == 1
    pattern = r'data-testid="otp-secret">([A-Z2-7 ]+)<'
    assert re.search(pattern, first).group(1) == re.search(pattern, second).group(1)  # type: ignore[union-attr]


@pytest.mark.django_db
def test_enrolled_user_cannot_enrol_another_device_with_the_password_alone(
    otp_required, manager, client_for
) -> None:  # type: ignore[no-untyped-def]
    _confirmed_device(manager)
    client = client_for(manager)

    response = client.get(SETUP)

    assert response["Location"] == VERIFY
    assert client.post(SETUP, {"token": "123456"})["Location"] == VERIFY
    assert TOTPDevice.objects.filter(user=manager).count() == 1


@pytest.mark.django_db
def test_verify_returns_to_a_safe_next_page_only(otp_required, manager, client_for) -> None:  # type: ignore[no-untyped-def]
    device = _confirmed_device(manager)
    client = client_for(manager)

    response = client.post(f"{VERIFY}?next=/customers/", {"token": code_for(device)})
    assert response["Location"] == "/customers/"

    other = Client()
    other.force_login(manager)
    response = other.post(
        VERIFY, {"token": code_for(device, steps_ahead=1), "next": "https://evil.example/"}
    )
    assert response["Location"] == HOME


@pytest.mark.django_db
def test_clerk_is_never_asked_for_a_code(otp_required, clerk, client_for) -> None:  # type: ignore[no-untyped-def]
    assert client_for(clerk).get(HOME).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.STORE_MANAGER, Role.ADMIN, Role.REGIONAL_MANAGER])
def test_without_otp_required_nobody_is_asked(settings, make_user, client_for, role) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED = False

    assert client_for(make_user(role)).get(HOME).status_code == 200


@pytest.mark.django_db
def test_audit_log_asks_for_the_second_factor_too(otp_required, admin_user, client_for) -> None:  # type: ignore[no-untyped-def]
    device = _confirmed_device(admin_user)
    client = client_for(admin_user)

    response = client.get("/accounts/audit-log/")

    assert response["Location"] == f"{VERIFY}?next=%2Faccounts%2Faudit-log%2F"
    response = client.post(response["Location"], {"token": code_for(device)})
    assert response["Location"] == "/accounts/audit-log/"
    assert client.get("/accounts/audit-log/").status_code == 200


@pytest.mark.django_db
def test_two_factor_pages_need_a_login() -> None:
    client = Client()

    assert client.get(VERIFY)["Location"].startswith("/accounts/login/")
    assert client.get(SETUP)["Location"].startswith("/accounts/login/")
    assert not TOTPDevice.objects.exists()


@pytest.mark.django_db
def test_a_wrong_code_keeps_the_page_to_return_to(otp_required, manager, client_for) -> None:  # type: ignore[no-untyped-def]
    device = _confirmed_device(manager)
    wrong = "000000" if code_for(device) != "000000" else "111111"

    response = client_for(manager).post(VERIFY, {"token": wrong, "next": "/customers/"})

    assert response.status_code == 400
    assert 'name="next" value="/customers/"' in response.content.decode()
