"""Bulk order writers announce their orders once per chunk: an import of 50 orders sends one
``orders_recorded_batch`` (50 order ids, their customers) and no per-order ``order_recorded``,
so insights queues one refresh instead of 50; rejected rows and dry runs announce nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache

from tests.api.conftest import ApiClient
from tests.factories import CustomerFactory
from toolcrm.accounts.services import issue_api_token
from toolcrm.integrations import services
from toolcrm.sales.models import Order
from toolcrm.sales.services import OrderInput, OrderLineInput, create_order
from toolcrm.sales.signals import order_recorded, orders_recorded_batch

HEADER = "订单号,门店编码,下单时间,商品编码,数量,手机号,姓名"


def _orders_csv(count: int, *, bad: tuple[int, ...] = ()) -> bytes:
    rows = [HEADER]
    for n in range(count):
        sku = "NO-SUCH-SKU" if n in bad else "TM-5M"
        rows.append(f"B{n:04d},SH01,2024-03-05 10:00,{sku},1,1390000{n:04d},客户{n}")
    return ("\n".join(rows) + "\n").encode("utf-8")


@pytest.fixture
def received() -> Iterator[dict[str, list[dict[str, Any]]]]:
    """What the two signals delivered during the test."""
    calls: dict[str, list[dict[str, Any]]] = {"single": [], "batch": []}

    def on_single(**kwargs: Any) -> None:
        calls["single"].append(kwargs)

    def on_batch(**kwargs: Any) -> None:
        calls["batch"].append(kwargs)

    order_recorded.connect(on_single, dispatch_uid="test.single")
    orders_recorded_batch.connect(on_batch, dispatch_uid="test.batch")
    yield calls
    order_recorded.disconnect(dispatch_uid="test.single")
    orders_recorded_batch.disconnect(dispatch_uid="test.batch")


@pytest.fixture
def no_rescoring() -> Iterator[mock.MagicMock]:
    """The insights task a per-order signal would queue (not run: this test is about counts)."""
    with mock.patch("toolcrm.insights.receivers.refresh_customer_scores") as task:
        yield task.enqueue


@pytest.fixture
def batched_rescoring() -> Iterator[mock.MagicMock]:
    """The insights task a batch signal queues (one per batch), not run."""
    with mock.patch("toolcrm.insights.receivers.refresh_customers") as task:
        yield task.enqueue


@pytest.mark.django_db
def test_importing_50_orders_queues_one_batched_refresh_not_50(
    manager,
    catalogue,
    settings,
    received,
    no_rescoring,
    batched_rescoring,
    django_capture_on_commit_callbacks,
):
    settings.IMPORT_CHUNK_SIZE = 500

    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_file(
            user=manager, kind="orders", content=_orders_csv(50), filename="orders.csv"
        )

    assert job.created_count == 50
    assert received["single"] == []
    assert no_rescoring.call_count == 0
    assert len(received["batch"]) == 1
    batch = received["batch"][0]
    orders = Order.objects.order_by("pk")
    assert batch["order_ids"] == [order.pk for order in orders]
    assert batch["customer_ids"] == sorted({order.customer_id for order in orders})
    assert len(batch["customer_ids"]) == 50
    assert batch["sender"] is Order
    batched_rescoring.assert_called_once_with(batch["customer_ids"])


@pytest.mark.django_db
def test_one_batch_per_chunk_and_rejected_rows_are_not_announced(
    manager, catalogue, settings, received, no_rescoring, django_capture_on_commit_callbacks
):
    settings.IMPORT_CHUNK_SIZE = 20

    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_file(
            user=manager, kind="orders", content=_orders_csv(50, bad=(5, 45)), filename="o.csv"
        )

    assert (job.created_count, job.error_count) == (48, 2)
    assert [len(batch["order_ids"]) for batch in received["batch"]] == [19, 20, 9]
    announced = {pk for batch in received["batch"] for pk in batch["order_ids"]}
    assert announced == set(Order.objects.values_list("pk", flat=True))
    assert received["single"] == [] and no_rescoring.call_count == 0


@pytest.mark.django_db
def test_a_dry_run_announces_nothing(
    manager, catalogue, received, no_rescoring, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.import_file(
            user=manager,
            kind="orders",
            content=_orders_csv(10),
            filename="o.csv",
            is_dry_run=True,
        )

    assert not Order.objects.exists()
    assert received == {"single": [], "batch": []}


@pytest.mark.django_db
def test_batch_api_call_sends_one_batch(
    clerk, catalogue, settings, received, no_rescoring, django_capture_on_commit_callbacks
):
    settings.INTEGRATION_API_RATE = "10000/m"
    cache.clear()
    _token, plaintext = issue_api_token(user=clerk, name="pos")
    items = [
        {
            "channel": "pos",
            "external_id": f"API-{n}",
            "store": "SH01",
            "customer_phone": f"1390000{n:04d}",
            "lines": [{"sku": "TM-5M", "quantity": 1}],
        }
        for n in range(30)
    ]
    items.append({**items[0], "external_id": "API-BAD", "lines": [{"sku": "NOPE", "quantity": 1}]})

    with django_capture_on_commit_callbacks(execute=True):
        response = ApiClient(plaintext).post("/api/integrations/orders/batch", {"items": items})

    assert response.json()["summary"] == {"created": 30, "replayed": 0, "errors": 1}
    assert received["single"] == [] and no_rescoring.call_count == 0
    assert len(received["batch"]) == 1
    assert received["batch"][0]["order_ids"] == sorted(Order.objects.values_list("pk", flat=True))
    assert len(received["batch"][0]["customer_ids"]) == 30


@pytest.mark.django_db
def test_outside_a_batch_each_order_still_sends_its_own_signal(
    clerk, catalogue, store_a, received, no_rescoring, django_capture_on_commit_callbacks
):
    customer = CustomerFactory(home_store=store_a)
    data = OrderInput(
        channel="pos",
        external_id="ONE",
        store="SH01",
        customer_id=customer.pk,
        lines=[OrderLineInput(sku="TM-5M", quantity=1)],
    )

    with django_capture_on_commit_callbacks(execute=True):
        order, _created = create_order(user=clerk, data=data)

    assert [call["order_id"] for call in received["single"]] == [order.pk]
    assert received["batch"] == []
    no_rescoring.assert_called_once_with(customer.pk)
