"""The 360 panel, the printable list, sending the list and the rules page: who may, who may not,
customers out of scope (404), what each shows, and that a refused send writes nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import ConsentFactory, CustomerFactory
from tests.recommendations.helpers import category_rule
from toolcrm.core.roles import Role
from toolcrm.customers.models import Interaction
from toolcrm.recommendations.choices import BasketScope, RuleLevel


@pytest.fixture
def owner(world, buy, store_a):  # type: ignore[no-untyped-def]
    """王建国 of store A owns a drill (200 days), so his list holds bits and brushes."""
    customer = CustomerFactory(name="王建国", home_store=store_a, email="wang@example.com")
    buy(customer, [world.drill], days_ago=200)
    return customer


@pytest.fixture
def stranger(world, buy, store_b):  # type: ignore[no-untyped-def]
    customer = CustomerFactory(name="外店客户", home_store=store_b)
    buy(customer, [world.drill], days_ago=200)
    return customer


def _user_who_sees(role, make_user, customer):  # type: ignore[no-untyped-def]
    user = make_user(role)
    if role == Role.B2B_MANAGER:
        customer.account_manager = user
        customer.save(update_fields=["account_manager"])
    return user


# --- the panel on the 360 page -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", list(Role))
def test_panel_on_the_360_page_for_every_role(role, make_user, client_for, owner):
    user = _user_who_sees(role, make_user, owner)

    response = client_for(user).get(reverse("workspace:customer_360", args=[owner.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="recommendation-panel"' in body
    assert "麻花钻头套装" in body and "¥69.00" in body
    assert "DCJZ23 电钻（" in body  # the reason
    assert reverse("recommendations:print", args=[owner.pk]) in body
    can_send = role not in (Role.HQ_MARKETING,)
    assert ('data-testid="recommendation-send"' in body) is can_send


@pytest.mark.django_db
def test_panel_shows_stock_flag_and_consent_per_channel(world, client_for, clerk, owner, store_b):
    from toolcrm.stores.models import StockLevel

    StockLevel.objects.filter(product=world.bits).update(quantity=0)
    StockLevel.objects.create(store=store_b, product=world.bits, quantity=4)
    ConsentFactory(customer=owner, channel="sms", purpose="marketing", is_granted=True)

    body = client_for(clerk).get(reverse("workspace:customer_360", args=[owner.pk])).content
    text = body.decode()

    assert "本店缺货" in text and "杭州西湖店 4" in text
    assert "本店有货 10" in text
    assert "短信（已同意营销）" in text and "微信（未同意营销）" in text


@pytest.mark.django_db
def test_panel_says_why_it_is_empty(client_for, clerk, store_a):
    customer = CustomerFactory(home_store=store_a)

    body = client_for(clerk).get(reverse("workspace:customer_360", args=[customer.pk])).content

    assert 'data-testid="recommendation-empty"' in body.decode()


# --- the printable list --------------------------------------------------------------------


@pytest.mark.django_db
def test_print_page_masks_the_name_and_carries_the_store(client_for, clerk, owner, store_a):
    response = client_for(clerk).get(reverse("recommendations:print", args=[owner.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "王** 的推荐清单" in body and "王建国" not in body
    assert store_a.name in body and store_a.address in body
    assert "麻花钻头套装" in body and "¥69.00" in body and "¥19.90" in body
    assert "recommendations/print.css" in body and "recommendations/print.js" in body
    assert "<script>" not in body  # no inline script under the CSP


@pytest.mark.django_db
def test_print_page_keeps_a_company_name(client_for, clerk, world, buy, store_a):
    company = CustomerFactory(name="上海宏达装饰工程有限公司", kind="company", home_store=store_a)
    buy(company, [world.drill], days_ago=200)

    body = client_for(clerk).get(reverse("recommendations:print", args=[company.pk])).content

    assert "上海宏达装饰工程有限公司 的推荐清单" in body.decode()


@pytest.mark.django_db
def test_print_page_denied_and_out_of_scope(client, client_for, clerk, make_user, owner, stranger):
    url = reverse("recommendations:print", args=[owner.pk])
    assert client.get(url).status_code == 302  # not logged in: to the login page
    other_b2b = make_user(Role.B2B_MANAGER)
    assert client_for(other_b2b).get(url).status_code == 404  # not their account
    stranger_url = reverse("recommendations:print", args=[stranger.pk])
    assert client_for(clerk).get(stranger_url).status_code == 404
    assert client_for(clerk).get(reverse("recommendations:print", args=[999999])).status_code == 404


# --- sending -------------------------------------------------------------------------------


def _send(client, customer, channel):  # type: ignore[no-untyped-def]
    return client.post(reverse("recommendations:send", args=[customer.pk]), {"channel": channel})


def _messages(response):  # type: ignore[no-untyped-def]
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_send_with_consent_records_the_list_as_an_interaction(client_for, clerk, owner):
    ConsentFactory(customer=owner, channel="email", purpose="marketing", is_granted=True)

    response = _send(client_for(clerk), owner, "email")

    assert response.status_code == 302
    assert response["Location"].endswith(
        reverse("workspace:customer_360", args=[owner.pk]) + "#recommendations"
    )
    interaction = Interaction.objects.get(customer=owner)
    assert interaction.kind == "note" and interaction.staff == clerk
    assert interaction.summary.startswith("推荐清单（邮件发送，2 件）：")
    assert "1. 东成 麻花钻头套装" in interaction.summary and "¥69.00" in interaction.summary
    assert "的配件" in interaction.summary
    assert any("已按邮件记录推荐清单的发送" in text for text in _messages(response))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("consents", "channel", "expected"),
    [
        ([], "sms", "客户未同意通过短信接收营销信息"),
        ([("sms", "service", True)], "sms", "客户未同意通过短信接收营销信息"),  # wrong purpose
        ([("wechat", "marketing", True), ("wechat", "marketing", False)], "wechat", "未同意"),
        ([("wechat", "marketing", True)], "wechat", "没有可用的微信联系方式"),  # no openid
        ([], "fax", "请选择发送渠道"),
    ],
)
def test_send_refused_writes_nothing_and_says_why(
    client_for, clerk, owner, consents, channel, expected
):
    now = timezone.now()
    for offset, (consent_channel, purpose, granted) in enumerate(consents):
        ConsentFactory(
            customer=owner,
            channel=consent_channel,
            purpose=purpose,
            is_granted=granted,
            recorded_at=now - timezone.timedelta(minutes=10 - offset),
        )

    response = _send(client_for(clerk), owner, channel)

    assert response.status_code == 302
    assert Interaction.objects.filter(customer=owner).count() == 0
    assert any(expected in text for text in _messages(response))


@pytest.mark.django_db
def test_send_of_an_empty_list_is_refused(client_for, clerk, store_a):
    customer = CustomerFactory(home_store=store_a)
    ConsentFactory(customer=customer, channel="sms", purpose="marketing", is_granted=True)

    response = _send(client_for(clerk), customer, "sms")

    assert Interaction.objects.filter(customer=customer).count() == 0
    assert any("没有可推荐的商品" in text for text in _messages(response))


@pytest.mark.django_db
def test_send_denied_out_of_scope_and_get_not_allowed(
    client, client_for, make_user, owner, stranger, clerk
):
    ConsentFactory(customer=owner, channel="sms", purpose="marketing", is_granted=True)
    ConsentFactory(customer=stranger, channel="sms", purpose="marketing", is_granted=True)

    assert _send(client, owner, "sms").status_code == 302  # anonymous: to the login page
    assert _send(client_for(make_user(Role.HQ_MARKETING)), owner, "sms").status_code == 403
    assert _send(client_for(clerk), stranger, "sms").status_code == 404
    url = reverse("recommendations:send", args=[owner.pk])
    assert client_for(clerk).get(url).status_code == 405
    assert Interaction.objects.count() == 0


# --- the rules page ------------------------------------------------------------------------


@pytest.fixture
def rules(world):  # type: ignore[no-untyped-def]
    category_rule(
        world.grinder.category,
        world.discs.category,
        suggested=world.discs,
        confidence=0.32,
        lift=3.25,
    )
    category_rule(
        world.drill.category, world.bits.category, suggested=world.bits, confidence=0.3, lift=3.04
    )
    category_rule(
        world.tape.category,
        world.grinder.category,
        suggested=world.grinder,
        confidence=0.5,
        lift=2.0,
        scope=BasketScope.CUSTOMER,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.HQ_MARKETING, 200),
        (Role.ADMIN, 200),
        (Role.CLERK, 403),
        (Role.STORE_MANAGER, 403),
        (Role.B2B_MANAGER, 403),
    ],
)
def test_rules_page_needs_view_models(role, status, make_user, client_for, rules):
    response = client_for(make_user(role)).get(reverse("recommendations:rules"))

    assert response.status_code == status


@pytest.mark.django_db
def test_rules_page_lists_rules_strongest_first_and_filters_by_category(
    make_user, client_for, rules, world, django_assert_max_num_queries
):
    client = client_for(make_user(Role.HQ_MARKETING))

    with django_assert_max_num_queries(12):
        page = client.get(reverse("recommendations:rules")).content.decode()
    body = page[page.index('data-testid="rule-table"') :]
    assert body.index("角磨机") < body.index("电钻")  # lift 3.25 before 3.04
    assert "32%" in body and "3.25" in body and "0.0640" in body
    assert "提升度" in body and "置信度" in body and "支持度" in body

    page = client.get(
        reverse("recommendations:rules"), {"category": world.bits.category_id}
    ).content.decode()
    filtered = page[page.index('data-testid="rule-table"') :]
    assert "钻头套装" in filtered and "切割片" not in filtered

    customer_scope = client.get(
        reverse("recommendations:rules"), {"scope": "customer", "level": RuleLevel.CATEGORY}
    ).content.decode()
    assert "买过" in customer_scope and "50%" in customer_scope


@pytest.mark.django_db
def test_rules_page_rejects_a_bad_filter(make_user, client_for, rules):
    response = client_for(make_user(Role.ADMIN)).get(
        reverse("recommendations:rules"), {"scope": "weekly", "category": "abc"}
    )

    assert response.status_code == 400
    assert 'data-testid="rule-filter-errors"' in response.content.decode()


@pytest.mark.django_db
def test_rules_page_shows_the_last_run_and_its_thresholds(
    make_user, client_for, world, buy, store_a, settings
):
    from toolcrm.recommendations.services import mine_rules

    settings.RECOMMENDATIONS_MIN_LIFT = 1.5
    for _ in range(5):
        buy(None, [world.grinder, world.discs], store=store_a)
    for _ in range(5):
        buy(None, [world.tape], store=store_a)
    mine_rules()

    body = client_for(make_user(Role.ADMIN)).get(reverse("recommendations:rules")).content.decode()

    assert "从 10 个订单、0 位客户挖掘" in body and "提升度 ≥ 1.5" in body
    table = body[body.index('data-testid="rule-table"') :]
    # 5 of 10 orders hold both: support 0.5, confidence 1, lift 1 / (5/10) = 2
    assert "角磨机" in table and "切割片" in table and "2.00" in table and "0.5000" in table


@pytest.mark.django_db
def test_rules_page_before_any_mining(make_user, client_for):
    body = client_for(make_user(Role.ADMIN)).get(reverse("recommendations:rules")).content.decode()

    assert "尚未挖掘规则" in body
