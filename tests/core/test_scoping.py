"""Store scoping: which stores each role sees (``store_ids_for``) and how a queryset is narrowed
(``restrict_to_stores``). A user without an assignment, or inactive, sees nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.factories import CustomerFactory, UserFactory
from toolcrm.core.roles import Role
from toolcrm.core.scoping import ALL_STORES, restrict_to_stores, store_ids_for
from toolcrm.customers.models import Customer


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CLERK, Role.STORE_MANAGER, Role.TECHNICIAN])
def test_store_roles_see_their_own_store(role, make_user, store_a, store_b) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role)

    assert store_ids_for(user) == frozenset({store_a.pk})


@pytest.mark.django_db
def test_regional_manager_sees_every_store_of_their_region(
    make_user, store_a, store_b, store_south
) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.REGIONAL_MANAGER)

    assert store_ids_for(user) == frozenset({store_a.pk, store_b.pk})


@pytest.mark.django_db
def test_regional_manager_store_ids_are_cached_on_the_user(
    make_user, store_a, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.REGIONAL_MANAGER)
    store_ids_for(user)

    with django_assert_num_queries(0):
        assert store_ids_for(user) == frozenset({store_a.pk})


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.HQ_MARKETING, Role.ADMIN])
def test_hq_and_admin_see_all_stores(role, make_user, store_a) -> None:  # type: ignore[no-untyped-def]
    assert store_ids_for(make_user(role)) is ALL_STORES


@pytest.mark.django_db
def test_regional_manager_without_region_sees_nothing(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.REGIONAL_MANAGER)
    user.region = None  # as if the assignment were missing (the database forbids saving it)

    assert store_ids_for(user) == frozenset()


@pytest.mark.django_db
def test_store_role_without_store_sees_nothing(make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.CLERK)
    user.store = None

    assert store_ids_for(user) == frozenset()


@pytest.mark.django_db
def test_b2b_manager_has_no_store_wide_access(make_user, store_a) -> None:  # type: ignore[no-untyped-def]
    user = make_user(Role.B2B_MANAGER, store=store_a)

    assert store_ids_for(user) == frozenset()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", [Role.CLERK, Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.HQ_MARKETING, Role.ADMIN]
)
def test_inactive_user_sees_nothing(role, make_user) -> None:  # type: ignore[no-untyped-def]
    user = make_user(role, is_active=False)

    assert store_ids_for(user) == frozenset()


def test_anonymous_user_sees_nothing() -> None:
    assert store_ids_for(AnonymousUser()) == frozenset()


@pytest.mark.django_db
def test_unknown_role_sees_nothing(store_a) -> None:  # type: ignore[no-untyped-def]
    user = UserFactory.build(role="intern", store=store_a)

    assert store_ids_for(user) == frozenset()


@pytest.mark.django_db
def test_restrict_to_stores_narrows_a_queryset_per_role(
    make_user, store_a, store_b, store_south
) -> None:  # type: ignore[no-untyped-def]
    in_a = CustomerFactory(home_store=store_a)
    in_b = CustomerFactory(home_store=store_b)
    in_south = CustomerFactory(home_store=store_south)
    customers = Customer.objects.all()

    def visible(user) -> set[int]:  # type: ignore[no-untyped-def]
        return set(
            restrict_to_stores(customers, user, store_field="home_store").values_list(
                "pk", flat=True
            )
        )

    assert visible(make_user(Role.CLERK)) == {in_a.pk}
    assert visible(make_user(Role.REGIONAL_MANAGER)) == {in_a.pk, in_b.pk}
    assert visible(make_user(Role.ADMIN)) == {in_a.pk, in_b.pk, in_south.pk}
    assert visible(make_user(Role.CLERK, is_active=False)) == set()
    assert visible(make_user(Role.B2B_MANAGER)) == set()
