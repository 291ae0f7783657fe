"""Customer list export: scope and filters as on the list page, masked phones, audit entry."""

from __future__ import annotations

import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CustomerFactory
from toolcrm.core.roles import Role

URL = "integrations:customer_export"


@pytest.fixture
def customers(store_a, store_b):  # type: ignore[no-untyped-def]
    return {
        "wang": CustomerFactory(name="王建国", phone="+8613812345678", home_store=store_a),
        "firm": CustomerFactory(
            name="上海鼎盛装饰工程有限公司", kind="company", home_store=store_a
        ),
        "other": CustomerFactory(name="杭州客户", home_store=store_b),
    }


def _csv(response) -> str:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content).decode("utf-8")


@pytest.mark.django_db
def test_store_manager_exports_own_store_with_masked_phones(manager, client_for, customers):
    response = client_for(manager).get(reverse(URL))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="customers-')
    body = _csv(response)
    assert body.startswith("\ufeff客户编号,类型,姓名/企业名称")
    assert "王建国" in body and "上海鼎盛装饰工程有限公司" in body
    assert "杭州客户" not in body
    assert "138****5678" in body
    assert "13812345678" not in body


@pytest.mark.django_db
def test_export_follows_the_list_filters(manager, client_for, customers):
    client = client_for(manager)

    companies = _csv(client.get(reverse(URL), {"kind": "company"}))
    by_phone = _csv(client.get(reverse(URL), {"q": "138 1234 5678"}))

    assert "上海鼎盛装饰工程有限公司" in companies and "王建国" not in companies
    assert "王建国" in by_phone and "上海鼎盛装饰工程有限公司" not in by_phone


@pytest.mark.django_db
def test_excel_export_has_a_header_and_one_row_per_customer(make_user, client_for, customers):
    marketing = make_user(Role.HQ_MARKETING)

    response = client_for(marketing).get(reverse(URL), {"format": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("客户编号", "类型", "姓名/企业名称")
    assert sorted(row[2] for row in rows[1:]) == sorted(
        ["王建国", "上海鼎盛装饰工程有限公司", "杭州客户"]
    )


@pytest.mark.django_db
def test_every_export_is_audit_logged(manager, client_for, customers):
    _csv(client_for(manager).get(reverse(URL), {"kind": "person"}))

    entry = LogEntry.objects.get(additional_data__event="export_customers")
    assert entry.actor == manager
    assert entry.additional_data == {
        "event": "export_customers",
        "kind": "person",
        "query": "",
        "format": "csv",
        "rows": 1,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CLERK, Role.TECHNICIAN])
def test_roles_without_export_are_refused(role, make_user, client_for, customers):
    response = client_for(make_user(role)).get(reverse(URL))

    assert response.status_code == 403
    assert not LogEntry.objects.filter(additional_data__event="export_customers").exists()


@pytest.mark.django_db
def test_export_needs_login(client, customers):
    response = client.get(reverse(URL))

    assert response.status_code == 302


@pytest.mark.django_db
def test_export_button_shows_only_with_the_capability(clerk, manager, client_for, customers):
    clerk_page = client_for(clerk).get(reverse("customers:list")).content.decode()
    manager_page = client_for(manager).get(reverse("customers:list")).content.decode()

    assert 'data-testid="customer-export"' not in clerk_page
    assert 'data-testid="customer-export"' in manager_page
