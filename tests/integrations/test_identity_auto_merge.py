"""Automatic merges: only pairs that deterministic keys alone support, into the older record,
filling its blanks; family phones and companies without the same credit code stay for review."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command

from tests.factories import CustomerFactory
from toolcrm.core.roles import Role
from toolcrm.customers.models import Customer
from toolcrm.integrations.identity import scan_duplicates
from toolcrm.integrations.merge import auto_merge_deterministic
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
