"""Order imports from the POS workbook (merged header, Excel dates, phones stored as numbers):
lines grouped into orders through ``create_order``, provisional customers for unknown phones, a
bad line holding back its whole order, idempotent re-runs and a resumed interrupted job."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.factories import CustomerFactory
from tests.integrations.conftest import DATA
from toolcrm.customers.models import Customer
from toolcrm.integrations import runner, services, tasks
from toolcrm.integrations.choices import ImportStatus
from toolcrm.integrations.models import ImportJob
from toolcrm.integrations.parsing import CHINA_TZ
from toolcrm.sales.models import Order, OrderLine

FILE = "pos_order_lines.xlsx"


def import_orders(user, **kwargs) -> ImportJob:  # type: ignore[no-untyped-def]
    return services.import_file(
        user=user, kind="orders", content=(DATA / FILE).read_bytes(), filename=FILE, **kwargs
    )


def test_pos_workbook_imports_orders_with_lines_and_provisional_customers(
    manager, store_a, catalogue
) -> None:
    known = CustomerFactory(phone="+8613922334455", home_store=store_a, name="李娜")

    job = import_orders(manager)

    assert job.status == ImportStatus.DONE
    assert (job.total_rows, job.processed_rows) == (6, 6)
    assert (job.created_count, job.skipped_count, job.error_count) == (3, 0, 2)
    first = Order.objects.get(external_id="P240305001")
    assert (first.channel, first.store, first.total) == ("pos", store_a, Decimal("1177.00"))
    assert first.ordered_at == dt.datetime(2024, 3, 5, 14, 0, tzinfo=CHINA_TZ)
    assert sorted(first.lines.values_list("product__sku", "quantity", "line_total")) == [
        ("BT-18V", 2, Decimal("578.00")),
        ("DR-100", 1, Decimal("599.00")),
    ]
    assert first.customer is not None
    provisional = first.customer
    assert (provisional.name, provisional.phone, provisional.home_store) == (
        "张伟", "+8613812345678", store_a
    )  # fmt: skip
    assert provisional.source_channel == "store" and "临时客户" in provisional.notes
    second = Order.objects.get(external_id="P240306002")
    assert second.customer == known
    assert second.ordered_at.date() == dt.date(2024, 3, 6)  # Excel serial 45357.5833
    assert Order.objects.get(external_id="P240307003").customer is None
    assert not Order.objects.filter(external_id="P240308004").exists()
    assert not Customer.objects.filter(name="王强").exists()
    assert list(job.row_errors.values_list("row_number", "column", "code")) == [
        (9, "", "order_rejected"),
        (10, "商品编码", "unknown_sku"),
    ]


def test_second_run_imports_nothing_new(manager, store_a, catalogue) -> None:
    import_orders(manager)
    counts = (Order.objects.count(), OrderLine.objects.count(), Customer.objects.count())

    again = import_orders(manager)

    assert (again.created_count, again.skipped_count, again.error_count) == (0, 3, 2)
    assert (Order.objects.count(), OrderLine.objects.count(), Customer.objects.count()) == counts


def test_store_outside_scope_is_a_row_error(make_user, store_b, catalogue) -> None:
    other_manager = make_user("store_manager", store=store_b, username="manager_b")

    job = import_orders(other_manager)

    assert job.created_count == 0 and not Order.objects.exists()
    assert set(job.row_errors.values_list("code", flat=True)) >= {"store_out_of_scope"}
    assert job.error_count == 6


def test_interrupted_job_resumes_without_duplicates(
    manager, store_a, catalogue, monkeypatch
) -> None:
    job = services.create_import_job(
        user=manager, kind="orders", content=(DATA / FILE).read_bytes(), filename=FILE
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    real_run_chunk = runner._run_chunk
    calls: list[int] = []

    def killed_after_first_chunk(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("worker killed")
        return real_run_chunk(*args, **kwargs)

    monkeypatch.setattr(runner, "_run_chunk", killed_after_first_chunk)
    with pytest.raises(RuntimeError):
        services.run_import_job(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.created_count) == (ImportStatus.RUNNING, 3, 2)
    assert Order.objects.count() == 2

    monkeypatch.setattr(runner, "_run_chunk", real_run_chunk)
    tasks.run_import_job.enqueue(job.pk)
    tasks.run_import_job.enqueue(job.pk)  # a second delivery of the task changes nothing

    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.total_rows) == (ImportStatus.DONE, 6, 6)
    assert (job.created_count, job.error_count) == (3, 2)
    assert Order.objects.count() == 3 and OrderLine.objects.count() == 4
    assert job.row_errors.count() == 2


def test_dry_run_writes_no_order_and_no_customer(manager, store_a, catalogue) -> None:
    job = import_orders(manager, is_dry_run=True)

    assert (job.created_count, job.error_count) == (3, 2)
    assert not Order.objects.exists() and not Customer.objects.exists()


def test_missing_sku_column_fails_before_any_write(manager, store_a, catalogue) -> None:
    job = services.create_import_job(
        user=manager, kind="orders", content=(DATA / FILE).read_bytes(), filename=FILE
    )
    mapping = {k: v for k, v in job.mapping.items() if k != "sku"}
    services.set_job_mapping(user=manager, job=job, mapping=mapping)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)

    job = services.run_import_job(job_id=job.pk)

    assert job.status == ImportStatus.FAILED and "SKU" in job.failure_zh
    assert not Order.objects.exists() and not Customer.objects.exists()
