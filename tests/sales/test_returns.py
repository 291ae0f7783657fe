"""sales.services.record_return: quantities and refunds against what earlier returns left,
status, serial numbers, audit, scope — nothing written on any rejected input — and the
``return_recorded`` signal after commit: points reversed once (the daily sweep after it adds
nothing), the customer's scores and tags refreshed."""

from __future__ import annotations

import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.utils import timezone

from tests.factories import CustomerFactory, OrderFactory, OrderLineFactory
from tests.sales.conftest import lines_of
from toolcrm.core.roles import Role
from toolcrm.insights.models import CustomerScore
from toolcrm.loyalty.choices import EntryKind
from toolcrm.loyalty.models import LoyaltyAccount, PointsEntry
from toolcrm.loyalty.services.points import ledger_sum
from toolcrm.loyalty.tasks import reverse_points_for_returns
from toolcrm.sales.models import Order, Return, ReturnLine, SerialNumber
from toolcrm.sales.services import record_return


def _written() -> tuple[int, int, int, int]:
    return (
        Return.objects.count(),
        ReturnLine.objects.count(),
        SerialNumber.objects.filter(is_returned=True).count(),
        LogEntry.objects.filter(additional_data__event="order_return").count(),
    )


@pytest.mark.django_db
def test_a_partial_return_refunds_the_paid_share_and_marks_the_serial(
    clerk, returnable_order, store_a
):
    drill, _bits = lines_of(returnable_order)

    record = record_return(
        user=clerk,
        order_id=returnable_order.pk,
        lines=[(drill, 1)],
        reason=" 质量问题 ",
        serials=["SN-B"],
    )

    returnable_order.refresh_from_db()
    assert returnable_order.status == "partially_returned"
    assert record.refund_amount == Decimal("574.00")  # (2 × 599 − 50) / 2: discount shared
    assert record.reason == "质量问题"
    assert record.store == store_a
    assert record.staff == clerk
    assert [(x.line_id, x.quantity, x.amount) for x in record.lines.all()] == [
        (drill, 1, Decimal("574.00"))
    ]
    assert set(SerialNumber.objects.filter(is_returned=True).values_list("serial", flat=True)) == {
        "SN-B"
    }
    entry = LogEntry.objects.get(additional_data__event="order_return")
    assert entry.object_pk == str(returnable_order.pk)
    assert entry.actor == clerk
    assert entry.additional_data["return_id"] == record.pk
    assert entry.additional_data["refund_amount"] == "574.00"
    assert entry.additional_data["status"] == "partially_returned"


@pytest.mark.django_db
def test_a_second_return_takes_the_rest_and_the_order_becomes_returned(clerk, returnable_order):
    drill, bits = lines_of(returnable_order)
    record_return(
        user=clerk,
        order_id=returnable_order.pk,
        lines=[(drill, 1), (bits, 1)],
        reason="买多了",
        serials=["SN-A"],
    )

    with pytest.raises(ValidationError) as error:
        record_return(
            user=clerk,
            order_id=returnable_order.pk,
            lines=[(drill, 2)],
            reason="再退",
            serials=["SN-B"],
        )
    assert "最多可退 1 件" in error.value.message_dict["lines.0.quantity"][0]

    last = record_return(
        user=clerk,
        order_id=returnable_order.pk,
        lines=[(drill, 1), (bits, 2)],
        reason="再退",
        serials=["SN-B"],
    )
    returnable_order.refresh_from_db()
    assert returnable_order.status == "returned"
    # 12.50 for the first pack, 25.00 for the last two; the drill line refunds exactly 1,148.00
    assert last.refund_amount == Decimal("574.00") + Decimal("25.00")
    assert sum(r.refund_amount for r in Return.objects.all()) == returnable_order.total
    assert SerialNumber.objects.filter(is_returned=True).count() == 2
    with pytest.raises(ValidationError):
        record_return(user=clerk, order_id=returnable_order.pk, lines=[(bits, 1)], reason="x")


@pytest.mark.django_db
def test_the_refund_may_be_set_up_to_what_is_left_and_the_lines_add_up_to_it(
    clerk, returnable_order
):
    drill, bits = lines_of(returnable_order)
    record = record_return(
        user=clerk,
        order_id=returnable_order.pk,
        lines=[(drill, 1), (bits, 3)],
        reason="折价退货",
        refund_amount=Decimal("500.00"),
        serials=["SN-A"],
    )
    assert record.refund_amount == Decimal("500.00")
    assert sum(line.amount for line in record.lines.all()) == Decimal("500.00")

    before = _written()
    with pytest.raises(ValidationError) as error:
        record_return(
            user=clerk,
            order_id=returnable_order.pk,
            lines=[(drill, 1)],
            reason="超额退款",
            refund_amount=Decimal("685.51"),  # 1,185.50 − 500.00 = 685.50 left
            serials=["SN-B"],
        )
    assert "685.50" in error.value.message_dict["refund_amount"][0]
    assert _written() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lines", "reason", "serials", "refund", "field"),
    [
        ("over", "质量问题", ["SN-A"], None, "lines.0.quantity"),
        ("zero", "质量问题", [], None, "lines.0.quantity"),
        ("none", "质量问题", [], None, "lines"),
        ("drill", "  ", ["SN-A"], None, "reason"),
        ("drill", "质量问题", [], None, "serials"),
        ("drill", "质量问题", ["SN-X"], None, "serials"),
        ("drill", "质量问题", ["SN-A"], Decimal("-1"), "refund_amount"),
        ("drill", "质量问题", ["SN-A"], Decimal("1.001"), "refund_amount"),
        ("foreign", "质量问题", [], None, "lines.0.line_id"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(
    clerk, returnable_order, lines, reason, serials, refund, field
):
    drill, _bits = lines_of(returnable_order)
    other_line = OrderLineFactory(order=OrderFactory(customer=CustomerFactory()))
    given = {
        "over": [(drill, 3)],
        "zero": [(drill, 0)],
        "none": [],
        "drill": [(drill, 1)],
        "foreign": [(other_line.pk, 1)],
    }[lines]
    before = _written()

    with pytest.raises(ValidationError) as error:
        record_return(
            user=clerk,
            order_id=returnable_order.pk,
            lines=given,
            reason=reason,
            serials=serials,
            refund_amount=refund,
        )

    assert field in error.value.message_dict
    assert _written() == before
    assert Order.objects.get(pk=returnable_order.pk).status == "completed"


@pytest.mark.django_db
def test_a_cancelled_order_and_a_future_date_are_refused(clerk, returnable_order):
    drill, _bits = lines_of(returnable_order)
    with pytest.raises(ValidationError) as error:
        record_return(
            user=clerk,
            order_id=returnable_order.pk,
            lines=[(drill, 1)],
            reason="x",
            serials=["SN-A"],
            returned_at=timezone.now() + timedelta(days=1),
        )
    assert "returned_at" in error.value.message_dict
    Order.objects.filter(pk=returnable_order.pk).update(status="cancelled")
    with pytest.raises(ValidationError):
        record_return(
            user=clerk,
            order_id=returnable_order.pk,
            lines=[(drill, 1)],
            reason="x",
            serials=["SN-A"],
        )
    assert Return.objects.count() == 0


@pytest.mark.django_db
def test_scope_and_capability(make_user, store_b, returnable_order):
    drill, _bits = lines_of(returnable_order)
    arguments = {
        "order_id": returnable_order.pk,
        "lines": [(drill, 1)],
        "reason": "x",
        "serials": ["SN-A"],
    }
    with pytest.raises(Http404):
        record_return(user=make_user(Role.CLERK, username="clerk_b", store=store_b), **arguments)
    with pytest.raises(PermissionDenied):
        record_return(user=make_user(Role.TECHNICIAN, username="tech_a"), **arguments)
    with pytest.raises(Http404):
        record_return(
            user=make_user(Role.CLERK, username="clerk_a2"), **{**arguments, "order_id": 0}
        )
    assert Return.objects.count() == 0
    # a store outside the user's scope may not take the goods back
    with pytest.raises(ValidationError) as error:
        record_return(
            user=make_user(Role.CLERK, username="clerk_a3"), store=store_b.pk, **arguments
        )
    assert "store" in error.value.message_dict


# ------------------------------------------------------------------------ after commit


@pytest.mark.django_db
def test_a_return_reverses_points_once_and_the_daily_sweep_adds_nothing(
    clerk, returnable_order, return_customer, django_capture_on_commit_callbacks
):
    drill, _bits = lines_of(returnable_order)
    earned = PointsEntry.objects.get(order=returnable_order, kind=EntryKind.EARN).points
    assert earned > 0

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record_return(
            user=clerk,
            order_id=returnable_order.pk,
            lines=[(drill, 1)],
            reason="质量问题",
            serials=["SN-A"],
        )

    assert len(callbacks) == 1
    reversal = PointsEntry.objects.get(order=returnable_order, kind=EntryKind.REVERSE)
    kept = int(Decimal(earned) * (Decimal("1185.50") - Decimal("574.00")) / Decimal("1185.50"))
    assert reversal.points == -(earned - kept)
    reverse_points_for_returns.call()
    assert PointsEntry.objects.filter(order=returnable_order, kind=EntryKind.REVERSE).count() == 1
    account = LoyaltyAccount.objects.get(pk=return_customer.pk)
    assert account.points_balance == ledger_sum(account.pk) == kept


@pytest.mark.django_db
def test_a_return_rescores_and_retags_the_customer(
    clerk, returnable_order, return_customer, django_capture_on_commit_callbacks, monkeypatch
):
    from toolcrm.tags import services as tag_services

    drill, _bits = lines_of(returnable_order)
    assert CustomerScore.objects.get(customer=return_customer).monetary == Decimal("1185.50")
    retagged: list[int] = []
    original = tag_services.refresh_customer_tags

    def spy(*, customer_id: int, **kwargs):  # type: ignore[no-untyped-def]
        retagged.append(customer_id)
        return original(customer_id=customer_id, **kwargs)

    monkeypatch.setattr(tag_services, "refresh_customer_tags", spy)

    with django_capture_on_commit_callbacks(execute=True):
        record_return(
            user=clerk,
            order_id=returnable_order.pk,
            lines=[(drill, 1)],
            reason="质量问题",
            serials=["SN-A"],
        )

    assert CustomerScore.objects.get(customer=return_customer).monetary == Decimal("611.50")
    assert retagged == [return_customer.pk]


@pytest.mark.django_db
def test_a_walk_in_return_and_a_rejected_one_announce_nothing(
    clerk, store_a, returnable_order, django_capture_on_commit_callbacks
):
    walk_in = OrderFactory(customer=None, store=store_a)
    line = OrderLineFactory(order=walk_in)
    drill, _bits = lines_of(returnable_order)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record_return(user=clerk, order_id=walk_in.pk, lines=[(line.pk, 1)], reason="散客退货")
        with pytest.raises(ValidationError):
            record_return(user=clerk, order_id=returnable_order.pk, lines=[(drill, 5)], reason="x")
    assert callbacks == []
    walk_in.refresh_from_db()
    assert walk_in.status == "returned"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers")
def test_concurrent_returns_of_the_same_units_on_postgresql_record_one(clerk, returnable_order):
    drill, _bits = lines_of(returnable_order)
    barrier = threading.Barrier(3)
    recorded: list[int] = []
    refused: list[ValidationError] = []
    failures: list[BaseException] = []

    def submit() -> None:
        try:
            barrier.wait()
            record = record_return(
                user=clerk,
                order_id=returnable_order.pk,
                lines=[(drill, 2)],
                reason="并发退货",
                serials=["SN-A", "SN-B"],
            )
            recorded.append(record.pk)
        except ValidationError as error:
            refused.append(error)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert len(recorded) == 1
    assert len(refused) == 2
    assert ReturnLine.objects.get().quantity == 2
