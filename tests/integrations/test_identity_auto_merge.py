"""Automatic merges: only pairs that deterministic keys alone support, into the older record,
filling its blanks; family phones and companies without the same credit code stay for review."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import CustomerFactory
from toolcrm.core.roles import Role
from toolcrm.customers.models import Customer
from toolcrm.integrations.identity import scan_duplicates
from toolcrm.integrations.merge import auto_merge_deterministic, merge_customers
from toolcrm.integrations.models import MatchCandidate, MergeRecord

pytestmark = pytest.mark.django_db


def test_same_phone_and_name_merges_into_the_older_record_filling_blanks(manager, store_a):
    older = CustomerFactory(name="赵六", phone="13811112222", email="", home_store=store_a)
    newer = CustomerFactory(
        name="赵六", phone="13811112222", email="z6@example.com", home_store=store_a
    )
    scan_duplicates()

    [record] = auto_merge_deterministic(user=manager)

    assert (record.survivor_id, record.merged_id) == (older.pk, newer.pk)
    assert record.field_choices == {"email": "other"}
    assert Customer.objects.get(pk=older.pk).email == "z6@example.com"
    assert Customer.objects.get(pk=newer.pk).is_active is False
    assert MatchCandidate.objects.get().status == "merged"


def test_family_phone_and_company_variants_are_left_for_review(manager, store_a):
    CustomerFactory(name="王大明", phone="13811113333", home_store=store_a)
    CustomerFactory(name="王小明", phone="13811113333", home_store=store_a)
    CustomerFactory(
        kind="company", name="沪建装饰有限公司", phone="13811114444", home_store=store_a
    )
    CustomerFactory(
        kind="company", name="沪建装饰有限责任公司", phone="13811114444", home_store=store_a
    )
    scan_duplicates()

    assert auto_merge_deterministic(user=manager) == []
    assert MergeRecord.objects.count() == 0
    assert set(MatchCandidate.objects.values_list("status", flat=True)) == {"open"}


def test_auto_merge_needs_the_capability(make_user):
    with pytest.raises(PermissionDenied):
        auto_merge_deterministic(user=make_user(Role.CLERK, username="clerk_a2"))


def test_command_auto_merges_as_the_named_user(manager, store_a):
    CustomerFactory(name="赵六", wechat_unionid="oU9", home_store=store_a)
    CustomerFactory(name="赵陆", wechat_unionid="oU9", home_store=store_a)

    with pytest.raises(CommandError):
        call_command("find_duplicates", "--auto-merge")
    call_command("find_duplicates", "--auto-merge", "--user", manager.username)

    assert MergeRecord.objects.get().performed_by == manager


def _unionid_pairs(count: int, store: Any, prefix: str) -> None:
    """``count`` pairs of people sharing a WeChat UnionID: deterministic, auto-mergeable."""
    for index in range(count):
        CustomerFactory(name="周七", wechat_unionid=f"{prefix}{index}", home_store=store)
        CustomerFactory(name="周柒", wechat_unionid=f"{prefix}{index}", home_store=store)


def _company_phone_pairs(count: int, store: Any, prefix: int) -> None:
    """``count`` company pairs sharing only a phone: deterministic evidence, but no credit code,
    so the rules leave them for review."""
    for index in range(count):
        phone = f"139{prefix:02d}{index:06d}"
        CustomerFactory(kind="company", name="沪建装饰有限公司", phone=phone, home_store=store)
        CustomerFactory(kind="company", name="沪建装饰有限公司", phone=phone, home_store=store)


def _queries(user: Any) -> tuple[int, int]:
    scan_duplicates()
    with CaptureQueriesContext(connection) as captured:
        merged = auto_merge_deterministic(user=user)
    return len(captured), len(merged)


def test_skipped_candidates_cost_no_queries_each(manager, store_a):
    _unionid_pairs(2, store_a, "oA")
    _company_phone_pairs(3, store_a, 1)
    few, merged_few = _queries(manager)
    _unionid_pairs(2, store_a, "oB")
    _company_phone_pairs(10, store_a, 2)
    many, merged_many = _queries(manager)

    assert (merged_few, merged_many) == (2, 2)
    assert MatchCandidate.objects.filter(status="open").count() == 13
    assert many == few


def test_each_merge_costs_what_a_manual_merge_costs(manager, store_a):
    """Merging stays per pair (each is its own undoable transaction), but the run adds nothing
    per candidate on top of ``merge_customers``' own queries."""
    _unionid_pairs(3, store_a, "oC")
    three, merged_three = _queries(manager)
    _unionid_pairs(10, store_a, "oD")
    ten, merged_ten = _queries(manager)
    _unionid_pairs(1, store_a, "oE")
    scan_duplicates()
    survivor, other = Customer.objects.filter(wechat_unionid="oE0").order_by("pk")
    with CaptureQueriesContext(connection) as captured:
        merge_customers(user=manager, survivor=survivor, other=other, field_choices={})
    per_merge = len(captured)

    assert (merged_three, merged_ten) == (3, 10)
    assert ten - three == 7 * per_merge


def test_a_chain_of_pairs_sees_the_earlier_merges_of_the_same_run(manager, store_a):
    first, second, third = (
        CustomerFactory(name="钱八", wechat_unionid="oChain", home_store=store_a) for _ in range(3)
    )
    scan_duplicates()

    records = auto_merge_deterministic(user=manager)

    assert [(r.survivor_id, r.merged_id) for r in records] == [
        (first.pk, second.pk),
        (first.pk, third.pk),
    ]
    assert MatchCandidate.objects.get(customer=second, other=third).status == "open"
    assert list(Customer.objects.filter(is_active=True, wechat_unionid="oChain")) == [first]
