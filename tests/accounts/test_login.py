"""Login and logout: the login page (testids, language switch, a clear error for bad
credentials), safe redirects after login, and logout by POST only."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from toolcrm.core.roles import Role

LOGIN_URL = "/accounts/login/"
PASSWORD = "test-pass-123"  # tests.factories.UserFactory


def _login(client: Client, username: str, password: str, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(LOGIN_URL, {"username": username, "password": password, **extra})


def test_urls_are_named_in_the_accounts_namespace() -> None:
    assert reverse("accounts:login") == LOGIN_URL
    assert reverse("accounts:logout") == "/accounts/logout/"
    assert reverse("accounts:otp_verify") == "/accounts/2fa/"
    assert reverse("accounts:otp_setup") == "/accounts/2fa/setup/"
    assert reverse("accounts:audit_log") == "/accounts/audit-log/"


@pytest.mark.django_db
def test_login_page_has_the_form_testids_and_the_language_switch() -> None:
    response = Client().get(LOGIN_URL)

    assert response.status_code == 200
    html = response.content.decode()
    for testid in ("login-username", "login-password", "login-submit", "lang-en", "lang-zh-hans"):
        assert f'data-testid="{testid}"' in html
    assert "员工登录" in html
    assert 'action="/i18n/setlang/"' in html
    assert 'autocomplete="current-password"' in html
    assert "login-error" not in html


@pytest.mark.django_db
def test_login_page_follows_the_chosen_language() -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": LOGIN_URL})

    html = client.get(LOGIN_URL).content.decode()

    assert '<html lang="en">' in html


@pytest.mark.django_db
def test_correct_credentials_log_in_and_go_home(clerk) -> None:  # type: ignore[no-untyped-def]
    client = Client()

    response = _login(client, "clerk_a", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:home")
    assert client.session["_auth_user_id"] == str(clerk.pk)


@pytest.mark.django_db
def test_login_returns_to_the_page_that_asked_for_it(clerk) -> None:  # type: ignore[no-untyped-def]
    client = Client()

    assert client.get("/customers/")["Location"] == f"{LOGIN_URL}?next=/customers/"
    response = _login(client, "clerk_a", PASSWORD, next="/customers/")

    assert response["Location"] == "/customers/"


@pytest.mark.django_db
def test_login_never_redirects_off_site(clerk) -> None:  # type: ignore[no-untyped-def]
    response = _login(Client(), "clerk_a", PASSWORD, next="https://evil.example/steal")

    assert response["Location"] == reverse("workspace:home")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "password"),
    [("clerk_a", "wrong-password"), ("nobody", PASSWORD), ("CLERK_A ", "wrong")],
)
def test_bad_credentials_show_a_clear_error_and_log_nobody_in(clerk, username, password) -> None:  # type: ignore[no-untyped-def]
    client = Client()

    response = _login(client, username, password)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="login-error"' in html
    assert "用户名或密码不正确" in html
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_inactive_account_cannot_log_in(make_user) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.CLERK, username="left_the_company", is_active=False)
    client = Client()

    response = _login(client, "left_the_company", PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_logged_in_user_visiting_login_goes_home(clerk, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(clerk).get(LOGIN_URL)

    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:home")


@pytest.mark.django_db
def test_logout_is_post_only(clerk, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(clerk)

    assert client.get("/accounts/logout/").status_code == 405
    assert client.session["_auth_user_id"] == str(clerk.pk)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_home_page_has_the_logout_button(clerk, client_for) -> None:  # type: ignore[no-untyped-def]
    html = client_for(clerk).get("/").content.decode()

    assert 'action="/accounts/logout/"' in html
    assert 'data-testid="logout"' in html
