"""The 洞察 card on the customer 360 page: empty before the nightly run, then stage, RFM,
purchase cycle, CLV and computation time; one query whatever the customer's history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from tests.factories import CustomerFactory, OrderFactory
from toolcrm.insights import services
from toolcrm.insights.models import CustomerScore


@pytest.mark.django_db
def test_card_says_scores_are_computed_nightly_before_the_first_run(store_a, clerk, client_for):
    customer = CustomerFactory(home_store=store_a)

    body = client_for(clerk).get(reverse("workspace:customer_360", args=[customer.pk])).content

    text = body.decode()
    assert 'data-testid="insight-card"' in text
    assert "每晚计算" in text
    assert 'data-testid="lifecycle-stage"' not in text


@pytest.mark.django_db
def test_card_shows_stage_rfm_cycle_and_clv(store_a, clerk, client_for):
    customer = CustomerFactory(home_store=store_a)
    now = timezone.now()
    for days in (400, 5):
        OrderFactory(customer=customer, ordered_at=now - timedelta(days=days))
    services.recompute_scores(now=now)
    CustomerScore.objects.filter(customer=customer).update(
        clv_12m=Decimal("12345.60"), predicted_purchases_12m=Decimal("2.50")
    )

    text = client_for(clerk).get(reverse("workspace:customer_360", args=[customer.pk])).content
    body = text.decode()

    assert "已召回" in body  # won back: bought again after 395 days
    assert "R1 F1 M1" in body and "一般挽留客户" in body
    assert "约 395.0 天" in body
    assert "¥12,345.60" in body and "约 2.50 次购买" in body
    assert timezone.localtime(now).strftime("%Y-%m-%d %H:%M") in body


@pytest.mark.django_db
def test_card_in_english(store_a, clerk, client_for):
    customer = CustomerFactory(home_store=store_a)
    OrderFactory(customer=customer, ordered_at=timezone.now() - timedelta(days=100))
    services.recompute_scores()
    client = client_for(clerk)
    client.cookies["django_language"] = "en"

    with override("en"):
        body = client.get(reverse("workspace:customer_360", args=[customer.pk])).content.decode()

    assert "Insights" in body and "At risk" in body


@pytest.mark.django_db
def test_card_shows_churn_probability_and_reasons_in_words(store_a, clerk, client_for):
    customer = CustomerFactory(home_store=store_a)
    OrderFactory(customer=customer, ordered_at=timezone.now() - timedelta(days=120))
    services.recompute_scores()
    assert (
        'data-testid="churn-probability"'
        not in client_for(clerk)
        .get(reverse("workspace:customer_360", args=[customer.pk]))
        .content.decode()
    )  # no model yet: the card says so
    CustomerScore.objects.filter(customer=customer).update(
        churn_probability=0.734,
        churn_reasons=[
            {"key": "recency_days:high", "params": {"days": 120}},
            {"key": "spend_trend_90:low", "params": {"percent": 60}},
            {"key": "no-such-reason", "params": {}},
        ],
    )

    body = client_for(clerk).get(reverse("workspace:customer_360", args=[customer.pk]))
    text = body.content.decode()

    assert 'data-testid="churn-probability">73%<' in text
    assert "<li>已 120 天未购买</li>" in text
    assert "<li>近 90 天消费较前 90 天下降 60%</li>" in text
    assert text.count("<li>", text.index('data-testid="churn-reasons"')) >= 2


def test_probability_is_never_shown_as_certain():
    from toolcrm.insights.templatetags.insights_tags import percent

    assert [percent(v) for v in (0.999, 0.001, 0.734, None)] == [">99%", "<1%", "73%", ""]
