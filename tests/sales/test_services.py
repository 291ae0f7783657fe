"""sales.services.create_order: totals in Decimal, scope, idempotency on (channel, external id),
conflicting replays, concurrent submissions — and nothing written on any rejected input."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from tests.factories import CustomerFactory, ProductFactory, SerialNumberFactory
from toolcrm.core.roles import Role
from toolcrm.sales import services
from toolcrm.sales.models import Order, OrderLine, Payment, SerialNumber
from toolcrm.sales.services import (
    OrderConflictError,
    OrderInput,
    OrderLineInput,
    PaymentInput,
    create_order,
)


@pytest.fixture
def drill(db):  # type: ignore[no-untyped-def]
    return ProductFactory(sku="DRILL-1", price=Decimal("599.00"), is_power_tool=True)


@pytest.fixture
def bits(db):  # type: ignore[no-untyped-def]
    return ProductFactory(sku="BITS-1", price=Decimal("12.50"), is_power_tool=False)


@pytest.fixture
def customer(store_a):  # type: ignore[no-untyped-def]
    return CustomerFactory(home_store=store_a)


def _order(at_store, **overrides):
    values = {
        "channel": "pos",
        "external_id": "POS-1",
        "store": at_store.code,
        "lines": [
            OrderLineInput(
                sku="DRILL-1", quantity=2, discount=Decimal("50.00"), serials=("SN1", "SN2")
            ),
            OrderLineInput(sku="BITS-1", quantity=3),
        ],
    }
    values.update(overrides)
    return OrderInput(**values)


def _counts():
    return (
        Order.objects.count(),
        OrderLine.objects.count(),
        SerialNumber.objects.count(),
        Payment.objects.count(),
    )


@pytest.mark.django_db
def test_totals_are_computed_from_the_lines(clerk, store_a, customer, drill, bits):
    order, created = create_order(
        user=clerk,
        data=_order(
            store_a,
            customer_id=customer.pk,
            payments=[
                PaymentInput(method="wechat_pay", amount=Decimal("1000.00")),
                PaymentInput(method="cash", amount=Decimal("185.50")),
            ],
            note=" 会员日 ",
        ),
    )

    order.refresh_from_db()
    assert created is True
    assert (order.subtotal, order.discount_total, order.total) == (
        Decimal("1235.50"),
        Decimal("50.00"),
        Decimal("1185.50"),
    )
    assert (order.store, order.customer, order.staff, order.note) == (
        store_a,
        customer,
        clerk,
        "会员日",
    )
    lines = list(order.lines.order_by("pk"))
    assert [(x.product, x.quantity, x.unit_price, x.discount, x.line_total) for x in lines] == [
        (drill, 2, Decimal("599.00"), Decimal("50.00"), Decimal("1148.00")),
        (bits, 3, Decimal("12.50"), Decimal("0.00"), Decimal("37.50")),
    ]
    assert sorted(lines[0].serials.values_list("serial", flat=True)) == ["SN1", "SN2"]
    assert sorted(order.payments.values_list("amount", flat=True)) == [
        Decimal("185.50"),
        Decimal("1000.00"),
    ]
    assert _counts() == (1, 2, 2, 2)


@pytest.mark.django_db
def test_explicit_unit_price_and_walk_in(clerk, store_a, drill, bits):
    order, _created = create_order(
        user=clerk,
        data=_order(
            store_a,
            store=store_a.pk,
            lines=[OrderLineInput(sku="BITS-1", quantity=4, unit_price=Decimal("9.99"))],
        ),
    )

    assert order.customer is None
    assert order.total == Decimal("39.96")


@pytest.mark.django_db
def test_naive_ordered_at_is_read_in_shanghai_time(clerk, store_a, drill, bits):
    order, _created = create_order(
        user=clerk, data=_order(store_a, ordered_at=datetime(2026, 1, 5, 10, 30))
    )

    assert order.ordered_at == datetime(2026, 1, 5, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.django_db
def test_replay_returns_the_stored_order_and_writes_nothing(clerk, store_a, drill, bits):
    first, _created = create_order(user=clerk, data=_order(store_a))
    before = _counts()

    again, created = create_order(user=clerk, data=_order(store_a, store=store_a.pk))

    assert (again.pk, created) == (first.pk, False)
    assert _counts() == before


@pytest.mark.django_db
def test_replay_without_prices_matches_after_a_price_change(clerk, store_a, drill, bits):
    first, _created = create_order(user=clerk, data=_order(store_a))
    bits.price = Decimal("15.00")
    bits.save(update_fields=["price"])

    again, created = create_order(user=clerk, data=_order(store_a))

    assert (again.pk, created) == (first.pk, False)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change",
    [
        {"lines": [OrderLineInput(sku="BITS-1", quantity=3)]},
        {"lines": [OrderLineInput(sku="BITS-1", quantity=4)]},
        {"lines": [OrderLineInput(sku="BITS-1", quantity=3, unit_price=Decimal("1.00"))]},
        {"lines": [OrderLineInput(sku="BITS-1", quantity=3, discount=Decimal("1.00"))]},
        {"store": "HZ01"},
        {"customer_id": "customer"},
        {
            "lines": [
                OrderLineInput(
                    sku="DRILL-1", quantity=2, discount=Decimal("50.00"), serials=("X", "Y")
                ),
                OrderLineInput(sku="BITS-1", quantity=3),
            ]
        },
    ],
)
def test_replay_with_other_content_is_a_conflict(
    change, make_user, store_a, store_b, customer, drill, bits
):
    regional = make_user(Role.REGIONAL_MANAGER)
    create_order(user=regional, data=_order(store_a))
    before = _counts()
    if change.get("customer_id") == "customer":
        change = {"customer_id": customer.pk}

    with pytest.raises(OrderConflictError) as excinfo:
        create_order(user=regional, data=_order(store_a, **change))

    assert "POS-1" in excinfo.value.message
    assert _counts() == before


@pytest.mark.django_db
def test_same_external_id_on_another_channel_is_another_order(clerk, store_a, drill, bits):
    first, _created = create_order(user=clerk, data=_order(store_a))

    other, created = create_order(
        user=clerk,
        data=_order(store_a, channel="ecommerce", lines=[OrderLineInput(sku="BITS-1", quantity=1)]),
    )

    assert created is True
    assert other.pk != first.pk


@pytest.mark.django_db
def test_external_id_taken_by_an_order_outside_the_scope_is_a_conflict_without_content(
    make_user, clerk, store_a, store_b, bits
):
    other_clerk = make_user(Role.CLERK, store=store_b)
    create_order(user=other_clerk, data=_order(store_b, lines=[OrderLineInput("BITS-1", 1)]))

    with pytest.raises(OrderConflictError) as excinfo:
        create_order(user=clerk, data=_order(store_a, lines=[OrderLineInput("BITS-1", 1)]))

    assert "已被其他订单使用" in excinfo.value.message
    assert Order.objects.count() == 1


@pytest.mark.django_db
def test_concurrent_submission_loses_the_race_and_answers_as_a_replay(
    monkeypatch, clerk, store_a, drill, bits
):
    """Between the replay check and the insert, another request commits the same order: the
    unique constraint fires, the savepoint rolls back, and the stored order is returned."""
    real_check = services._check_serials_unused
    competitor: dict[str, Order] = {}

    def check_then_let_a_competitor_commit(lines, errors):  # type: ignore[no-untyped-def]
        real_check(lines, errors)
        competitor["order"] = services._write(
            user=clerk,
            channel="pos",
            external_id="POS-1",
            store=store_a,
            customer=None,
            ordered_at=timezone.now(),
            lines=lines,
            payments=[],
            note="",
        )

    monkeypatch.setattr(services, "_check_serials_unused", check_then_let_a_competitor_commit)
    order, created = create_order(user=clerk, data=_order(store_a))

    assert created is False
    assert order.pk == competitor["order"].pk
    assert _counts() == (1, 2, 2, 0)


@pytest.mark.django_db
def test_concurrent_submission_that_took_the_serials_first_is_a_replay(
    monkeypatch, clerk, store_a, drill, bits
):
    """Another request commits the same order between the replay check and the serial check:
    its serials are taken, but this is a replay of that order, not a serial clash."""
    real_check = services._check_serials_unused
    competitor: dict[str, Order] = {}

    def let_a_competitor_commit_then_check(lines, errors):  # type: ignore[no-untyped-def]
        competitor["order"] = services._write(
            user=clerk,
            channel="pos",
            external_id="POS-1",
            store=store_a,
            customer=None,
            ordered_at=timezone.now(),
            lines=lines,
            payments=[],
            note="",
        )
        real_check(lines, errors)

    monkeypatch.setattr(services, "_check_serials_unused", let_a_competitor_commit_then_check)
    order, created = create_order(user=clerk, data=_order(store_a))

    assert (order.pk, created) == (competitor["order"].pk, False)
    assert _counts() == (1, 2, 2, 0)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_concurrent_submissions_on_postgresql_store_one_order(clerk, store_a, drill, bits):
    barrier = threading.Barrier(4)
    results: list[tuple[int, bool]] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait()
            order, created = create_order(user=clerk, data=_order(store_a))
            results.append((order.pk, created))
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len({pk for pk, _created in results}) == 1
    assert sorted(created for _pk, created in results) == [False, False, False, True]
    assert _counts() == (1, 2, 2, 0)


# --- rejected input writes nothing ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"external_id": "  "}, "external_id"),
        ({"external_id": "x" * 65}, "external_id"),
        ({"store": "NOPE"}, "store"),
        ({"store": "HZ01"}, "store"),
        ({"store": None}, "store"),
        ({"customer_id": 999999}, "customer_id"),
        ({"ordered_at": timezone.now() + timedelta(hours=1)}, "ordered_at"),
        ({"lines": []}, "lines"),
        ({"note": "x" * 201}, "note"),
        ({"lines": [OrderLineInput(sku="NOPE", quantity=1)]}, "lines.0.sku"),
        (
            {"lines": [OrderLineInput(sku="BITS-1", quantity=1), OrderLineInput("NO", 1)]},
            "lines.1.sku",
        ),
        ({"lines": [OrderLineInput(sku="BITS-1", quantity=0)]}, "lines.0.quantity"),
        ({"lines": [OrderLineInput(sku="BITS-1", quantity=-2)]}, "lines.0.quantity"),
        (
            {"lines": [OrderLineInput(sku="BITS-1", quantity=1, unit_price=Decimal("-1"))]},
            "lines.0.unit_price",
        ),
        (
            {"lines": [OrderLineInput(sku="BITS-1", quantity=1, unit_price=Decimal("1.005"))]},
            "lines.0.unit_price",
        ),
        (
            {"lines": [OrderLineInput(sku="BITS-1", quantity=2, discount=Decimal("25.01"))]},
            "lines.0.discount",
        ),
        (
            {"lines": [OrderLineInput(sku="BITS-1", quantity=1, discount=Decimal("-0.01"))]},
            "lines.0.discount",
        ),
        (
            {"lines": [OrderLineInput(sku="DRILL-1", quantity=2, serials=("A",))]},
            "lines.0.serials",
        ),
        (
            {"lines": [OrderLineInput(sku="DRILL-1", quantity=2, serials=("A", "A"))]},
            "lines.0.serials",
        ),
        (
            {
                "lines": [
                    OrderLineInput(sku="DRILL-1", quantity=1, serials=("A",)),
                    OrderLineInput(sku="DRILL-1", quantity=1, serials=("A",)),
                ]
            },
            "lines.1.serials",
        ),
        ({"lines": [OrderLineInput(sku="BITS-1", quantity=1, serials=("A",))]}, "lines.0.serials"),
        ({"lines": [OrderLineInput(sku="DRILL-1", quantity=1, serials=(" ",))]}, "lines.0.serials"),
        ({"payments": [PaymentInput(method="cash", amount=Decimal("1.00"))]}, "payments"),
        (
            {"payments": [PaymentInput(method="gold", amount=Decimal("1185.50"))]},
            "payments.0.method",
        ),
        ({"payments": [PaymentInput(method="cash", amount=Decimal("0"))]}, "payments.0.amount"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    overrides, field, clerk, store_a, store_b, drill, bits
):
    with pytest.raises(ValidationError) as excinfo:
        create_order(user=clerk, data=_order(store_a, **overrides))

    assert field in excinfo.value.message_dict
    assert _counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_serial_sold_before_is_rejected_naming_the_line(clerk, store_a, drill, bits):
    SerialNumberFactory(product=drill, line__product=drill, serial="SN2")
    before = _counts()

    with pytest.raises(ValidationError) as excinfo:
        create_order(user=clerk, data=_order(store_a))

    assert excinfo.value.message_dict == {"lines.0.serials": ["序列号已登记在其他订单上：SN2"]}
    assert _counts() == before


@pytest.mark.django_db
def test_same_serial_on_another_product_is_fine(clerk, store_a, drill, bits):
    SerialNumberFactory(serial="SN1")

    _order_row, created = create_order(user=clerk, data=_order(store_a))

    assert created is True


@pytest.mark.django_db
def test_customer_outside_the_scope_looks_like_a_missing_one(clerk, store_a, store_b, drill, bits):
    hidden = CustomerFactory(home_store=store_b)

    messages = []
    for customer_id in (hidden.pk, 999999):
        with pytest.raises(ValidationError) as excinfo:
            create_order(user=clerk, data=_order(store_a, customer_id=customer_id))
        messages.append(excinfo.value.message_dict)

    assert messages[0] == messages[1] == {"customer_id": ["客户不存在或不在您的权限范围内。"]}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.HQ_MARKETING, Role.TECHNICIAN])
def test_roles_without_the_capability_are_refused(role, make_user, store_a, drill, bits):
    with pytest.raises(PermissionDenied):
        create_order(user=make_user(role), data=_order(store_a))

    assert _counts() == (0, 0, 0, 0)


@pytest.mark.django_db
def test_b2b_manager_books_their_accounts_orders_at_any_store(make_user, store_south, bits):
    b2b = make_user(Role.B2B_MANAGER)
    account = CustomerFactory(kind="company", account_manager=b2b, home_store=store_south)
    lines = [OrderLineInput(sku="BITS-1", quantity=100)]

    order, created = create_order(
        user=b2b,
        data=_order(store_south, channel="b2b", customer_id=account.pk, lines=lines),
    )
    with pytest.raises(ValidationError) as excinfo:
        create_order(user=b2b, data=_order(store_south, external_id="B2B-2", lines=lines))

    assert created is True
    assert order.customer == account
    assert "store" in excinfo.value.message_dict


@pytest.mark.django_db
def test_discontinued_products_can_still_be_recorded(clerk, store_a):
    ProductFactory(sku="OLD-1", price=Decimal("10.00"), is_active=False, is_power_tool=False)

    order, created = create_order(
        user=clerk, data=_order(store_a, lines=[OrderLineInput(sku="OLD-1", quantity=1)])
    )

    assert created is True
    assert order.total == Decimal("10.00")
