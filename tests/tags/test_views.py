"""The tag pages: who may open them (allowed, denied, scoped), what they show, what the forms
write (and that a refused form writes nothing), and how many queries the list pages cost."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories import CustomerFactory
from tests.tags.conftest import PRICE_SENSITIVE, engineering_definition
from toolcrm.core.roles import Role
from toolcrm.tags import services
from toolcrm.tags.choices import TagKind
from toolcrm.tags.models import CustomerTag, TagDefinition

MANAGERS = [Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.HQ_MARKETING, Role.ADMIN]
NOT_MANAGERS = [Role.CLERK, Role.TECHNICIAN, Role.B2B_MANAGER]


@pytest.fixture
def rule_tag(make_user) -> TagDefinition:  # type: ignore[no-untyped-def]
    return services.save_rule_tag(
        user=make_user(Role.ADMIN, username="tag_admin"),
        name="价格敏感型",
        description="",
        definition=PRICE_SENSITIVE,
    )


@pytest.fixture
def tagged(rule_tag, store_a, store_b, store_south) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """Two tagged customers in store A, one in store B (same region), one in the south."""
    people = {
        "a1": CustomerFactory(name="甲一", home_store=store_a),
        "a2": CustomerFactory(name="甲二", home_store=store_a),
        "b1": CustomerFactory(name="乙一", home_store=store_b),
        "s1": CustomerFactory(name="南一", home_store=store_south),
    }
    for customer in people.values():
        CustomerTag.objects.create(
            customer=customer,
            tag=rule_tag,
            reason_key="rule",
            reason_params={
                "match": "all",
                "parts": [
                    {
                        "key": "discount_share",
                        "params": {"days": 365, "percent": "50", "value": 0.8},
                    }
                ],
            },
            evidence={"conditions": [0.8]},
            computed_at="2026-06-15T12:00:00+08:00",
        )
    return people


# --- permissions ----------------------------------------------------------------------------

PAGES = [
    ("tags:definition_list", {}),
    ("tags:definition_create", {}),
    ("tags:condition_add", {}),
    ("tags:condition_row", {}),
    ("tags:condition_remove", {}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("role", MANAGERS)
@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_managers_open_definition_pages(make_user, client_for, role, name, kwargs):  # type: ignore[no-untyped-def]
    response = client_for(make_user(role)).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", NOT_MANAGERS)
@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_others_are_refused_definition_pages(make_user, client_for, role, name, kwargs):  # type: ignore[no-untyped-def]
    response = client_for(make_user(role)).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_others_cannot_edit_preview_or_switch_off(make_user, client_for, rule_tag, role):  # type: ignore[no-untyped-def]
    client = client_for(make_user(role))
    edit = client.post(
        reverse("tags:definition_edit", args=[rule_tag.pk]),
        {"name": "改名", "match": "all", "row": "0", "c0-type": "discount_share"},
    )
    preview = client.post(reverse("tags:preview"), {"row": "0", "c0-type": "discount_share"})
    switch = client.post(reverse("tags:set_active", args=[rule_tag.pk]), {"is_active": "0"})
    create = client.post(reverse("tags:definition_create"), {"name": "x"})
    assert [edit.status_code, preview.status_code, switch.status_code, create.status_code] == [
        403,
        403,
        403,
        403,
    ]
    rule_tag.refresh_from_db()
    assert rule_tag.name == "价格敏感型" and rule_tag.is_active
    assert TagDefinition.objects.filter(kind=TagKind.RULE).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", MANAGERS)
def test_report_and_members_open_for_every_role_with_the_capability(  # type: ignore[no-untyped-def]
    make_user, client_for, rule_tag, role
):
    client = client_for(make_user(role))
    assert client.get(reverse("tags:report")).status_code == 200
    assert client.get(reverse("tags:members", args=[rule_tag.pk])).status_code == 200
    assert client.get(reverse("tags:definition_edit", args=[rule_tag.pk])).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("role", NOT_MANAGERS)
def test_report_and_members_are_refused_without_the_capability(  # type: ignore[no-untyped-def]
    make_user, client_for, rule_tag, role
):
    client = client_for(make_user(role))
    assert client.get(reverse("tags:report")).status_code == 403
    assert client.get(reverse("tags:members", args=[rule_tag.pk])).status_code == 403


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(client, rule_tag):  # type: ignore[no-untyped-def]
    for url in (reverse("tags:report"), reverse("tags:definition_list")):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.django_db
def test_unknown_tag_is_404(make_user, client_for):  # type: ignore[no-untyped-def]
    client = client_for(make_user(Role.ADMIN))
    assert client.get(reverse("tags:members", args=[999999])).status_code == 404
    assert client.get(reverse("tags:definition_edit", args=[999999])).status_code == 404
    assert client.post(reverse("tags:set_active", args=[999999])).status_code == 404


# --- report and members: scoped ---------------------------------------------------------------


@pytest.mark.django_db
def test_store_manager_sees_only_their_store(  # type: ignore[no-untyped-def]
    make_user, client_for, tagged, rule_tag, store_a, store_b, django_assert_max_num_queries
):
    client = client_for(make_user(Role.STORE_MANAGER))
    with django_assert_max_num_queries(8):
        response = client.get(reverse("tags:report"))
    assert response.status_code == 200
    report = response.context["report"]
    assert [store.pk for store in report.stores] == [store_a.pk]
    row = next(r for r in report.rows if r.tag.pk == rule_tag.pk)
    assert row.total == 2 and row.by_store == {store_a.pk: 2}
    assert store_b.name not in response.content.decode()

    members = client.get(reverse("tags:members", args=[rule_tag.pk]))
    names = {m.customer.name for m in members.context["page_obj"]}
    assert names == {"甲一", "甲二"}


@pytest.mark.django_db
def test_regional_manager_sees_the_region_and_hq_sees_all(  # type: ignore[no-untyped-def]
    make_user, client_for, tagged, rule_tag, store_a, store_b, store_south
):
    regional = client_for(make_user(Role.REGIONAL_MANAGER)).get(reverse("tags:report"))
    row = next(r for r in regional.context["report"].rows if r.tag.pk == rule_tag.pk)
    assert row.by_store == {store_a.pk: 2, store_b.pk: 1}

    hq = client_for(make_user(Role.HQ_MARKETING)).get(reverse("tags:report"))
    row = next(r for r in hq.context["report"].rows if r.tag.pk == rule_tag.pk)
    assert row.by_store == {store_a.pk: 2, store_b.pk: 1, store_south.pk: 1} and row.total == 4
    assert f'href="/tags/{rule_tag.pk}/customers/"' in hq.content.decode()


@pytest.mark.django_db
def test_members_page_query_count_does_not_grow_with_rows(  # type: ignore[no-untyped-def]
    make_user, client_for, tagged, rule_tag, django_assert_max_num_queries
):
    client = client_for(make_user(Role.HQ_MARKETING))
    with django_assert_max_num_queries(6):
        response = client.get(reverse("tags:members", args=[rule_tag.pk]))
    assert response.status_code == 200
    assert "80% 的消费在折扣商品上" in response.content.decode()


@pytest.mark.django_db
def test_definition_list_query_count(  # type: ignore[no-untyped-def]
    make_user, client_for, rule_tag, django_assert_max_num_queries
):
    services.ensure_system_tags()
    client = client_for(make_user(Role.STORE_MANAGER))
    with django_assert_max_num_queries(5):
        response = client.get(reverse("tags:definition_list"))
    content = response.content.decode()
    assert "价格敏感型" in content and "品牌偏好" in content and "流失预警" in content


# --- create, edit, deactivate ---------------------------------------------------------------


def _form(name: str, **rows: str) -> dict[str, Any]:
    return {"name": name, "description": "", "match": "all", **rows}


@pytest.mark.django_db
def test_manager_creates_the_engineering_tag_through_the_form(  # type: ignore[no-untyped-def]
    make_user, client_for, catalog
):
    definition = engineering_definition(catalog)
    data: dict[str, Any] = {"name": "工程客户", "description": "施工单位", "match": "all"}
    data["row"] = ["0", "1", "2"]
    data |= {"c0-type": "profile", "c0-field": "kind", "c0-values": ["company"]}
    for index in (1, 2):
        condition = definition["conditions"][index]
        data |= {
            f"c{index}-type": "purchase",
            f"c{index}-category": str(condition["category_id"]),
            f"c{index}-measure": "orders",
            f"c{index}-comparison": "at_least",
            f"c{index}-minimum": "1",
            f"c{index}-window_mode": "each_month",
            f"c{index}-window_length": "3",
        }
    response = client_for(make_user(Role.STORE_MANAGER)).post(
        reverse("tags:definition_create"), data
    )
    assert response.status_code == 302
    tag = TagDefinition.objects.get(name="工程客户")
    assert tag.kind == TagKind.RULE and tag.description == "施工单位"
    assert tag.definition == {
        "match": "all",
        "conditions": [
            {"type": "profile", "field": "kind", "values": ["company"]},
            *[
                {
                    "type": "purchase",
                    "category_id": definition["conditions"][i]["category_id"],
                    "brand_id": None,
                    "channel": None,
                    "store_id": None,
                    "measure": "orders",
                    "comparison": "at_least",
                    "minimum": "1",
                    "window": {"mode": "each_month", "length": 3},
                }
                for i in (1, 2)
            ],
        ],
    }


@pytest.mark.django_db
def test_invalid_rows_are_shown_next_to_the_row_and_nothing_is_written(  # type: ignore[no-untyped-def]
    make_user, client_for, catalog
):
    data = _form(
        "坏标签",
        **{
            "c0-type": "purchase",
            "c0-measure": "orders",
            "c0-minimum": "1.5",
            "c0-window_mode": "days",
            "c0-window_length": "abc",
            "c1-type": "profile",
            "c1-field": "kind",
            "c2-type": "discount_share",
            "c2-percent": "150",
            "c2-window_days": "365",
        },
    )
    data["row"] = ["0", "1", "2"]
    response = client_for(make_user(Role.STORE_MANAGER)).post(
        reverse("tags:definition_create"), data
    )
    assert response.status_code == 400
    rows = response.context["rows"]
    assert rows[0].errors == ["时间长度：应为整数。"]
    assert rows[1].errors == ["取值：至少选择一项。"]
    assert rows[2].errors == ["百分比：不能大于 100。"]
    assert not TagDefinition.objects.filter(kind=TagKind.RULE).exists()


@pytest.mark.django_db
def test_edit_keeps_rows_and_deactivate_removes_members(  # type: ignore[no-untyped-def]
    make_user, client_for, rule_tag, tagged
):
    client = client_for(make_user(Role.STORE_MANAGER))
    page = client.get(reverse("tags:definition_edit", args=[rule_tag.pk]))
    assert page.status_code == 200
    assert [row.data["percent"] for row in page.context["rows"]] == ["50"]

    response = client.post(
        reverse("tags:definition_edit", args=[rule_tag.pk]),
        {
            "name": "价格敏感型",
            "description": "六成以上",
            "match": "all",
            "row": "0",
            "c0-type": "discount_share",
            "c0-percent": "60",
            "c0-window_days": "180",
        },
    )
    assert response.status_code == 302
    rule_tag.refresh_from_db()
    assert rule_tag.definition["conditions"][0] == {
        "type": "discount_share",
        "percent": "60",
        "window_days": 180,
    }
    # (recomputed on commit: none of the fixture customers has orders, so none keeps it)

    client.post(reverse("tags:set_active", args=[rule_tag.pk]), {"is_active": "0"})
    rule_tag.refresh_from_db()
    assert not rule_tag.is_active
    assert not CustomerTag.objects.filter(tag=rule_tag).exists()


@pytest.mark.django_db
def test_preview_counts_visible_customers_and_explains(  # type: ignore[no-untyped-def]
    make_user, client_for, catalog, order, store_a, store_south
):
    from tests.tags.conftest import at

    near = CustomerFactory(name="近店客户", home_store=store_a)
    far = CustomerFactory(name="远店客户", home_store=store_south)
    for customer in (near, far):
        order(customer, at(2026, 1, 5), [(catalog["drill"], 1, "600", "0")])
    data = _form(
        "买过电钻",
        **{
            "c0-type": "purchase",
            "c0-category": str(catalog["power"].pk),
            "c0-measure": "orders",
            "c0-comparison": "at_least",
            "c0-minimum": "1",
            "c0-window_mode": "days",
            "c0-window_length": "730",
        },
    )
    data["row"] = ["0"]
    response = client_for(make_user(Role.STORE_MANAGER)).post(reverse("tags:preview"), data)
    preview = response.context["preview"]
    assert preview.count == 1
    assert [customer.name for customer, _reason in preview.sample] == ["近店客户"]
    assert "近730天购买过电动工具（1 单）" in response.content.decode()
    assert not TagDefinition.objects.filter(kind=TagKind.RULE).exists()


@pytest.mark.django_db
def test_condition_builder_partials(make_user, client_for, catalog):  # type: ignore[no-untyped-def]
    client = client_for(make_user(Role.STORE_MANAGER))
    added = client.get(reverse("tags:condition_add"), {"row": ["0", "3"]})
    assert 'name="row" value="4"' in added.content.decode()
    switched = client.get(
        reverse("tags:condition_row"), {"row": "2", "c2-type": "profile", "c2-field": "kind"}
    )
    content = switched.content.decode()
    assert 'name="c2-values" value="company"' in content and "c2-minimum" not in content
    removed = client.get(reverse("tags:condition_remove"))
    assert removed.content == b""


@pytest.mark.django_db
def test_preview_with_no_visible_match_says_none(  # type: ignore[no-untyped-def]
    make_user, client_for, catalog, order, store_south
):
    from tests.tags.conftest import at

    far = CustomerFactory(name="远店客户", home_store=store_south)
    order(far, at(2026, 1, 5), [(catalog["drill"], 1, "600", "0")])
    data = _form(
        "买过电钻",
        **{
            "c0-type": "purchase",
            "c0-category": str(catalog["power"].pk),
            "c0-measure": "orders",
            "c0-comparison": "at_least",
            "c0-minimum": "1",
            "c0-window_mode": "days",
            "c0-window_length": "730",
        },
    )
    data["row"] = ["0"]

    response = client_for(make_user(Role.STORE_MANAGER)).post(reverse("tags:preview"), data)

    assert response.status_code == 200
    assert response.context["preview"].count == 0
    assert response.context["preview"].sample == []
