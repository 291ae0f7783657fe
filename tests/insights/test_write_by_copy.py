"""PostgreSQL writes large score sets through COPY (``services._write_by_copy``): the rows, the
created/updated/unchanged counts and the new VIPs must be exactly those of the ORM write."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection

from tests.insights.test_services import NOW, buy, chain  # noqa: F401 (fixture)
from toolcrm.core.models import Notification
from toolcrm.core.roles import Role
from toolcrm.insights import services
from toolcrm.insights.models import CustomerScore

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite always takes the ORM write")


def snapshot() -> dict[int, tuple[Any, ...]]:
    return {
        row.customer_id: tuple(getattr(row, name) for name in services.SCORE_FIELDS)
        for row in CustomerScore.objects.all()
    }


def test_copy_write_gives_the_rows_and_counts_of_the_orm_write(chain, monkeypatch):  # noqa: F811
    monkeypatch.setattr(services, "COPY_WRITE_MIN", 10**9)
    orm = services.recompute_scores(now=NOW)
    by_orm = snapshot()
    CustomerScore.objects.all().delete()

    monkeypatch.setattr(services, "COPY_WRITE_MIN", 0)
    first = services.recompute_scores(now=NOW)
    assert snapshot() == by_orm
    assert (first.created, first.updated, first.unchanged) == (orm.created, 0, 0)

    again = services.recompute_scores(now=NOW)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(by_orm))

    buy(chain["B"], 2, "50.00")
    changed = services.recompute_scores(now=NOW)
    assert changed.updated >= 1 and changed.created == 0
    assert snapshot()[chain["B"].pk] != by_orm[chain["B"].pk]


def test_copy_write_finds_new_vips_once(chain, settings, make_user, monkeypatch):  # noqa: F811
    monkeypatch.setattr(services, "COPY_WRITE_MIN", 0)
    settings.INSIGHTS_VIP_THRESHOLD = "1000"
    chain["B"].account_manager = make_user(Role.B2B_MANAGER, username="b2b_copy")
    chain["B"].save()
    services.recompute_scores(now=NOW)
    vips = set(CustomerScore.objects.filter(is_vip=True).values_list("customer_id", flat=True))
    assert chain["B"].pk in vips
    assert Notification.objects.filter(recipient__username="b2b_copy").count() == 1

    services.recompute_scores(now=NOW + timedelta(hours=1))
    assert Notification.objects.filter(recipient__username="b2b_copy").count() == 1
