"""django-axes lockout: five failures lock the username + IP pair for 30 minutes (even the right
password is refused then); other IPs and other users are not affected."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from toolcrm.core.roles import Role

LOGIN_URL = "/accounts/login/"
PASSWORD = "test-pass-123"


@pytest.fixture(autouse=True)
def _axes_on(settings):  # type: ignore[no-untyped-def]
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = 0.5
    settings.AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"


def _attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_five_failures_lock_the_user_and_ip_and_the_right_password_is_then_refused(clerk) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(4):
        assert _attempt(client, "clerk_a", "wrong").status_code == 200

    fifth = _attempt(client, "clerk_a", "wrong")

    assert fifth.status_code == 429
    assert (
        AccessAttempt.objects.get(username="clerk_a", ip_address="10.0.0.1").failures_since_start
        == 5
    )

    sixth = _attempt(client, "clerk_a", PASSWORD)

    assert sixth.status_code == 429
    assert "_auth_user_id" not in client.session
    html = sixth.content.decode()
    assert 'data-testid="locked-out"' in html
    assert "30 分钟" in html
    assert "连续 5 次登录失败" in html
    assert 'data-testid="lang-en"' in html  # the language switch is on the lockout page too


@pytest.mark.django_db
def test_lock_is_per_username_and_ip(clerk, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.CLERK, username="clerk_b")
    for _ in range(5):
        _attempt(Client(), "clerk_a", "wrong")

    other_ip = Client()
    assert _attempt(other_ip, "clerk_a", PASSWORD, ip="10.0.0.2").status_code == 302
    other_user = Client()
    assert _attempt(other_user, "clerk_b", PASSWORD).status_code == 302
    assert _attempt(Client(), "clerk_a", PASSWORD).status_code == 429


@pytest.mark.django_db
def test_a_successful_login_resets_the_failure_count(clerk) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        _attempt(Client(), "clerk_a", "wrong")
    assert _attempt(Client(), "clerk_a", PASSWORD).status_code == 302

    for _ in range(4):
        assert _attempt(Client(), "clerk_a", "wrong").status_code == 200
    assert _attempt(Client(), "clerk_a", PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off(clerk, time_machine) -> None:  # type: ignore[no-untyped-def]
    time_machine.move_to(timezone.now(), tick=True)
    for _ in range(5):
        _attempt(Client(), "clerk_a", "wrong")
    assert _attempt(Client(), "clerk_a", PASSWORD).status_code == 429

    time_machine.shift(31 * 60)

    assert _attempt(Client(), "clerk_a", PASSWORD).status_code == 302
