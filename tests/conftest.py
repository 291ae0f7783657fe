"""Shared pytest fixtures: one store pair in one region, a user per role, a client logged in."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from tests.browser.fixtures import browser, page  # noqa: F401 (one Playwright session for all)
from tests.factories import RegionFactory, StoreFactory, UserFactory
from toolcrm.accounts.models import User
from toolcrm.core.roles import Role


@pytest.fixture(autouse=True)
def _fast_settings(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.AXES_ENABLED = False
    settings.OTP_REQUIRED = False


@pytest.fixture
def region(db):  # type: ignore[no-untyped-def]
    return RegionFactory(code="EAST", name="华东区")


@pytest.fixture
def other_region(db):  # type: ignore[no-untyped-def]
    return RegionFactory(code="SOUTH", name="华南区")


@pytest.fixture
def store_a(region):  # type: ignore[no-untyped-def]
    return StoreFactory(code="SH01", name="上海浦东店", region=region)


@pytest.fixture
def store_b(region):  # type: ignore[no-untyped-def]
    return StoreFactory(code="HZ01", name="杭州西湖店", region=region, city="杭州市")


@pytest.fixture
def store_south(other_region):  # type: ignore[no-untyped-def]
    return StoreFactory(code="GZ01", name="广州天河店", region=other_region, city="广州市")


@pytest.fixture
def make_user(db, store_a, region) -> Callable[..., User]:  # type: ignore[no-untyped-def]
    def _make(role: str, **kwargs: object) -> User:
        defaults: dict[str, object] = {"role": role}
        if role in {Role.CLERK, Role.STORE_MANAGER, Role.TECHNICIAN}:
            defaults["store"] = store_a
        if role == Role.REGIONAL_MANAGER:
            defaults["region"] = region
        defaults.update(kwargs)
        return UserFactory(**defaults)

    return _make


@pytest.fixture
def clerk(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.CLERK, username="clerk_a")


@pytest.fixture
def manager(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.STORE_MANAGER, username="manager_a")


@pytest.fixture
def admin_user(make_user) -> User:  # type: ignore[no-untyped-def]
    return make_user(Role.ADMIN, username="admin_x", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(db) -> Callable[[User], Client]:  # type: ignore[no-untyped-def]
    def _client(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return _client
