"""Finding duplicate customers: deterministic keys, family phones, transposed digits, company
suffix variants, the set-based scan and its idempotence."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command

from tests.factories import CustomerFactory
from toolcrm.customers.models import Customer
from toolcrm.integrations.identity import (
    company_core_name,
    evidence_text,
    find_candidates,
    scan_duplicates,
    transposed_phones,
)
from toolcrm.integrations.models import MatchCandidate, MergeRecord
from toolcrm.integrations.tasks import find_duplicates

pytestmark = pytest.mark.django_db


def _texts(match):  # type: ignore[no-untyped-def]
    return [evidence_text(item) for item in match.evidence]


def test_same_phone_and_name_is_deterministic(store_a):
    first = CustomerFactory(name="赵六", phone="13811112222", home_store=store_a)
    second = CustomerFactory(name="赵六", phone="+86 138-1111-2222", home_store=store_a)

    [match] = find_candidates(customer=first)

    assert match.other == second
    assert match.kind == "deterministic"
    assert _texts(match) == ["手机号相同"]


def test_family_phone_is_a_probable_candidate_not_a_merge(store_a):
    father = CustomerFactory(
        name="王大明", phone="13811113333", birthday=date(1960, 1, 1), home_store=store_a
    )
    son = CustomerFactory(
        name="王小明", phone="13811113333", birthday=date(1990, 1, 1), home_store=store_a
    )

    [match] = find_candidates(customer=father)
    scan_duplicates()

    assert match.other == son and match.kind == "probable"
    assert _texts(match) == ["手机号相同但姓名不同（可能是家人共用）"]
    candidate = MatchCandidate.objects.get()
    assert (candidate.kind, candidate.status) == ("probable", "open")
    assert MergeRecord.objects.count() == 0
    assert Customer.objects.filter(is_active=True).count() == 2


def test_transposed_phone_digits_are_found_through_the_blind_index(store_a):
    customer = CustomerFactory(name="孙七", phone="13812345678", home_store=store_a)
    typo = CustomerFactory(name="孙七", phone="13812345687", home_store=store_a)
    CustomerFactory(name="周八", phone="13812345699", home_store=store_a)

    [match] = find_candidates(customer=customer)

    assert match.other == typo
    assert _texts(match) == ["手机号相邻两位颠倒"]
    assert "+8613812345687" in transposed_phones("+8613812345678")


@pytest.mark.parametrize(
    ("name", "core", "suffix"),
    [
        ("沪建装饰有限公司", "沪建装饰", "有限公司"),
        ("沪建装饰 有限责任公司", "沪建装饰", "有限责任公司"),
        ("沪建装饰（集团）股份有限公司", "沪建装饰", "(集团)股份有限公司"),
        ("沪建装饰", "沪建装饰", ""),
    ],
)
def test_company_core_name(name, core, suffix):
    assert company_core_name(name) == (core, suffix)


def test_company_suffix_variant_is_found(store_a):
    company = CustomerFactory(kind="company", name="沪建装饰有限公司", home_store=store_a)
    variant = CustomerFactory(kind="company", name="沪建装饰有限责任公司", home_store=store_a)
    CustomerFactory(kind="company", name="沪建电器有限公司", home_store=store_a)

    [match] = find_candidates(customer=company)

    assert match.other == variant and match.kind == "probable"
    assert _texts(match) == ["公司名称仅后缀不同（有限公司/有限责任公司）"]


def test_companies_with_different_credit_codes_are_not_suffix_candidates(store_a):
    company = CustomerFactory(
        kind="company",
        name="沪建装饰有限公司",
        credit_code="91310000MA1FL0001A",
        home_store=store_a,
    )
    CustomerFactory(
        kind="company",
        name="沪建装饰有限责任公司",
        credit_code="91310000MA1FL0002B",
        home_store=store_a,
    )

    assert find_candidates(customer=company) == []


def test_same_name_same_district_and_deterministic_keys(store_a):
    customer = CustomerFactory(
        name="钱九",
        province="上海市",
        city="上海市",
        district="浦东新区",
        email="Qian@Example.com",
        home_store=store_a,
    )
    same_place = CustomerFactory(
        name="钱九", province="上海市", city="上海市", district="浦东新区", home_store=store_a
    )
    same_mail = CustomerFactory(name="钱久", email="qian@example.com", home_store=store_a)

    matches = {m.other.pk: _texts(m) for m in find_candidates(customer=customer)}

    assert matches == {
        same_place.pk: ["同名且同区（上海市浦东新区）"],
        same_mail.pk: ["邮箱相同"],
    }


def test_scan_is_set_based_idempotent_and_keeps_dismissed_pairs(store_a):
    first = CustomerFactory(name="吴十", wechat_unionid="oU1", home_store=store_a)
    second = CustomerFactory(name="吴拾", wechat_unionid="oU1", home_store=store_a)
    CustomerFactory(
        kind="company", name="甬建五金有限公司", credit_code="913300001", home_store=store_a
    )
    CustomerFactory(
        kind="company", name="甬建五金股份有限公司", credit_code="913300001", home_store=store_a
    )

    assert scan_duplicates() == 2
    assert scan_duplicates() == 0
    pair = MatchCandidate.objects.get(customer=first)
    assert (pair.other_id, pair.kind, pair.score) == (second.pk, "deterministic", 100)
    pair.status = "dismissed"
    pair.save()
    find_duplicates.enqueue()
    call_command("find_duplicates", stdout=None)
    pair.refresh_from_db()
    assert pair.status == "dismissed"
    assert MatchCandidate.objects.count() == 2


def test_scan_for_given_customers_includes_transpositions(store_a):
    customer = CustomerFactory(phone="13812345678", home_store=store_a)
    typo = CustomerFactory(phone="13812345687", home_store=store_a)

    assert scan_duplicates(customer_ids=[customer.pk]) == 1

    candidate = MatchCandidate.objects.get()
    assert (candidate.customer_id, candidate.other_id) == (customer.pk, typo.pk)
    assert candidate.evidence == [{"code": "phone_transposed", "detail": ""}]
