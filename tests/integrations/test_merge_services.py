"""Merging two customers and undoing it: rows move, fields are chosen, the loser is kept
inactive, undo restores both exactly, and refused merges write nothing."""

from __future__ import annotations

from datetime import date

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import (
    CompanyContactFactory,
    ConsentFactory,
    CustomerFactory,
    InteractionFactory,
    OrderFactory,
)
from toolcrm.core.pii import phone_index
from toolcrm.core.roles import Role
from toolcrm.customers.models import CompanyContact, Consent, Customer, Interaction
from toolcrm.customers.selectors import search_customers
from toolcrm.integrations.merge import merge_customers, undo_merge
from toolcrm.integrations.models import MergeRecord
from toolcrm.sales.models import Order

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(store_a):  # type: ignore[no-untyped-def]
    survivor = CustomerFactory(
        name="王建国", phone="13800001111", member_card_no="M000000001", home_store=store_a
    )
    other = CustomerFactory(
        name="王建国",
        phone="13900002222",
        member_card_no="M000000002",
        email="wjg@example.com",
        birthday=date(1980, 5, 1),
        home_store=store_a,
    )
    return survivor, other


def _related(other: Customer) -> dict[str, list[int]]:
    return {
        "orders": [OrderFactory(customer=other).pk, OrderFactory(customer=other).pk],
        "interactions": [InteractionFactory(customer=other).pk],
        "consents": [ConsentFactory(customer=other).pk],
    }


def _state(customer: Customer) -> dict[str, object]:
    customer.refresh_from_db()
    return {
        name: getattr(customer, name)
        for name in (
            "name",
            "phone",
            "phone_index",
            "member_card_no",
            "email",
            "birthday",
            "is_active",
            "notes",
        )
    }


def test_merge_moves_every_related_row_and_deactivates_the_loser(manager, pair):
    survivor, other = pair
    moved = _related(other)
    untouched = OrderFactory(customer=survivor)

    record = merge_customers(user=manager, survivor=survivor, other=other, field_choices={})

    assert sorted(Order.objects.filter(customer=survivor).values_list("pk", flat=True)) == sorted(
        [*moved["orders"], untouched.pk]
    )
    assert (
        list(Interaction.objects.filter(customer=survivor).values_list("pk", flat=True))
        == (moved["interactions"])
    )
    assert (
        list(Consent.objects.filter(customer=survivor).values_list("pk", flat=True))
        == (moved["consents"])
    )
    other.refresh_from_db()
    assert other.is_active is False
    assert other.notes == f"已合并到 #{survivor.pk}"
    assert record.moved_rows == {**moved, "contacts": []}
    assert record.performed_by == manager
    assert "13900002222" not in str(record.merged_snapshot)
    entry = LogEntry.objects.get(additional_data__event="merge_customers")
    assert entry.object_pk == str(survivor.pk)
    assert entry.additional_data["moved"] == {
        "orders": 2,
        "interactions": 1,
        "consents": 1,
        "contacts": 0,
    }


def test_company_contacts_move(manager, store_a):
    survivor = CustomerFactory(kind="company", name="沪建装饰", home_store=store_a)
    other = CustomerFactory(kind="company", name="沪建装饰有限公司", home_store=store_a)
    contact = CompanyContactFactory(company=other)

    record = merge_customers(user=manager, survivor=survivor, other=other, field_choices={})

    assert CompanyContact.objects.get(pk=contact.pk).company_id == survivor.pk
    assert record.moved_rows["contacts"] == [contact.pk]


def test_field_choices_are_applied_and_phone_search_finds_the_survivor(manager, pair):
    survivor, other = pair

    merge_customers(
        user=manager,
        survivor=survivor,
        other=other,
        field_choices={
            "phone": "other",
            "member_card_no": "other",
            "email": "other",
            "birthday": "other",
        },
    )

    survivor.refresh_from_db()
    other.refresh_from_db()
    assert survivor.phone == "13900002222"
    assert survivor.phone_index == phone_index("139 0000 2222")
    assert survivor.member_card_no == "M000000002"
    assert survivor.email == "wjg@example.com"
    assert survivor.birthday == date(1980, 5, 1)
    assert other.member_card_no is None
    result = search_customers(user=manager, query="139-0000-2222")
    assert [c.pk for c in result.customers] == [survivor.pk]


def test_undo_restores_both_records_and_moves_the_rows_back(manager, pair):
    survivor, other = pair
    moved = _related(other)
    kept = OrderFactory(customer=survivor)
    survivor_before, other_before = _state(survivor), _state(other)
    record = merge_customers(
        user=manager,
        survivor=survivor,
        other=other,
        field_choices={"phone": "other", "member_card_no": "other", "email": "other"},
    )
    # a later sale of the survivor stays with it
    later = OrderFactory(customer=survivor)

    undo_merge(user=manager, merge=record)

    assert _state(survivor) == survivor_before
    assert _state(other) == other_before
    assert sorted(Order.objects.filter(customer=other).values_list("pk", flat=True)) == sorted(
        moved["orders"]
    )
    assert sorted(Order.objects.filter(customer=survivor).values_list("pk", flat=True)) == sorted(
        [kept.pk, later.pk]
    )
    assert Interaction.objects.get(pk=moved["interactions"][0]).customer_id == other.pk
    assert Consent.objects.get(pk=moved["consents"][0]).customer_id == other.pk
    record.refresh_from_db()
    assert record.undone_by == manager and record.undone_at is not None
    assert LogEntry.objects.filter(additional_data__event="undo_merge").count() == 1


def test_undo_is_refused_after_a_later_merge_of_the_survivor(manager, pair, store_a):
    survivor, other = pair
    third = CustomerFactory(home_store=store_a)
    first = merge_customers(user=manager, survivor=survivor, other=other, field_choices={})
    merge_customers(user=manager, survivor=third, other=survivor, field_choices={})

    with pytest.raises(ValidationError, match="之后又有涉及"):
        undo_merge(user=manager, merge=first)

    first.refresh_from_db()
    assert first.undone_at is None
    assert Customer.objects.get(pk=other.pk).is_active is False


def test_undo_twice_is_refused(manager, pair):
    survivor, other = pair
    record = merge_customers(user=manager, survivor=survivor, other=other, field_choices={})
    undo_merge(user=manager, merge=record)

    with pytest.raises(ValidationError, match="已撤销"):
        undo_merge(user=manager, merge=record)


def test_companies_with_different_credit_codes_are_refused_and_nothing_is_written(manager, store_a):
    survivor = CustomerFactory(
        kind="company", name="沪建装饰", credit_code="91310000MA1FL0001A", home_store=store_a
    )
    other = CustomerFactory(
        kind="company", name="沪建装饰", credit_code="91310000MA1FL0002B", home_store=store_a
    )
    order = OrderFactory(customer=other)
    logs_before = LogEntry.objects.count()

    with pytest.raises(ValidationError, match="信用代码不同"):
        merge_customers(user=manager, survivor=survivor, other=other, field_choices={})

    assert Order.objects.get(pk=order.pk).customer_id == other.pk
    assert Customer.objects.get(pk=other.pk).is_active is True
    assert MergeRecord.objects.count() == 0
    assert LogEntry.objects.count() == logs_before


def test_clerk_may_not_merge_and_nothing_is_written(make_user, pair):
    survivor, other = pair
    clerk = make_user(Role.CLERK, username="clerk_m")
    order = OrderFactory(customer=other)

    with pytest.raises(PermissionDenied):
        merge_customers(user=clerk, survivor=survivor, other=other, field_choices={})

    assert Order.objects.get(pk=order.pk).customer_id == other.pk
    assert MergeRecord.objects.count() == 0


def test_customer_outside_scope_is_refused(manager, store_a, store_south):
    survivor = CustomerFactory(home_store=store_a)
    other = CustomerFactory(home_store=store_south)

    with pytest.raises(PermissionDenied):
        merge_customers(user=manager, survivor=survivor, other=other, field_choices={})

    assert Customer.objects.get(pk=other.pk).is_active is True


def test_unknown_field_choice_is_refused(manager, pair):
    survivor, other = pair

    with pytest.raises(ValidationError):
        merge_customers(
            user=manager, survivor=survivor, other=other, field_choices={"is_active": "other"}
        )

    assert MergeRecord.objects.count() == 0


def test_merge_rescores_the_survivor_and_drops_the_losers_score(
    manager, pair, django_capture_on_commit_callbacks
):
    from toolcrm.insights.models import CustomerScore
    from toolcrm.insights.services import recompute_scores

    survivor, other = pair
    OrderFactory(customer=other)
    recompute_scores()
    assert CustomerScore.objects.filter(customer=other).exists()

    with django_capture_on_commit_callbacks(execute=True):
        merge_customers(user=manager, survivor=survivor, other=other, field_choices={})

    assert not CustomerScore.objects.filter(customer=other).exists()
    assert CustomerScore.objects.get(customer=survivor).frequency == 1
