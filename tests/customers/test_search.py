"""Customer search: every written form of a phone, member cards, name prefixes, and scoping."""

from __future__ import annotations

import pytest

from tests.factories import CustomerFactory, UserFactory
from toolcrm.core.roles import Role
from toolcrm.customers.selectors import search_customers

PHONE_FORMS = [
    "13812345678",
    "+8613812345678",
    "+86 138 1234 5678",
    "+86-138-1234-5678",
    "0086 138 1234 5678",
    "008613812345678",
    "138-1234-5678",
    "138 1234 5678",
    "(+86) 138 1234 5678",
    "１３８１２３４５６７８",
    "＋８６ １３８－１２３４－５６７８",
    " 13812345678 ",
]


@pytest.mark.django_db
@pytest.mark.parametrize("written", PHONE_FORMS)
def test_phone_in_every_written_form_finds_the_customer(written, store_a, clerk):
    customer = CustomerFactory(name="王建国", phone="+8613812345678", home_store=store_a)
    CustomerFactory(home_store=store_a)  # another customer who must not match

    result = search_customers(user=clerk, query=written)

    assert result.kind == "phone"
    assert [c.pk for c in result.customers] == [customer.pk]


@pytest.mark.django_db
def test_secondary_phone_also_matches(store_a, clerk):
    customer = CustomerFactory(
        phone="+8613900001111", phone_secondary="+8613700002222", home_store=store_a
    )

    result = search_customers(user=clerk, query="137 0000 2222")

    assert [c.pk for c in result.customers] == [customer.pk]


@pytest.mark.django_db
def test_member_card_search_is_case_insensitive(store_a, clerk):
    customer = CustomerFactory(member_card_no="M000123456", home_store=store_a)

    result = search_customers(user=clerk, query="m000123456")

    assert result.kind == "member_card"
    assert [c.pk for c in result.customers] == [customer.pk]


@pytest.mark.django_db
def test_name_prefix_matches_people_and_companies(store_a, clerk):
    wang = CustomerFactory(name="王建国", home_store=store_a)
    company = CustomerFactory(name="王氏装饰工程有限公司", kind="company", home_store=store_a)
    CustomerFactory(name="李王", home_store=store_a)  # contains but does not start with 王

    result = search_customers(user=clerk, query="王")

    assert result.kind == "name"
    assert {c.pk for c in result.customers} == {wang.pk, company.pk}


@pytest.mark.django_db
def test_search_limits_results_and_says_there_are_more(store_a, clerk):
    CustomerFactory.create_batch(22, name="张三", home_store=store_a)

    result = search_customers(user=clerk, query="张")

    assert len(result.customers) == 20
    assert result.has_more is True


@pytest.mark.django_db
def test_clerk_never_finds_another_stores_customer(store_a, store_b, clerk):
    CustomerFactory(
        name="赵六", phone="+8613811112222", home_store=store_b, member_card_no="M000999999"
    )

    assert search_customers(user=clerk, query="13811112222").customers == []
    assert search_customers(user=clerk, query="M000999999").customers == []
    assert search_customers(user=clerk, query="赵").customers == []


@pytest.mark.django_db
def test_regional_manager_sees_own_region_only(store_a, store_b, store_south, make_user):
    manager = make_user(Role.REGIONAL_MANAGER)
    a = CustomerFactory(name="钱一", home_store=store_a)
    b = CustomerFactory(name="钱二", home_store=store_b)
    CustomerFactory(name="钱三", home_store=store_south)

    result = search_customers(user=manager, query="钱")

    assert {c.pk for c in result.customers} == {a.pk, b.pk}


@pytest.mark.django_db
def test_b2b_manager_sees_only_managed_accounts(store_a):
    b2b = UserFactory(role=Role.B2B_MANAGER)
    mine = CustomerFactory(name="孙氏建筑", kind="company", home_store=store_a, account_manager=b2b)
    CustomerFactory(name="孙二", home_store=store_a)

    result = search_customers(user=b2b, query="孙")

    assert [c.pk for c in result.customers] == [mine.pk]


@pytest.mark.django_db
def test_empty_and_garbage_queries_return_nothing(store_a, clerk):
    CustomerFactory(home_store=store_a)

    assert search_customers(user=clerk, query="   ").kind == "empty"
    assert search_customers(user=clerk, query="%_'\"; DROP").customers == []
