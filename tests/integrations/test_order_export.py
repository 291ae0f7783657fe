"""Order list export: exactly the rows the order list shows (scope and filters), one row per
order or per line, masked phones, CSV streamed and Excel streamed, audit entry, refused without
the capability or with filters that do not parse, and a query count that does not grow."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory, ProductFactory
from toolcrm.core.roles import Role

URL = reverse("integrations:order_export")
CHINA = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def orders(store_a, store_b):  # type: ignore[no-untyped-def]
    wang = CustomerFactory(name="王建国", phone="+8613812345678", home_store=store_a)
    hz = CustomerFactory(name="杭州客户", phone="+8613700001111", home_store=store_b)
    drill = ProductFactory(sku="DR-100", name="冲击钻", price=Decimal("599.00"))
    tape = ProductFactory(sku="TM-5M", name="卷尺5米", price=Decimal("29.90"))
    a1 = OrderFactory(
        external_id="A-001",
        customer=wang,
        store=store_a,
        ordered_at=dt.datetime(2024, 3, 5, 14, 0, tzinfo=CHINA),
        subtotal=Decimal("658.80"),
        discount_total=Decimal("10.00"),
        total=Decimal("648.80"),
    )
    OrderLineFactory(order=a1, product=drill, unit_price=Decimal("599.00"), line_total=599)
    OrderLineFactory(
        order=a1,
        product=tape,
        quantity=2,
        unit_price=Decimal("29.90"),
        discount=Decimal("10.00"),
        line_total=Decimal("49.80"),
    )
    a2 = OrderFactory(
        external_id="A-002",
        customer=None,
        store=store_a,
        channel="ecommerce",
        ordered_at=dt.datetime(2024, 3, 6, 9, 0, tzinfo=CHINA),
        total=Decimal("29.90"),
    )
    OrderLineFactory(order=a2, product=tape, unit_price=Decimal("29.90"), line_total=29.9)
    b1 = OrderFactory(external_id="B-001", customer=hz, store=store_b, total=300)
    OrderLineFactory(order=b1, product=drill)
    return {"a1": a1, "a2": a2, "b1": b1}


def _body(response) -> bytes:  # type: ignore[no-untyped-def]
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content)


def _csv_rows(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


@pytest.mark.django_db
def test_store_manager_exports_own_store_orders_with_masked_phones(manager, client_for, orders):
    response = client_for(manager).get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="orders-')
    rows = _csv_rows(response)
    assert rows[0][:3] == ["订单号", "渠道", "门店"]
    assert [row[0] for row in rows[1:]] == ["A-002", "A-001"]
    a1 = rows[2]
    assert a1[3:8] == [
        "2024-03-05 14:00",
        "已完成",
        str(orders["a1"].customer_id),
        "王建国",
        "138****5678",
    ]
    assert a1[8:11] == ["658.80", "10.00", "648.80"]
    assert rows[1][5:8] == ["", "", ""]  # a walk-in sale has no customer
    body = _body(client_for(manager).get(URL)).decode()
    assert "B-001" not in body and "杭州客户" not in body and "13812345678" not in body


@pytest.mark.django_db
def test_export_with_lines_has_one_row_per_line(manager, client_for, orders):
    response = client_for(manager).get(URL, {"lines": "1"})

    rows = _csv_rows(response)
    assert response["Content-Disposition"].startswith('attachment; filename="order-lines-')
    assert rows[0][-6:] == ["SKU", "商品名称", "数量", "单价", "行优惠", "小计"]
    assert [(row[0], row[12], row[14], row[17]) for row in rows[1:]] == [
        ("A-002", "TM-5M", "1", "29.90"),
        ("A-001", "DR-100", "1", "599.00"),
        ("A-001", "TM-5M", "2", "49.80"),
    ]


@pytest.mark.django_db
def test_export_follows_the_list_filters(make_user, client_for, orders, store_b):
    client = client_for(make_user(Role.ADMIN))

    by_channel = _csv_rows(client.get(URL, {"channel": "ecommerce"}))
    by_store = _csv_rows(client.get(URL, {"store": str(store_b.pk)}))
    by_customer = _csv_rows(client.get(URL, {"q": "+86 138-1234-5678"}))
    by_date = _csv_rows(client.get(URL, {"date_from": "2024-03-06", "date_to": "2024-03-06"}))
    by_amount = _csv_rows(client.get(URL, {"amount_min": "100", "amount_max": "500"}))

    assert [row[0] for row in by_channel[1:]] == ["A-002"]
    assert [row[0] for row in by_store[1:]] == ["B-001"]
    assert [row[0] for row in by_customer[1:]] == ["A-001"]
    assert [row[0] for row in by_date[1:]] == ["A-002"]
    assert [row[0] for row in by_amount[1:]] == ["B-001"]


@pytest.mark.django_db
def test_excel_export_is_streamed_with_numbers_as_numbers(make_user, client_for, orders):
    marketing = make_user(Role.HQ_MARKETING)

    response = client_for(marketing).get(URL, {"format": "xlsx", "lines": "1"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(_body(response))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert sheet.title == "订单明细"
    assert rows[0][0] == "订单号"
    assert sorted(row[0] for row in rows[1:]) == ["A-001", "A-001", "A-002", "B-001"]
    assert all(isinstance(row[10], int | float) for row in rows[1:])
    assert "13812345678" not in {str(cell) for row in rows for cell in row}


@pytest.mark.django_db
def test_every_export_is_audit_logged(manager, client_for, orders):
    _body(client_for(manager).get(URL, {"channel": "pos", "format": "csv", "lines": "1"}))

    entry = LogEntry.objects.get(additional_data__event="export_orders")
    assert entry.actor == manager
    assert entry.additional_data == {
        "event": "export_orders",
        "filters": {"channel": "pos"},
        "lines": True,
        "format": "csv",
        "rows": 2,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CLERK, Role.TECHNICIAN])
def test_roles_without_export_are_refused(role, make_user, client_for, orders):
    response = client_for(make_user(role)).get(URL)

    assert response.status_code == 403
    assert not LogEntry.objects.filter(additional_data__event="export_orders").exists()


@pytest.mark.django_db
def test_filters_that_do_not_parse_export_nothing(manager, client_for, orders, store_b):
    response = client_for(manager).get(URL, {"store": str(store_b.pk), "amount_min": "x"})

    assert response.status_code == 400
    text = response.content.decode()
    assert text.startswith("筛选条件有误，未导出")
    assert "门店" in text and "最低金额" in text
    assert not LogEntry.objects.filter(additional_data__event="export_orders").exists()


@pytest.mark.django_db
def test_export_needs_login(client, orders):
    assert client.get(URL).status_code == 302


@pytest.mark.django_db
def test_export_query_count_does_not_grow(
    make_user, client_for, orders, store_a, django_assert_max_num_queries
):
    client = client_for(make_user(Role.ADMIN))
    _body(client.get(URL, {"lines": "1"}))
    with django_assert_max_num_queries(20) as few:
        _body(client.get(URL, {"lines": "1"}))
    for _ in range(30):
        OrderLineFactory.create_batch(2, order=OrderFactory(store=store_a))

    with django_assert_max_num_queries(len(few.captured_queries)) as many:
        rows = _csv_rows(client.get(URL, {"lines": "1"}))

    assert len(rows) == 1 + 4 + 60
    assert len(many.captured_queries) == len(few.captured_queries)


@pytest.mark.django_db
def test_excel_beyond_the_row_limit_is_refused_with_a_pointer_to_csv(
    manager, client_for, orders, monkeypatch
):
    monkeypatch.setattr("toolcrm.integrations.exports.XLSX_MAX_ROWS", 1)
    client = client_for(manager)

    refused = client.get(URL, {"format": "xlsx"})
    csv_rows = _csv_rows(client.get(URL, {"format": "csv"}))

    assert refused.status_code == 400
    assert refused.content.decode() == (
        "共 2 行，超过 Excel 导出上限 1 行：请缩小筛选范围，或导出 CSV。"
    )
    assert len(csv_rows) == 3
    assert LogEntry.objects.filter(additional_data__event="export_orders").count() == 1
