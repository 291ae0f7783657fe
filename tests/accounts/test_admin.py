"""Django admin for staff and API tokens: role, store and region are listed and editable (and the
change is audit-logged with the admin as actor); token hashes are read-only and tokens are never
created in the admin."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from toolcrm.accounts.models import ApiToken, User
from toolcrm.core.roles import Role


@pytest.mark.django_db
def test_user_list_shows_role_store_and_region(admin_user, clerk, make_user, client_for) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.REGIONAL_MANAGER, username="region_boss")

    response = client_for(admin_user).get("/admin/accounts/user/")

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("clerk_a", "店员", "上海浦东店", "region_boss", "区域经理", "华东区"):
        assert text in html


@pytest.mark.django_db
def test_user_change_form_has_the_role_fields(admin_user, clerk, client_for) -> None:  # type: ignore[no-untyped-def]
    html = client_for(admin_user).get(f"/admin/accounts/user/{clerk.pk}/change/").content.decode()

    for name in ("display_name", "role", "store", "region"):
        assert f'name="{name}"' in html


@pytest.mark.django_db
def test_changing_a_role_in_the_admin_is_saved_and_logged(admin_user, clerk, client_for) -> None:  # type: ignore[no-untyped-def]
    data = {
        "username": clerk.username,
        "display_name": clerk.display_name,
        "role": Role.STORE_MANAGER,
        "store": clerk.store_id,
        "region": "",
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
    }

    response = client_for(admin_user).post(f"/admin/accounts/user/{clerk.pk}/change/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    clerk.refresh_from_db()
    assert clerk.role == Role.STORE_MANAGER
    entry = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_pk=str(clerk.pk)
    ).latest("timestamp")
    assert entry.actor == admin_user
    assert entry.changes["role"] == ["clerk", "store_manager"]


@pytest.mark.django_db
def test_adding_a_clerk_without_a_store_is_refused(admin_user, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(admin_user).post(
        "/admin/accounts/user/add/",
        {
            "username": "new_clerk",
            "password1": "Str0ng-pass-2026",
            "password2": "Str0ng-pass-2026",
            "usable_password": "true",
            "role": Role.CLERK,
            "store": "",
            "region": "",
        },
    )

    assert response.status_code == 200
    assert not User.objects.filter(username="new_clerk").exists()


@pytest.mark.django_db
def test_adding_a_clerk_with_a_store_works(admin_user, store_a, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(admin_user).post(
        "/admin/accounts/user/add/",
        {
            "username": "new_clerk",
            "password1": "Str0ng-pass-2026",
            "password2": "Str0ng-pass-2026",
            "usable_password": "true",
            "display_name": "新店员",
            "role": Role.CLERK,
            "store": store_a.pk,
            "region": "",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(username="new_clerk").store == store_a


@pytest.fixture
def token(clerk) -> ApiToken:  # type: ignore[no-untyped-def]
    return ApiToken.objects.create(
        name="门店 POS",
        user=clerk,
        token_hash=ApiToken.hash_token("tcrm_secret_value"),
        prefix="tcrm_sec",
    )


@pytest.mark.django_db
def test_api_token_hash_is_read_only_and_tokens_are_not_added_here(
    admin_user, token, client_for
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)

    listing = client.get("/admin/accounts/apitoken/").content.decode()
    change = client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()

    assert "门店 POS" in listing
    assert token.token_hash in change
    assert 'name="token_hash"' not in change
    assert 'name="is_active"' in change
    assert "tcrm_secret_value" not in change
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403


@pytest.mark.django_db
def test_api_token_can_be_deactivated_but_its_hash_cannot_be_changed(
    admin_user, token, client_for
) -> None:  # type: ignore[no-untyped-def]
    original_hash = token.token_hash

    response = client_for(admin_user).post(
        f"/admin/accounts/apitoken/{token.pk}/change/", {"token_hash": "0" * 64}
    )

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.is_active is False
    assert token.token_hash == original_hash


@pytest.mark.django_db
def test_staff_admin_is_closed_to_non_staff(clerk, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(clerk).get("/admin/accounts/user/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
