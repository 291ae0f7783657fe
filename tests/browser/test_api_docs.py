"""The Swagger page at /api/docs renders in a real browser from our own static files, under the
site's Content-Security-Policy, without reaching any other host (stores in China cannot reach
the usual CDNs)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_docs_page_renders_with_local_assets_only(page, live_server, clerk, client):
    client.force_login(clerk)
    session = client.cookies["sessionid"].value
    page.context.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    requested_hosts: set[str] = set()
    page.on("request", lambda request: requested_hosts.add(urlparse(request.url).netloc))
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto(f"{live_server.url}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_selector("text=/api/orders/")

    assert "ToolCRM API" in page.inner_text(".swagger-ui .info .title")
    assert requested_hosts == {urlparse(live_server.url).netloc}
    assert violations == []
    screenshot(page, "api-docs")
