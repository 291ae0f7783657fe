"""In-app notifications (core): ``notify`` is idempotent per key; the list shows only the user's
own, marks read on open and follows only local links; the bell fragment counts unread; another
user's notification is a 404; anonymous users go to the login page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from toolcrm.core.models import Notification
from toolcrm.core.notifications import mark_read, notify, unread_count
from toolcrm.core.roles import Role


@pytest.fixture
def users(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.STORE_MANAGER, username="me"), make_user(Role.CLERK, username="other")


@pytest.mark.django_db
def test_notify_with_a_key_is_idempotent(users):
    me, other = users

    assert notify(recipient_ids=[me.pk, other.pk], title="t", key="k1") == 2
    assert notify(recipient_ids=[me.pk, other.pk, me.pk], title="t", key="k1") == 0
    assert notify(recipient_ids=[me.pk], title="t") == 1
    assert notify(recipient_ids=[me.pk], title="t") == 1  # no key: every send counts
    assert notify(recipient_ids=[], title="t") == 0
    assert unread_count(me) == 3
    assert mark_read(user=me) == 3 and unread_count(me) == 0


@pytest.mark.django_db
def test_list_shows_own_notifications_only(users, client_for, django_assert_max_num_queries):
    me, other = users
    for number in range(12):
        notify(recipient_ids=[me.pk], title=f"我的通知{number}", url="/customers/")
    notify(recipient_ids=[other.pk], title="别人的通知")
    client = client_for(me)

    with django_assert_max_num_queries(8):
        body = client.get(reverse("notifications:list")).content.decode()

    assert body.count('data-testid="notification"') == 12
    assert "我的通知11" in body and "别人的通知" not in body
    assert 'data-testid="unread-count">12<' in body


@pytest.mark.django_db
def test_open_marks_read_and_follows_local_links_only(users, client_for):
    me, _ = users
    notify(recipient_ids=[me.pk], title="本地", url="/customers/")
    notify(recipient_ids=[me.pk], title="外部", url="https://evil.example/")
    local, external = Notification.objects.order_by("pk")
    client = client_for(me)

    response = client.post(reverse("notifications:open", args=[local.pk]))
    assert response.status_code == 302 and response["Location"] == "/customers/"
    local.refresh_from_db()
    assert local.read_at is not None

    response = client.post(reverse("notifications:open", args=[external.pk]))
    assert response["Location"] == reverse("notifications:list")
    assert client.get(reverse("notifications:open", args=[local.pk])).status_code == 405


@pytest.mark.django_db
def test_another_users_notification_is_404_and_stays_unread(users, client_for):
    me, other = users
    notify(recipient_ids=[other.pk], title="别人的通知")
    theirs = Notification.objects.get()

    response = client_for(me).post(reverse("notifications:open", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_read_all_and_bell(users, client_for):
    me, other = users
    notify(recipient_ids=[me.pk, other.pk], title="a")
    notify(recipient_ids=[me.pk], title="b")
    client = client_for(me)

    bell = client.get(reverse("notifications:bell")).content.decode()
    assert 'data-testid="notification-count">2<' in bell

    client.post(reverse("notifications:read_all"))

    assert unread_count(me) == 0 and unread_count(other) == 1
    assert (
        'data-testid="notification-count"'
        not in client.get(reverse("notifications:bell")).content.decode()
    )


@pytest.mark.django_db
def test_pages_need_a_login(client):  # type: ignore[no-untyped-def]
    for name in ("notifications:list", "notifications:bell"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert client.post(reverse("notifications:read_all")).status_code == 302


@pytest.mark.django_db
def test_navbar_has_the_bell_slot_without_an_extra_query(users, client_for):
    me, _ = users
    body = client_for(me).get(reverse("notifications:list")).content.decode()
    assert 'data-testid="notification-bell-slot"' in body
    assert f'data-url="{reverse("notifications:bell")}"' in body
    assert "core/notification-bell.js" in body
