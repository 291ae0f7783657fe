"""VIP: rolling 12-month net spend at or above ``INSIGHTS_VIP_THRESHOLD`` sets the flag; becoming
VIP notifies the account manager (or, without one, the home store's managers) exactly once;
losing the flag notifies nobody; passing the threshold again later is a new transition."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory, OrderFactory
from toolcrm.core.models import Notification
from toolcrm.core.roles import Role
from toolcrm.insights import services
from toolcrm.insights.models import CustomerScore
from toolcrm.insights.tasks import refresh_customers

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def threshold(settings):  # type: ignore[no-untyped-def]
    settings.INSIGHTS_VIP_THRESHOLD = "10000"


def buy(customer, days_ago, total):  # type: ignore[no-untyped-def]
    return OrderFactory(
        customer=customer,
        ordered_at=NOW - timedelta(days=days_ago),
        total=Decimal(total),
        subtotal=Decimal(total),
    )


@pytest.mark.django_db
def test_rolling_spend_sets_the_flag(store_a):
    big = CustomerFactory(home_store=store_a)
    buy(big, 400, "50000.00")  # outside the 12 months
    buy(big, 200, "6000.00")
    buy(big, 10, "4000.00")
    small = CustomerFactory(home_store=store_a)
    buy(small, 400, "50000.00")
    buy(small, 10, "9999.99")

    services.recompute_scores(now=NOW)

    assert CustomerScore.objects.get(customer=big).rolling_spend_12m == Decimal("10000.00")
    assert CustomerScore.objects.get(customer=big).is_vip is True
    assert CustomerScore.objects.get(customer=small).is_vip is False


@pytest.mark.django_db
def test_becoming_vip_notifies_the_account_manager_once(store_a, make_user):
    account_manager = make_user(Role.B2B_MANAGER, username="b2b")
    store_manager = make_user(Role.STORE_MANAGER, username="sm")
    customer = CustomerFactory(home_store=store_a, account_manager=account_manager, name="大华建筑")
    buy(customer, 30, "8000.00")
    services.recompute_scores(now=NOW)
    assert Notification.objects.count() == 0

    buy(customer, 1, "3000.00")
    result = services.refresh_customer(customer_id=customer.pk, now=NOW)
    services.refresh_customer(customer_id=customer.pk, now=NOW)  # a rerun
    services.recompute_scores(now=NOW + timedelta(hours=1))  # the nightly run

    assert result is not None and result.is_vip
    note = Notification.objects.get()
    assert note.recipient == account_manager and store_manager.notifications.count() == 0
    assert "大华建筑" in note.title and "11,000.00" in note.body
    assert note.url == reverse("workspace:customer_360", args=[customer.pk])


@pytest.mark.django_db
def test_without_account_manager_the_home_store_managers_are_told(store_a, store_b, make_user):
    first = make_user(Role.STORE_MANAGER, username="sm1")
    second = make_user(Role.STORE_MANAGER, username="sm2")
    make_user(Role.STORE_MANAGER, username="sm_b", store=store_b)
    make_user(Role.STORE_MANAGER, username="sm_gone", is_active=False)
    make_user(Role.CLERK, username="clerk1")
    customer = CustomerFactory(home_store=store_a)
    buy(customer, 5, "12000.00")

    refresh_customers.enqueue([customer.pk])  # the batch task (immediate backend in tests)

    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        "sm1",
        "sm2",
    }
    assert first.notifications.count() == second.notifications.count() == 1


@pytest.mark.django_db
def test_losing_and_regaining_vip(store_a, make_user):
    account_manager = make_user(Role.B2B_MANAGER, username="b2b")
    customer = CustomerFactory(home_store=store_a, account_manager=account_manager)
    order = buy(customer, 5, "12000.00")
    services.recompute_scores(now=NOW)
    assert Notification.objects.count() == 1

    order.status = "cancelled"
    order.save()
    buy(customer, 3, "100.00")
    services.refresh_customer(customer_id=customer.pk, now=NOW)
    assert CustomerScore.objects.get(customer=customer).is_vip is False
    assert Notification.objects.count() == 1  # losing the flag tells nobody

    later = NOW + timedelta(days=20)
    buy(customer, -20, "15000.00")
    services.refresh_customer(customer_id=customer.pk, now=later)
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_card_shows_the_vip_badge(store_a, clerk, client_for):
    customer = CustomerFactory(home_store=store_a)
    buy(customer, 5, "12000.00")
    services.recompute_scores(now=NOW)

    body = client_for(clerk).get(reverse("workspace:customer_360", args=[customer.pk]))

    assert 'data-testid="vip-badge"' in body.content.decode()
