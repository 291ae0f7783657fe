"""The UI language: Chinese unless the user chose English; the API honours Accept-Language."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.django_db
def test_pages_stay_chinese_whatever_the_browser_asks(clerk, client_for):
    response = client_for(clerk).get(reverse("workspace:home"), HTTP_ACCEPT_LANGUAGE="en-US,en")

    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    assert "今日销售额" in body


@pytest.mark.django_db
def test_language_switch_turns_pages_english_and_back(clerk, client_for):
    client = client_for(clerk)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("workspace:home")).content.decode()
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    chinese = client.get(reverse("workspace:home")).content.decode()

    assert '<html lang="en">' in english
    assert "Today's sales" in english
    assert settings.LANGUAGE_COOKIE_NAME
    assert "今日销售额" in chinese


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    body = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert '<html lang="zh-hans">' in body


@pytest.mark.django_db
def test_api_errors_follow_accept_language(client):
    bad_token = {"HTTP_AUTHORIZATION": "Bearer not-a-token"}
    english = client.get("/api/customers/", HTTP_ACCEPT_LANGUAGE="en", **bad_token)
    chinese = client.get("/api/customers/", **bad_token)

    assert english.status_code == chinese.status_code == 401
    assert english.json()["detail"] == "The API token is invalid or deactivated."
    assert chinese.json()["detail"] == "API 令牌无效或已停用。"
