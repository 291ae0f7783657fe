"""The review queue, the candidates of one customer and "not the same person": allowed for a
store manager in scope, 403 for a clerk, 404 (or hidden) for another store; dismissing hides the
pair; a merge closes its candidate and an undo reopens it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory
from toolcrm.core.roles import Role
from toolcrm.integrations.identity import scan_duplicates
from toolcrm.integrations.merge import merge_customers, undo_merge
from toolcrm.integrations.models import MatchCandidate

pytestmark = pytest.mark.django_db


@pytest.fixture
def family(store_a):  # type: ignore[no-untyped-def]
    father = CustomerFactory(name="王大明", phone="13811113333", home_store=store_a)
    son = CustomerFactory(name="王小明", phone="13811113333", home_store=store_a)
    scan_duplicates()
    return father, son


def test_queue_lists_open_candidates_with_evidence(client_for, manager, family):
    father, son = family

    response = client_for(manager).get(reverse("identity:candidate_queue"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "手机号相同但姓名不同（可能是家人共用）" in body
    assert reverse("identity:merge", args=[father.pk, son.pk]) in body
    assert "13811113333" not in body and "138****3333" in body


def test_queue_hides_pairs_outside_scope(client_for, make_user, family, store_south):
    south_manager = make_user(Role.STORE_MANAGER, username="manager_q", store=store_south)

    response = client_for(south_manager).get(reverse("identity:candidate_queue"))

    assert response.status_code == 200
    assert list(response.context["rows"]) == []


def test_queue_is_403_for_a_clerk(client_for, make_user):
    clerk = make_user(Role.CLERK, username="clerk_q")

    assert client_for(clerk).get(reverse("identity:candidate_queue")).status_code == 403


def test_dismiss_hides_the_pair_from_the_queue_and_the_customer_page(client_for, manager, family):
    father, son = family
    client = client_for(manager)

    response = client.post(
        reverse("identity:dismiss_candidate", args=[father.pk, son.pk]),
        {"next": reverse("identity:candidate_queue")},
    )

    assert response.status_code == 302
    assert response.url == reverse("identity:candidate_queue")
    candidate = MatchCandidate.objects.get()
    assert (candidate.status, candidate.reviewed_by) == ("dismissed", manager)
    assert list(client.get(reverse("identity:candidate_queue")).context["rows"]) == []
    page = client.get(reverse("identity:customer_candidates", args=[father.pk]))
    assert page.context["rows"] == []


def test_dismiss_is_denied_for_clerk_and_other_store(
    client_for, make_user, family, store_a, store_south
):
    father, son = family
    clerk = make_user(Role.CLERK, username="clerk_d")
    south_manager = make_user(Role.STORE_MANAGER, username="manager_d", store=store_south)
    url = reverse("identity:dismiss_candidate", args=[father.pk, son.pk])

    assert client_for(clerk).post(url).status_code == 403
    assert client_for(south_manager).post(url).status_code == 404
    assert MatchCandidate.objects.get().status == "open"


def test_customer_candidates_page(client_for, manager, make_user, family, store_south):
    father, son = family
    clerk = make_user(Role.CLERK, username="clerk_c")
    south_manager = make_user(Role.STORE_MANAGER, username="manager_c", store=store_south)
    url = reverse("identity:customer_candidates", args=[father.pk])

    response = client_for(manager).get(url)

    assert response.status_code == 200
    assert [match.other.pk for match, _texts in response.context["rows"]] == [son.pk]
    assert client_for(clerk).get(url).status_code == 403
    assert client_for(south_manager).get(url).status_code == 404


def test_360_page_links_to_duplicates_only_for_mergers(client_for, manager, make_user, family):
    father, _son = family
    clerk = make_user(Role.CLERK, username="clerk_l")
    link = reverse("identity:customer_candidates", args=[father.pk])

    assert link in client_for(manager).get(father.get_absolute_url()).content.decode()
    assert link not in client_for(clerk).get(father.get_absolute_url()).content.decode()


def test_merge_closes_the_candidate_and_undo_reopens_it(manager, family):
    father, son = family

    record = merge_customers(user=manager, survivor=son, other=father, field_choices={})
    assert MatchCandidate.objects.get().status == "merged"

    undo_merge(user=manager, merge=record)
    assert MatchCandidate.objects.get().status == "open"


def test_queue_query_count_does_not_grow_with_rows(
    client_for, manager, store_a, django_assert_max_num_queries
):
    for number in range(5):
        CustomerFactory(name=f"同号{number}a", phone=f"1381111500{number}", home_store=store_a)
        CustomerFactory(name=f"同号{number}b", phone=f"1381111500{number}", home_store=store_a)
    scan_duplicates()
    client = client_for(manager)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("identity:candidate_queue"))

    assert len(response.context["rows"]) == 5
