"""Fixtures for the HTTP API tests: a client per user that sends a bearer token (the way POS and
e-commerce integrations call), a user per role, and helpers for JSON requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from tests.factories import CustomerFactory
from toolcrm.accounts.models import User
from toolcrm.accounts.services import issue_api_token
from toolcrm.core.roles import Role

ALL_ROLES = list(Role)


class ApiClient:
    """A Django test client that sends ``Authorization: Bearer …`` and JSON bodies."""

    def __init__(self, token: str | None = None) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.client = Client(headers=headers)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {})

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(path, json.dumps(body), content_type="application/json")

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(path, json.dumps(body), content_type="application/json")


@pytest.fixture
def api_for(db) -> Callable[[User], ApiClient]:  # type: ignore[no-untyped-def]
    def _client(user: User) -> ApiClient:
        _token, plaintext = issue_api_token(user=user, name=f"test {user.username}")
        return ApiClient(plaintext)

    return _client


@pytest.fixture
def anonymous_api(db) -> ApiClient:  # type: ignore[no-untyped-def]
    return ApiClient()


@pytest.fixture
def customer(store_a):  # type: ignore[no-untyped-def]
    return CustomerFactory(
        name="陈工", phone="+8613812345678", member_card_no="M000012345", home_store=store_a
    )


@pytest.fixture
def user_for_role(make_user, customer) -> Callable[[str], User]:  # type: ignore[no-untyped-def]
    """A user of the role who can see ``customer``: B2B managers become its account manager."""

    def _make(role: str) -> User:
        user = make_user(role)
        if role == Role.B2B_MANAGER:
            customer.account_manager = user
            customer.save(update_fields=["account_manager"])
        return user

    return _make
