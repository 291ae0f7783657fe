"""Computing and storing tags: the nightly run and the per-customer refresh agree, both are
idempotent (a rerun writes nothing), a sale refreshes its customer's tags through the signal,
one refresh stays under 50 ms, switching a tag off removes it, bad definitions are refused with
a message per row, and predictive tags follow the insights scores."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from tests.factories import CustomerFactory
from tests.tags.conftest import NOW, PRICE_SENSITIVE, at, engineering_definition
from toolcrm.core.roles import Role
from toolcrm.insights.models import CategoryCycle, CustomerScore
from toolcrm.sales.services import OrderInput, OrderLineInput, create_order
from toolcrm.tags import services
from toolcrm.tags.models import CustomerTag, TagDefinition
from toolcrm.tags.reasons import render_reason
from toolcrm.tags.schema import DefinitionErrors


@pytest.fixture
def crew(catalog, order, customer_factory) -> Any:  # type: ignore[no-untyped-def]
    customer = customer_factory("一号施工队", kind="company")
    for month in (6, 5, 4):
        order(customer, at(2026, month, 1), [(catalog["drill"], 1, "600", "0")])
        order(customer, at(2026, month, 2), [(catalog["bits"], 3, "50", "10")])
    return customer


@pytest.fixture
def two_tags(make_user, catalog) -> list[TagDefinition]:  # type: ignore[no-untyped-def]
    manager = make_user(Role.STORE_MANAGER)
    return [
        services.save_rule_tag(
            user=manager,
            name="工程客户",
            description="",
            definition=engineering_definition(catalog),
        ),
        services.save_rule_tag(
            user=manager, name="价格敏感型", description="", definition=PRICE_SENSITIVE
        ),
    ]


def _rows() -> list[tuple[Any, ...]]:
    return list(
        CustomerTag.objects.order_by("customer_id", "tag_id").values_list(
            "pk", "customer_id", "tag_id", "reason_key", "reason_params", "evidence", "computed_at"
        )
    )


@pytest.mark.django_db
def test_nightly_run_is_idempotent(crew, two_tags):  # type: ignore[no-untyped-def]
    first = services.recompute_all_tags(now=NOW)
    before = _rows()
    second = services.recompute_all_tags(now=NOW + timedelta(minutes=5))

    assert first.created == len(before) > 0
    assert (second.created, second.updated, second.deleted) == (0, 0, 0)
    assert second.unchanged == len(before)
    assert _rows() == before  # same primary keys, same computed_at: nothing was rewritten


@pytest.mark.django_db
def test_refresh_agrees_with_the_nightly_run_and_is_idempotent(crew, two_tags, catalog, order):  # type: ignore[no-untyped-def]
    services.recompute_all_tags(now=NOW)
    nightly = {(row[1], row[2]): row[3:6] for row in _rows()}
    CustomerTag.objects.all().delete()

    services.refresh_customer_tags(customer_id=crew.pk, now=NOW)
    refreshed = {(row[1], row[2]): row[3:6] for row in _rows()}
    again = services.refresh_customer_tags(customer_id=crew.pk, now=NOW)

    assert refreshed == nightly
    assert (again.created, again.updated, again.deleted) == (0, 0, 0)
    engineering = CustomerTag.objects.get(customer=crew, tag=two_tags[0])
    assert engineering.reason_params["parts"][1]["key"] == "purchase_each_month"


@pytest.mark.django_db
def test_refresh_changes_only_what_changed(crew, two_tags, catalog, order, customer_factory):  # type: ignore[no-untyped-def]
    bystander = customer_factory("路人")
    order(bystander, at(2026, 6, 1), [(catalog["hammer"], 3, "100", "50")])
    services.recompute_all_tags(now=NOW)
    bystander_rows = [row for row in _rows() if row[1] == bystander.pk]
    # The crew spent 420 of 2220 (19%) on discounted lines: not price sensitive.
    assert not CustomerTag.objects.filter(customer=crew, tag=two_tags[1]).exists()

    # A big discounted order (4500 after a 500 discount) makes it 4920 of 6720 (73%).
    order(crew, at(2026, 6, 10), [(catalog["bits"], 100, "50", "500")])
    result = services.refresh_customer_tags(customer_id=crew.pk, now=NOW)

    price = CustomerTag.objects.get(customer=crew, tag=two_tags[1])
    assert price.evidence == {"conditions": [0.7321]}
    assert result.created >= 1
    assert [row for row in _rows() if row[1] == bystander.pk] == bystander_rows


@pytest.mark.django_db
def test_a_recorded_sale_refreshes_the_customer_tags(  # type: ignore[no-untyped-def]
    store_a, make_user, catalog, django_capture_on_commit_callbacks
):
    manager = make_user(Role.STORE_MANAGER)
    tag = services.save_rule_tag(
        user=manager,
        name="买过钻头",
        description="",
        definition={
            "conditions": [
                {
                    "type": "purchase",
                    "category_id": catalog["consumables"].pk,
                    "measure": "quantity",
                    "minimum": "2",
                    "window": {"mode": "days", "length": 30},
                }
            ]
        },
    )
    customer = CustomerFactory(home_store=store_a)
    with django_capture_on_commit_callbacks(execute=True):
        create_order(
            user=make_user(Role.CLERK),
            data=OrderInput(
                channel="pos",
                external_id="POS-TAGS-1",
                store=store_a.code,
                customer_id=customer.pk,
                lines=[OrderLineInput(sku="BITS", quantity=2)],
            ),
        )
    member = CustomerTag.objects.get(customer=customer, tag=tag)
    with translation.override("zh-hans"):
        assert render_reason(member.reason_key, member.reason_params) == (
            "近30天购买耗材 2 件（条件：至少 2 件）"
        )
    assert CustomerTag.objects.filter(customer=customer, tag__system_code="diy").exists()


@pytest.mark.django_db
def test_one_customer_refresh_runs_a_bounded_number_of_queries(crew, two_tags, make_user, catalog):  # type: ignore[no-untyped-def]
    manager = make_user(Role.ADMIN, username="more_tags")
    for index in range(3):
        services.save_rule_tag(
            user=manager,
            name=f"近期大额{index}",
            description="",
            definition={
                "match": "any",
                "conditions": [
                    {
                        "type": "purchase",
                        "brand_id": catalog["bosch"].pk,
                        "measure": "amount",
                        "minimum": str(500 * (index + 1)),
                        "window": {"mode": "days", "length": 90},
                    },
                    {"type": "profile", "field": "lifecycle_stage", "values": ["active"]},
                ],
            },
        )
    services.refresh_customer_tags(customer_id=crew.pk, now=NOW)  # creates the system tags
    with CaptureQueriesContext(connection) as queries:
        services.refresh_customer_tags(customer_id=crew.pk, now=NOW)

    # (How fast it is, bench/insights.py measures.) Tag definitions, categories, brands, every
    # rule judged in one statement, two behaviour aggregates,
    # scores, overdue cycles, the stored rows (savepoint statements excluded)
    statements = [q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"].upper()]
    assert len(statements) == 9


@pytest.mark.django_db
def test_switching_a_tag_off_removes_it_and_on_brings_it_back(  # type: ignore[no-untyped-def]
    crew, two_tags, make_user, django_capture_on_commit_callbacks
):
    services.recompute_all_tags(now=NOW)
    engineering = two_tags[0]
    assert CustomerTag.objects.filter(tag=engineering).count() == 1
    manager = make_user(Role.STORE_MANAGER, username="switcher")

    services.set_tag_active(user=manager, tag_id=engineering.pk, is_active=False)
    assert not CustomerTag.objects.filter(tag=engineering).exists()
    services.recompute_all_tags(now=NOW)
    assert not CustomerTag.objects.filter(tag=engineering).exists()

    with django_capture_on_commit_callbacks(execute=True):
        services.set_tag_active(user=manager, tag_id=engineering.pk, is_active=True)
    # (the on-commit recompute uses the real clock; the crew's orders are in 2026-04..06)
    engineering.refresh_from_db()
    assert engineering.is_active


@pytest.mark.django_db
def test_a_clerk_cannot_define_tags(make_user):  # type: ignore[no-untyped-def]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.save_rule_tag(
            user=make_user(Role.CLERK), name="x", description="", definition=PRICE_SENSITIVE
        )
    assert not TagDefinition.objects.exists()


def _errors(definition: Any, name: str = "测试") -> DefinitionErrors:
    with pytest.raises(DefinitionErrors) as caught:
        services.validate_rule(name=name, description="", definition=definition)
    return caught.value


def _purchase(**overrides: Any) -> dict[str, Any]:
    condition: dict[str, Any] = {
        "type": "purchase",
        "measure": "orders",
        "minimum": "1",
        "window": {"mode": "days", "length": 30},
    }
    condition.update(overrides)
    return condition


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"type": "weather"}, "未知的条件类型。"),
        ({"field": "kind"}, "请选择条件类型。"),
        ({"type": "profile", "field": "kind", "values": ["alien"]}, "取值不在可选范围内。"),
        ({"type": "profile", "field": "home_store", "values": ["上海"]}, "取值不在可选范围内。"),
        ({"type": "profile", "field": "mood", "values": ["x"]}, "客户属性：不是可选的值。"),
        (_purchase(minimum="0"), "“至少”的数值必须大于 0（要表示“没有购买”，请用“少于 1”）。"),
        (_purchase(minimum="1.5"), "订单数和件数必须是整数。"),
        (_purchase(minimum="-3", measure="amount"), "数值：不能小于 0。"),
        (
            _purchase(window={"mode": "each_month", "length": 30}),
            "时间范围：“每月”最多回看 24 个月。",
        ),
        (_purchase(window={"mode": "weeks", "length": 3}), "时间范围：不是可选的值。"),
        (_purchase(category_id=987654), "品类：不存在。"),
        (_purchase(brand_id=987654), "品牌：不存在。"),
        (_purchase(store_id=987654), "门店：不存在。"),
        (_purchase(colour="red"), "colour：多余的字段。"),
        ({"type": "discount_share", "percent": "100", "window_days": 30}, "百分比：不能大于 100。"),
    ],
)
def test_invalid_conditions_are_refused_with_a_message_for_their_row(condition, message):  # type: ignore[no-untyped-def]
    errors = _errors({"match": "all", "conditions": [_purchase(), condition]})
    assert errors.rows == {1: [message]}
    assert errors.general == []


@pytest.mark.django_db
def test_invalid_definitions_as_a_whole(make_user):  # type: ignore[no-untyped-def]
    assert _errors({"conditions": []}).general == ["至少需要一个条件。"]
    assert _errors({"conditions": [_purchase()] * 11}).general == ["最多 10 个条件。"]
    assert _errors({"match": "some", "conditions": [_purchase()]}).general == [
        "匹配方式：不是可选的值。"
    ]
    assert _errors({"conditions": [_purchase()]}, name=" ").general == ["请填写标签名称。"]
    services.save_rule_tag(
        user=make_user(Role.ADMIN), name="重名", description="", definition=PRICE_SENSITIVE
    )
    assert _errors({"conditions": [_purchase()]}, name="重名").general == ["已有同名的规则标签。"]
    assert TagDefinition.objects.count() == 1


def _score(customer: Any, **values: Any) -> CustomerScore:
    defaults: dict[str, Any] = {
        "recency_days": 10,
        "frequency": 3,
        "monetary": Decimal("1000.00"),
        "r_score": 3,
        "f_score": 3,
        "m_score": 3,
        "rfm_segment": "important_value",
        "lifecycle_stage": "active",
        "first_purchase_on": date(2025, 1, 1),
        "last_purchase_on": date(2026, 6, 5),
        "computed_at": NOW,
    }
    defaults.update(values)
    return CustomerScore.objects.create(customer=customer, **defaults)


@pytest.mark.django_db
def test_predictive_tags_follow_the_scores(customer_factory, catalog):  # type: ignore[no-untyped-def]
    rich = customer_factory("大客户")
    _score(rich, clv_12m=Decimal("35000.00"), is_vip=True, rolling_spend_12m=Decimal("600000.00"))
    leaving = customer_factory("要走的")
    _score(
        leaving,
        churn_probability=0.81,
        churn_reasons=[{"key": "no_such_reason", "params": {}}],
        churn_model_version=2,
    )
    gone = customer_factory("早已流失")
    _score(gone, churn_probability=0.97, lifecycle_stage="lost", recency_days=400)
    quiet = customer_factory("没模型")
    _score(quiet, lifecycle_stage="at_risk", recency_days=120, rfm_segment="important_winback")
    CategoryCycle.objects.create(
        customer=quiet,
        category=catalog["consumables"],
        median_days=Decimal("30.0"),
        orders=5,
        last_purchase_on=date(2026, 2, 1),
        next_due_on=date(2026, 3, 3),
        is_overdue=True,
        computed_at=NOW,
    )

    services.recompute_all_tags(now=NOW)

    def members(code: str) -> set[str]:
        return set(
            CustomerTag.objects.filter(tag__system_code=code).values_list(
                "customer__name", flat=True
            )
        )

    assert members("high_value") == {"大客户"}
    assert members("vip") == {"大客户"}
    assert members("churn_risk") == {"要走的", "没模型"}
    assert members("winback") == {"没模型"}
    assert members("repurchase_due") == {"没模型"}
    with translation.override("zh-hans"):
        churn = CustomerTag.objects.get(tag__system_code="churn_risk", customer=leaving)
        assert render_reason(churn.reason_key, churn.reason_params) == "流失概率 81%"
        stand_in = CustomerTag.objects.get(tag__system_code="churn_risk", customer=quiet)
        assert render_reason(stand_in.reason_key, stand_in.reason_params) == (
            "120 天未购买，生命周期阶段为“流失风险”"
        )
        due = CustomerTag.objects.get(tag__system_code="repurchase_due", customer=quiet)
        assert render_reason(due.reason_key, due.reason_params) == "已超过自己的复购周期：耗材"


@pytest.mark.django_db
def test_database_side_sync_does_what_the_python_one_does(crew, two_tags):  # type: ignore[no-untyped-def]
    """PostgreSQL compares the wanted rows with the stored ones in the database (COPY and two
    set statements); same counts and same stored rows as the comparison in Python."""
    from django.db import transaction

    if connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    engineering, price = two_tags
    others = [CustomerFactory(name=f"客户{i}") for i in range(3)]
    first = {
        (crew.pk, engineering.pk): ("rule", {"a": 1}, {"conditions": ["company"]}),
        (others[0].pk, engineering.pk): ("rule", {"a": 1}, {"conditions": [0.6]}),
        (others[1].pk, price.pk): ("rule", {"b": [1, 2]}, {"x": "1.00"}),
    }
    second = {
        (crew.pk, engineering.pk): ("rule", {"a": 1}, {"conditions": ["company"]}),  # same
        (others[0].pk, engineering.pk): ("rule", {"a": 2}, {"conditions": [0.6]}),  # changed
        (others[2].pk, price.pk): ("rule", {"b": [3]}, {"x": "2.00"}),  # new; others[1] gone
    }
    tag_ids = [engineering.pk, price.pk]
    services._sync_in_python(first, tag_ids=tag_ids, customer_ids=None, now=NOW)

    def stored() -> list[tuple[Any, ...]]:
        return list(
            CustomerTag.objects.filter(tag_id__in=tag_ids)
            .values_list("customer_id", "tag_id", "reason_key", "reason_params", "evidence")
            .order_by("customer_id", "tag_id")
        )

    outcomes = []
    for sync in (services._sync_by_copy, services._sync_in_python):
        with transaction.atomic():
            result = sync(second, tag_ids=tag_ids, customer_ids=None, now=NOW)
            outcomes.append((result, stored()))
            transaction.set_rollback(True)

    (by_copy, rows_by_copy), (in_python, rows_in_python) = outcomes
    assert (
        by_copy
        == in_python
        == services.TagWriteResult(created=1, updated=1, deleted=1, unchanged=1)
    )
    assert (
        rows_by_copy
        == rows_in_python
        == sorted(
            (customer_id, tag_id, *reason) for (customer_id, tag_id), reason in second.items()
        )
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["python", "database"])
def test_nightly_write_keeps_rows_a_refresh_wrote_after_it_started(crew, two_tags, path):  # type: ignore[no-untyped-def]
    """The nightly run computes every rule's members first and writes later (a minute at a
    million customers); a refresh after a sale in between is newer and must survive."""
    if path == "database" and connection.vendor != "postgresql":
        pytest.skip("the COPY path is PostgreSQL's")
    sync = services._sync_by_copy if path == "database" else services._sync_in_python
    engineering, price = two_tags
    other = CustomerFactory(name="客户甲")
    tag_ids = [engineering.pk, price.pk]
    stale = {
        (crew.pk, engineering.pk): ("rule", {"a": 1}, {"v": 1}),
        (other.pk, engineering.pk): ("rule", {"a": 1}, {"v": 1}),
    }
    sync(stale, tag_ids=tag_ids, customer_ids=None, now=NOW - timedelta(days=1))
    # a refresh after the nightly run below started: crew changed, other gained a price tag
    refreshed = {
        (crew.pk, engineering.pk): ("rule", {"a": 2}, {"v": 2}),
        (other.pk, engineering.pk): ("rule", {"a": 1}, {"v": 1}),
        (other.pk, price.pk): ("rule", {"b": 1}, {"v": 1}),
    }
    services._sync_in_python(
        refreshed, tag_ids=tag_ids, customer_ids=[crew.pk, other.pk], now=NOW + timedelta(minutes=1)
    )

    sync(stale, tag_ids=tag_ids, customer_ids=None, now=NOW)  # the nightly, computed at NOW

    stored = {
        (row.customer_id, row.tag_id): (row.reason_key, row.reason_params, row.evidence)
        for row in CustomerTag.objects.filter(tag_id__in=tag_ids)
    }
    assert stored == refreshed
