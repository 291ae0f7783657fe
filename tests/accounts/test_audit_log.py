"""The audit-log page: admins only, newest first, filters by action and object type, shows actor,
object, changes and the reason of PII reveals, paginates, and its query count does not grow with
the number of rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.context import set_actor
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import CustomerFactory
from toolcrm.accounts.views import AUDIT_PAGE_SIZE
from toolcrm.core.roles import Role
from toolcrm.customers import services
from toolcrm.customers.models import Customer

URL = "/accounts/audit-log/"


def _rows(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [row.entry.object_repr for row in response.context["rows"]]


@pytest.fixture
def history(store_a, clerk, manager, admin_user):  # type: ignore[no-untyped-def]
    """A customer created by the clerk, renamed by the manager, revealed with a reason, and a
    staff role change by the admin."""
    with set_actor(clerk):
        customer = services.create_customer(
            user=clerk,
            data={"kind": "person", "name": "赵六", "phone": "13812345678", "home_store": store_a},
        )
    with set_actor(manager):
        services.update_customer(user=manager, customer=customer, data={"name": "赵六一"})
        services.reveal_pii(user=manager, customer=customer, field="phone", reason="核对保修登记")
    with set_actor(admin_user):
        clerk.role = Role.STORE_MANAGER
        clerk.save()
    return customer


@pytest.mark.django_db
def test_admin_sees_actor_time_object_changes_and_reveal_reason(
    history, admin_user, client_for
) -> None:  # type: ignore[no-untyped-def]
    response = client_for(admin_user).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="audit-entries"' in html
    assert "核对保修登记" in html  # the reason of the reveal
    assert "赵六一" in html
    assert "店长" in html  # the role change, shown with its label
    assert "13812345678" not in html
    rows = response.context["rows"]
    actions = [row.action for row in rows]
    assert actions[:3] == ["update", "access", "update"]  # newest first: role change, reveal, …
    access = next(row for row in rows if row.action == "access")
    assert access.reason == "核对保修登记"
    assert access.accessed_field == "手机号"
    assert access.entry.actor.username == "manager_a"
    rename = next(
        row for row in rows if row.action == "update" and row.entry.object_repr == "赵六一"
    )
    assert [(c.label, c.old, c.new) for c in rename.changes] == [
        ("姓名/企业名称", "赵六", "赵六一")
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role",
    [
        Role.CLERK,
        Role.STORE_MANAGER,
        Role.REGIONAL_MANAGER,
        Role.HQ_MARKETING,
        Role.TECHNICIAN,
        Role.B2B_MANAGER,
    ],
)
def test_other_roles_are_refused(history, make_user, client_for, role) -> None:  # type: ignore[no-untyped-def]
    response = client_for(make_user(role)).get(URL)

    assert response.status_code == 403
    assert "核对保修登记" not in response.content.decode()


@pytest.mark.django_db
def test_anonymous_user_is_sent_to_login() -> None:
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


@pytest.mark.django_db
def test_nav_shows_the_audit_log_to_admins_only(admin_user, clerk, client_for) -> None:  # type: ignore[no-untyped-def]
    assert f'href="{URL}"' in client_for(admin_user).get("/").content.decode()
    assert f'href="{URL}"' not in client_for(clerk).get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=access", {"access"}),
        ("action=create", {"create"}),
        ("action=update", {"update"}),
        ("action=delete", set()),
    ],
)
def test_filter_by_action(history, admin_user, client_for, query, expected) -> None:  # type: ignore[no-untyped-def]
    response = client_for(admin_user).get(f"{URL}?{query}")

    assert {row.action for row in response.context["rows"]} == expected


@pytest.mark.django_db
def test_filter_by_object_type(history, admin_user, client_for) -> None:  # type: ignore[no-untyped-def]
    client = client_for(admin_user)

    users = client.get(f"{URL}?object_type=accounts.user").context["rows"]
    customers = client.get(f"{URL}?object_type=customers.customer&action=update").context["rows"]

    assert {row.entry.content_type.model for row in users} == {"user"}
    assert [row.entry.object_repr for row in customers] == ["赵六一"]


@pytest.mark.django_db
def test_object_type_choices_are_the_audited_models(admin_user, client_for) -> None:  # type: ignore[no-untyped-def]
    form = client_for(admin_user).get(URL).context["form"]

    values = [value for value, _label in form.fields["object_type"].choices]
    assert {"accounts.user", "customers.customer", "customers.consent"} <= set(values)


@pytest.mark.django_db
def test_unknown_filter_values_are_ignored(history, admin_user, client_for) -> None:  # type: ignore[no-untyped-def]
    response = client_for(admin_user).get(f"{URL}?action=hack&object_type=auth.nope")

    assert response.status_code == 200
    assert len(response.context["rows"]) == LogEntry.objects.count()


def _make_entries(count: int, actor) -> None:  # type: ignore[no-untyped-def]
    content_type = ContentType.objects.get_for_model(Customer)
    now = timezone.now()
    LogEntry.objects.bulk_create(
        LogEntry(
            content_type=content_type,
            object_pk=str(n),
            object_id=n,
            object_repr=f"客户{n:03d}",
            action=LogEntry.Action.ACCESS if n % 2 else LogEntry.Action.UPDATE,
            changes={"name": [f"旧{n}", f"新{n}"]} if n % 2 == 0 else {},
            additional_data={"event": "reveal_pii", "field": "phone", "reason": f"原因{n}"}
            if n % 2
            else None,
            actor=actor,
            timestamp=now - timedelta(minutes=count - n),
        )
        for n in range(count)
    )


@pytest.mark.django_db
def test_pages_of_fifty_newest_first_keeping_the_filter(admin_user, client_for) -> None:  # type: ignore[no-untyped-def]
    _make_entries(AUDIT_PAGE_SIZE * 2 + 10, admin_user)
    client = client_for(admin_user)

    customers = f"{URL}?object_type=customers.customer"
    first = client.get(customers)
    last = client.get(f"{customers}&page=3")
    filtered = client.get(f"{customers}&action=access&page=2")

    assert len(first.context["rows"]) == AUDIT_PAGE_SIZE
    assert first.context["page_obj"].paginator.count == AUDIT_PAGE_SIZE * 2 + 10
    assert _rows(first)[:2] == ["客户109", "客户108"]
    assert _rows(last) == [f"客户{n:03d}" for n in range(9, -1, -1)]
    assert {row.action for row in filtered.context["rows"]} == {"access"}
    assert len(filtered.context["rows"]) == 5  # 55 reveals: page 2 holds the last 5
    html = filtered.content.decode()
    assert "?action=access&amp;object_type=customers.customer&page=1" in html


@pytest.mark.django_db
def test_query_count_is_pinned_and_independent_of_the_rows(admin_user, store_a, make_user) -> None:  # type: ignore[no-untyped-def]
    actors = [make_user(Role.STORE_MANAGER, username=f"m{n}", store=store_a) for n in range(5)]
    client = Client()
    client.force_login(admin_user)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    _make_entries(3, actors[0])
    few = queries()
    for actor in actors:
        _make_entries(12, actor)
    many = queries()

    # session, user, count, page of entries (actor + content type joined) — nothing per row.
    assert few == many == 4


@pytest.mark.django_db
def test_customer_created_through_factories_without_actor_shows_system(
    admin_user, client_for
) -> None:  # type: ignore[no-untyped-def]
    CustomerFactory(name="导入客户")

    html = client_for(admin_user).get(f"{URL}?object_type=customers.customer").content.decode()

    assert "导入客户" in html
    assert "系统" in html
