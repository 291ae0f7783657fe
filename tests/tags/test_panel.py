"""The 360 page's tag panel: the customer's tags grouped by kind, each with its reason, in the
reader's language; one query; another store's customer stays a 404."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import CustomerFactory
from tests.tags.conftest import PRICE_SENSITIVE
from toolcrm.core.roles import Role
from toolcrm.tags import services
from toolcrm.tags.models import CustomerTag
from toolcrm.tags.selectors import customer_tags


@pytest.fixture
def tagged_customer(store_a, make_user):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(name="标签客户", home_store=store_a)
    rule = services.save_rule_tag(
        user=make_user(Role.ADMIN, username="panel_admin"),
        name="价格敏感型",
        description="",
        definition=PRICE_SENSITIVE,
    )
    system = services.ensure_system_tags()
    CustomerTag.objects.create(
        customer=customer,
        tag=rule,
        reason_key="rule",
        reason_params={
            "match": "all",
            "parts": [
                {"key": "discount_share", "params": {"days": 365, "percent": "50", "value": 0.64}}
            ],
        },
        computed_at="2026-06-15T12:00:00+08:00",
    )
    CustomerTag.objects.create(
        customer=customer,
        tag=system["preferred_channel"],
        reason_key="preferred_channel",
        reason_params={"days": 365, "share": 0.9, "channel": "ecommerce", "orders": 9},
        computed_at="2026-06-15T12:00:00+08:00",
    )
    return customer


@pytest.mark.django_db
def test_panel_groups_tags_by_kind_with_reasons(tagged_customer, django_assert_num_queries):  # type: ignore[no-untyped-def]
    with django_assert_num_queries(1), translation.override("zh-hans"):
        groups = customer_tags(customer=tagged_customer)
        assert [(g.kind, [(t.name, t.reason) for t in g.tags]) for g in groups] == [
            ("rule", [("价格敏感型", "近365天 64% 的消费在折扣商品上（条件：超过 50%）")]),
            ("behaviour", [("偏好渠道", "近365天 90% 的订单来自电商（9 单）")]),
        ]


@pytest.mark.django_db
def test_360_page_shows_the_panel_in_chinese_and_english(tagged_customer, make_user, client_for):  # type: ignore[no-untyped-def]
    client = client_for(make_user(Role.CLERK))
    url = reverse("workspace:customer_360", args=[tagged_customer.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="tags-panel"' in page
    assert "价格敏感型" in page and "近365天 90% 的订单来自电商（9 单）" in page

    client.cookies["django_language"] = "en"
    english = client.get(url).content.decode()
    assert 'data-testid="tags-panel"' in english
    assert "价格敏感型" in english  # a manager's own tag name is data, not translated


@pytest.mark.django_db
def test_switched_off_tags_are_not_shown(tagged_customer, make_user):  # type: ignore[no-untyped-def]
    tag = CustomerTag.objects.get(customer=tagged_customer, tag__kind="rule").tag
    tag.is_active = False
    tag.save()
    kinds = [group.kind for group in customer_tags(customer=tagged_customer)]
    assert kinds == ["behaviour"]


@pytest.mark.django_db
def test_other_store_customer_360_is_404_for_a_clerk(store_south, make_user, client_for):  # type: ignore[no-untyped-def]
    far = CustomerFactory(home_store=store_south)
    response = client_for(make_user(Role.CLERK)).get(
        reverse("workspace:customer_360", args=[far.pk])
    )
    assert response.status_code == 404
