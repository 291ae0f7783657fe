"""Who may call the API (bearer token or session with CSRF), and the OpenAPI schema and docs page
(local swagger-ui, no CDN, under the site's Content-Security-Policy)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.utils import timezone

from tests.api.conftest import ApiClient
from toolcrm.accounts.models import ApiToken
from toolcrm.accounts.services import issue_api_token
from toolcrm.core.roles import Role
from toolcrm.customers.models import Customer

ENDPOINTS = [
    ("get", "/api/customers/"),
    ("get", "/api/customers/1"),
    ("post", "/api/customers/"),
    ("patch", "/api/customers/1"),
    ("get", "/api/customers/1/orders"),
    ("post", "/api/orders/"),
    ("get", "/api/orders/1"),
    ("get", "/api/products/"),
    ("get", "/api/products/SKU00001"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_needs_authentication(method, path, anonymous_api, customer):
    response = (
        getattr(anonymous_api, method)(path, {}) if method != "get" else anonymous_api.get(path)
    )

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_an_unknown_token_is_401_on_every_endpoint(method, path, customer):
    client = ApiClient("tcrm_not-a-real-token")

    response = client.get(path) if method == "get" else getattr(client, method)(path, {})

    assert response.status_code == 401
    assert response.json() == {"detail": "API 令牌无效或已停用。", "code": "unauthorized"}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_token_acts_as_its_user_and_records_its_use(clerk, customer):
    token, plaintext = issue_api_token(user=clerk, name="POS 上海浦东店")

    response = ApiClient(plaintext).get(f"/api/customers/{customer.pk}")

    token.refresh_from_db()
    assert response.status_code == 200
    assert response.json()["name"] == "陈工"
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


@pytest.mark.django_db
def test_deactivated_token_is_401(clerk, customer):
    token, plaintext = issue_api_token(user=clerk, name="POS")
    ApiToken.objects.filter(pk=token.pk).update(is_active=False)

    response = ApiClient(plaintext).get(f"/api/customers/{customer.pk}")

    assert response.status_code == 401


@pytest.mark.django_db
def test_token_of_a_deactivated_user_is_401(clerk, customer):
    _token, plaintext = issue_api_token(user=clerk, name="POS")
    clerk.is_active = False
    clerk.save(update_fields=["is_active"])

    response = ApiClient(plaintext).get(f"/api/customers/{customer.pk}")

    assert response.status_code == 401


@pytest.mark.django_db
def test_bad_token_is_not_rescued_by_a_session(clerk, customer):
    client = Client(headers={"Authorization": "Bearer wrong"})
    client.force_login(clerk)

    assert client.get(f"/api/customers/{customer.pk}").status_code == 401


@pytest.mark.django_db
def test_session_reads_work(clerk, client_for, customer):
    response = client_for(clerk).get(f"/api/customers/{customer.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == customer.pk


def _customer_body(store):
    return {"name": "林芳", "phone": "13900001234", "home_store": store.pk}


@pytest.mark.django_db
def test_session_post_without_csrf_token_is_403_and_writes_nothing(clerk, store_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)

    response = client.post(
        "/api/customers/", json.dumps(_customer_body(store_a)), content_type="application/json"
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Customer.objects.count() == 0


@pytest.mark.django_db
def test_session_post_with_csrf_token_works(clerk, store_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    client.get("/api/docs")  # any page rendering {% csrf_token %} sets the cookie
    token = client.cookies["csrftoken"].value

    response = client.post(
        "/api/customers/",
        json.dumps(_customer_body(store_a)),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )

    assert response.status_code == 201
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_token_post_needs_no_csrf_token(clerk, store_a):
    _token, plaintext = issue_api_token(user=clerk, name="POS")
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {plaintext}"})

    response = client.post(
        "/api/customers/", json.dumps(_customer_body(store_a)), content_type="application/json"
    )

    assert response.status_code == 201


@pytest.mark.django_db
def test_session_of_a_manager_without_second_factor_is_401(settings, make_user, customer):
    settings.OTP_REQUIRED = True
    manager = make_user(Role.STORE_MANAGER)
    client = Client()
    client.force_login(manager)

    assert client.get(f"/api/customers/{customer.pk}").status_code == 401


# --- OpenAPI schema and docs page -------------------------------------------------------------


@pytest.mark.django_db
def test_openapi_schema_lists_every_path(clerk, client_for):
    response = client_for(clerk).get("/api/openapi.json")

    schema = json.loads(response.content)
    assert response.status_code == 200
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == {
        "/api/customers/",
        "/api/customers/{customer_id}",
        "/api/customers/{customer_id}/orders",
        "/api/orders/",
        "/api/orders/{order_id}",
        "/api/orders/{order_id}/returns",
        "/api/products/",
        "/api/products/{reference}",
        "/api/integrations/orders/batch",
        "/api/integrations/customers/batch",
        "/api/loyalty/customers/{customer_id}",
        "/api/loyalty/customers/{customer_id}/ledger",
        "/api/loyalty/customers/{customer_id}/coupons",
        "/api/loyalty/customers/{customer_id}/points/redeem",
        "/api/loyalty/coupons/check",
        "/api/loyalty/coupons/redeem",
        "/api/customers/{customer_id}/recommendations",
        "/api/rentals/",
        "/api/rentals/{agreement_id}",
        "/api/rentals/{agreement_id}/return",
    }
    tags = {op["tags"][0] for path in schema["paths"].values() for op in path.values()}
    assert tags == {
        "customers",
        "orders",
        "products",
        "integrations",
        "loyalty",
        "recommendations",
        "rentals",
    }
    assert set(schema["components"]["securitySchemes"]) == {"BearerTokenAuth", "SessionAuth"}
    phone = schema["components"]["schemas"]["CustomerOut"]["properties"]["phone"]
    assert "never returns a full phone" in phone["description"]


@pytest.mark.django_db
def test_openapi_schema_with_a_token_and_not_without(clerk, anonymous_api, api_for):
    assert api_for(clerk).get("/api/openapi.json").status_code == 200
    response = anonymous_api.get("/api/openapi.json")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


@pytest.mark.django_db
def test_docs_page_uses_local_swagger_ui_under_the_csp(clerk, client_for):
    response = client_for(clerk).get("/api/docs")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    external = re.findall(r"""(?:src|href)=["'](?:https?:)?//""", html)
    assert external == []
    assert "cdn" not in html.lower()
    # Only JSON data blocks inline, no inline script that a strict CSP would block.
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attributes for attributes in inline_scripts)
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert '"validatorUrl": null' in html


@pytest.mark.django_db
def test_swagger_ui_assets_are_bundled_static_files():
    for name in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert finders.find(f"ninja/{name}"), name


@pytest.mark.django_db
def test_docs_page_sends_anonymous_visitors_to_login(client):
    response = client.get("/api/docs")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
