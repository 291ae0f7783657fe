"""Per-category purchase cycles on a hand-built history: the median gap between purchase days,
counted at the category level below the root; overdue after cycle × tolerance; the
``overdue_category_cycles`` selector; idempotence; the refresh after a sale; the 360 card."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import (
    CategoryFactory,
    CustomerFactory,
    OrderFactory,
    OrderLineFactory,
    ProductFactory,
)
from toolcrm.customers.models import Customer
from toolcrm.insights import cycles, selectors, services
from toolcrm.insights.conf import thresholds
from toolcrm.insights.models import CategoryCycle

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
TODAY = date(2026, 6, 30)


@pytest.fixture
def tree(db):  # type: ignore[no-untyped-def]
    consumables = CategoryFactory(code="CS", name="耗材")
    bits = CategoryFactory(code="CS-BITS", name="钻头套装", parent=consumables)
    sds = CategoryFactory(code="CS-BITS-SDS", name="电锤钻头", parent=bits)  # third level
    blades = CategoryFactory(code="CS-BLADE", name="锯片", parent=consumables)
    drills = CategoryFactory(code="PT-DRILL", name="电钻", parent=CategoryFactory(code="PT"))
    return {
        "bits": ProductFactory(category=bits, is_power_tool=False),
        "sds": ProductFactory(category=sds, is_power_tool=False),
        "blade": ProductFactory(category=blades, is_power_tool=False),
        "drill": ProductFactory(category=drills),
        "categories": {"bits": bits, "sds": sds, "blades": blades, "drills": drills},
    }


def buy(customer, days_ago, *products, hour=12, status="completed"):  # type: ignore[no-untyped-def]
    order = OrderFactory(
        customer=customer,
        ordered_at=NOW.replace(hour=hour) - timedelta(days=days_ago),
        total=Decimal("100.00"),
        subtotal=Decimal("100.00"),
        status=status,
    )
    for product in products:
        OrderLineFactory(order=order, product=product)
    return order


@pytest.fixture
def history(store_a, tree):  # type: ignore[no-untyped-def]
    contractor = CustomerFactory(home_store=store_a, name="包工头")
    # bits (incl. the SDS bits, counted with them): days 100, 80, 62, 40 (and 40 again at 9:00)
    buy(contractor, 100, tree["bits"], tree["drill"])
    buy(contractor, 80, tree["sds"])
    buy(contractor, 62, tree["bits"], tree["blade"])
    buy(contractor, 40, tree["bits"], tree["blade"])
    buy(contractor, 40, tree["bits"], hour=9)  # same day: one purchase day
    buy(contractor, 10, tree["blade"], status="cancelled")  # not a purchase
    regular = CustomerFactory(home_store=store_a, name="老顾客")
    for days in (31, 20, 10):
        buy(regular, days, tree["blade"])
    return {"contractor": contractor, "regular": regular}


def cycles_by(customer):  # type: ignore[no-untyped-def]
    return {
        cycle.category.code: cycle for cycle in customer.category_cycles.select_related("category")
    }


@pytest.mark.django_db
def test_cycle_category_map_uses_the_level_below_the_root(tree):
    mapping = cycles.cycle_category_map()
    categories = tree["categories"]

    assert mapping[categories["sds"].pk] == categories["bits"].pk
    assert mapping[categories["bits"].pk] == categories["bits"].pk
    assert mapping[categories["bits"].parent_id] == categories["bits"].parent_id  # a root


@pytest.mark.django_db
def test_hand_checked_cycles_and_overdue(history):
    result = services.recompute_scores(now=NOW)

    contractor = cycles_by(history["contractor"])
    # bits: gaps 20, 18, 22 → median 20; last 40 days ago; due 20 days ago; 40 > 20 × 1.5
    bits = contractor["CS-BITS"]
    assert (bits.median_days, bits.orders) == (Decimal("20.0"), 4)
    assert bits.last_purchase_on == TODAY - timedelta(days=40)
    assert bits.next_due_on == TODAY - timedelta(days=20)
    assert bits.is_overdue is True
    # blades: only two purchase days (the cancelled order does not count); drill: one
    assert set(contractor) == {"CS-BITS"}
    regular = cycles_by(history["regular"])["CS-BLADE"]
    # gaps 11, 10 → median 10.5; 10 days since the last ≤ 10.5 × 1.5
    assert (regular.median_days, regular.is_overdue) == (Decimal("10.5"), False)
    assert regular.next_due_on == TODAY + timedelta(days=1)  # 10 days ago + ⌈10.5⌉
    assert (result.cycles, result.overdue_cycles) == (2, 1)


@pytest.mark.django_db
def test_tolerance_and_minimum_are_settings(history, settings):
    settings.INSIGHTS_CYCLE_TOLERANCE = 2.5  # 40 days ≤ 20 × 2.5: not overdue any more
    settings.INSIGHTS_CYCLE_MIN_PURCHASE_DAYS = 2

    services.recompute_scores(now=NOW)

    contractor = cycles_by(history["contractor"])
    assert contractor["CS-BITS"].is_overdue is False
    assert contractor["CS-BLADE"].median_days == Decimal("22.0")  # two days 62 and 40 ago


@pytest.mark.django_db
def test_recompute_is_idempotent_and_drops_stale_cycles(history):
    services.recompute_scores(now=NOW)
    first = {row.pk: row.computed_at for row in CategoryCycle.objects.all()}

    again = cycles.write_cycles(
        None, now=NOW + timedelta(hours=1), today=TODAY, limits=thresholds()
    )

    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    assert {row.pk: row.computed_at for row in CategoryCycle.objects.all()} == first
    # the regular's blades fall below three purchase days once one order is cancelled
    history["regular"].orders.filter(ordered_at__lt=NOW - timedelta(days=25)).update(
        status="cancelled"
    )
    services.refresh_customer(customer_id=history["regular"].pk, now=NOW)
    assert not CategoryCycle.objects.filter(customer=history["regular"]).exists()
    assert CategoryCycle.objects.filter(customer=history["contractor"]).count() == 1


@pytest.mark.django_db
def test_a_sale_refreshes_the_cycle(history, tree):
    services.recompute_scores(now=NOW)
    buy(history["contractor"], 0, tree["bits"])

    services.refresh_customer(customer_id=history["contractor"].pk, now=NOW)

    bits = cycles_by(history["contractor"])["CS-BITS"]
    # gaps 20, 18, 22, 40 → median 21
    assert (bits.orders, bits.median_days, bits.is_overdue) == (5, Decimal("21.0"), False)


@pytest.mark.django_db
def test_overdue_selector_filters(history, tree, store_b):
    services.recompute_scores(now=NOW)
    bits = tree["categories"]["bits"]

    everyone = selectors.overdue_category_cycles()
    assert [(c.customer.name, c.category.name) for c in everyone] == [("包工头", "钻头套装")]
    assert selectors.overdue_category_cycles(category_ids=[bits.pk]).count() == 1
    assert selectors.overdue_category_cycles(category_ids=[bits.pk + 999]).count() == 0
    due = TODAY - timedelta(days=20)
    assert selectors.overdue_category_cycles(overdue_since=due).count() == 1
    assert selectors.overdue_category_cycles(overdue_since=due - timedelta(days=1)).count() == 0
    elsewhere = Customer.objects.filter(home_store=store_b)
    assert selectors.overdue_category_cycles(customers=elsewhere).count() == 0


@pytest.mark.django_db
def test_card_lists_overdue_categories(history, clerk, client_for):
    services.recompute_scores(now=NOW)
    client = client_for(clerk)

    contractor = client.get(reverse("workspace:customer_360", args=[history["contractor"].pk]))
    regular = client.get(reverse("workspace:customer_360", args=[history["regular"].pk]))

    assert 'data-testid="overdue-categories"' in contractor.content.decode()
    assert "钻头套装 · 约 20.0 天一次" in contractor.content.decode()
    assert 'data-testid="overdue-categories"' not in regular.content.decode()


@pytest.mark.django_db
def test_python_and_pandas_paths_agree(history):
    triples = cycles.category_days(None)
    level = cycles.cycle_category_map()
    for minimum in (2, 3, 4):
        assert cycles._stats_python(triples, level, minimum) == cycles._stats_pandas(
            triples, level, minimum
        )
