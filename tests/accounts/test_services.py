"""Two-factor services: enrolment keeps one pending device, confirmation needs a current code
from that very device of that very user, verification only trusts confirmed devices."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from toolcrm.accounts import services
from toolcrm.core.roles import Role


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key):06d}"


@pytest.mark.django_db
def test_enrolment_reuses_the_pending_device(manager) -> None:  # type: ignore[no-untyped-def]
    first = services.start_totp_enrolment(user=manager)
    second = services.start_totp_enrolment(user=manager)

    assert first.pk == second.pk
    assert first.confirmed is False
    assert not services.has_confirmed_totp_device(user=manager)


@pytest.mark.django_db
def test_confirmation_confirms_and_discards_other_pending_devices(manager) -> None:  # type: ignore[no-untyped-def]
    device = services.start_totp_enrolment(user=manager)
    stale = TOTPDevice.objects.create(user=manager, name="old attempt", confirmed=False)

    check = services.confirm_totp_enrolment(user=manager, device_id=device.pk, token=_code(device))

    assert check.is_accepted
    assert list(TOTPDevice.objects.filter(user=manager).values_list("pk", "confirmed")) == [
        (device.pk, True)
    ]
    assert not TOTPDevice.objects.filter(pk=stale.pk).exists()
    assert services.has_confirmed_totp_device(user=manager)


@pytest.mark.django_db
def test_nobody_can_confirm_another_users_device(manager, make_user) -> None:  # type: ignore[no-untyped-def]
    intruder = make_user(Role.STORE_MANAGER, username="intruder")
    device = services.start_totp_enrolment(user=manager)

    check = services.confirm_totp_enrolment(user=intruder, device_id=device.pk, token=_code(device))

    assert not check.is_accepted
    device.refresh_from_db()
    assert device.confirmed is False


@pytest.mark.django_db
def test_verification_ignores_unconfirmed_devices(manager) -> None:  # type: ignore[no-untyped-def]
    pending = services.start_totp_enrolment(user=manager)

    check = services.verify_totp(user=manager, token=_code(pending))

    assert not check.is_accepted
    assert check.retry_at is None


@pytest.mark.django_db
def test_verification_reports_when_to_retry_after_a_wrong_code(manager) -> None:  # type: ignore[no-untyped-def]
    device = TOTPDevice.objects.create(user=manager, name="phone", confirmed=True)
    wrong = "000000" if _code(device) != "000000" else "111111"

    assert not services.verify_totp(user=manager, token=wrong).is_accepted
    throttled = services.verify_totp(user=manager, token=_code(device))

    assert not throttled.is_accepted
    assert throttled.retry_at is not None
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
