"""The compiled rule: one grouped aggregate per rule, the same members whichever way it runs.

Nightly (every customer, the rule's conditions in SQL), after a sale (a few customers judged for
every rule in one statement) and in the preview (``pk__in`` of the visible customers) must pick
the same customers with the same values, on rules of every condition type, both match modes and
both comparisons, including customers who never bought anything.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.tags.conftest import NOW, at, engineering_definition
from toolcrm.customers.models import Customer
from toolcrm.tags import services
from toolcrm.tags.compiler import compile_rule, judge, load_lookups
from toolcrm.tags.schema import parse_definition


@pytest.fixture
def shoppers(catalog, order, customer_factory, store_b) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    drill, bits, hammer = catalog["drill"], catalog["bits"], catalog["hammer"]
    people = {
        "crew": customer_factory("一号施工队", kind="company"),
        "online": customer_factory("网购王先生", province="浙江省"),
        "bargain": customer_factory("赵女士", province="浙江省"),
        "quiet": customer_factory("从未购买的李女士", province="江苏省"),
        "elsewhere": customer_factory("二店客户", home_store=store_b),
    }
    for month in (6, 5, 4):
        order(people["crew"], at(2026, month, 1), [(drill, 2, "600", "0"), (bits, 4, "50", "0")])
    order(people["online"], at(2026, 6, 10), [(hammer, 3, "100", "0")], channel="ecommerce")
    order(people["online"], at(2026, 1, 10), [(drill, 1, "600", "0")], channel="ecommerce")
    order(people["bargain"], at(2026, 5, 20), [(drill, 1, "700", "100"), (hammer, 1, "100", "0")])
    order(people["elsewhere"], at(2026, 6, 1), [(bits, 1, "50", "0")], status="cancelled")
    return people


def _rules(catalog: dict[str, Any], store_b: Any) -> list[dict[str, Any]]:
    return [
        engineering_definition(catalog),
        {  # any: bought online this quarter, or lives in 江苏省
            "match": "any",
            "conditions": [
                {
                    "type": "purchase",
                    "channel": "ecommerce",
                    "measure": "quantity",
                    "minimum": "2",
                    "window": {"mode": "days", "length": 90},
                },
                {"type": "profile", "field": "province", "values": ["江苏省"]},
            ],
        },
        {  # fewer than one order in the last 180 days: no purchase at all counts
            "match": "all",
            "conditions": [
                {
                    "type": "purchase",
                    "measure": "orders",
                    "comparison": "less_than",
                    "minimum": "1",
                    "window": {"mode": "days", "length": 180},
                }
            ],
        },
        {  # Bosch spend of at least 1,000 in a year, over half of it discounted
            "match": "all",
            "conditions": [
                {
                    "type": "purchase",
                    "brand_id": catalog["bosch"].pk,
                    "measure": "amount",
                    "minimum": "600.00",
                    "window": {"mode": "days", "length": 365},
                },
                {"type": "discount_share", "percent": "10", "window_days": 365},
            ],
        },
        {  # home store B
            "match": "all",
            "conditions": [{"type": "profile", "field": "home_store", "values": [str(store_b.pk)]}],
        },
    ]


def _names(people: dict[str, Any], ids: set[int]) -> set[str]:
    return {key for key, customer in people.items() if customer.pk in ids}


@pytest.mark.django_db
def test_every_path_picks_the_same_members_with_the_same_values(shoppers, catalog, store_b):  # type: ignore[no-untyped-def]
    definitions = [parse_definition(data) for data in _rules(catalog, store_b)]
    lookups = load_lookups(definitions)
    rules = [
        compile_rule(definition, lookups=lookups, now=NOW, prefix=f"r{index}_")
        for index, definition in enumerate(definitions)
    ]
    everyone = [customer.pk for customer in shoppers.values()]
    judged: dict[int, dict[int, dict[str, Any]]] = {index: {} for index in range(len(rules))}
    for customer_id, rule, row in judge(rules, everyone):
        own = ["pk", *rule.names]  # the row carries every rule's values
        judged[rules.index(rule)][customer_id] = {name: row[name] for name in own}

    expected = [
        {"crew"},
        {"online", "quiet"},
        {"quiet", "elsewhere"},
        {"bargain"},
        {"elsewhere"},
    ]
    for index, rule in enumerate(rules):
        nightly = {row["pk"]: row for row in rule.rows()}
        narrowed = {row["pk"]: row for row in rule.rows(everyone)}
        preview = set(rule.apply(Customer.objects.all()).values_list("pk", flat=True))
        assert _names(shoppers, set(nightly)) == expected[index], index
        assert nightly == narrowed == judged[index], index
        assert preview == set(nightly), index
        for row in nightly.values():
            assert rule.explain(row) == rules[index].explain(judged[index][row["pk"]])


@pytest.mark.django_db
def test_values_and_reasons_of_the_sql_path(shoppers, catalog, store_b):  # type: ignore[no-untyped-def]
    definition = parse_definition(_rules(catalog, store_b)[3])
    rule = compile_rule(definition, lookups=load_lookups([definition]), now=NOW)
    (row,) = rule.rows()
    params, evidence = rule.explain(row)
    # 700 - 100 discount on the drill; 600 of 700 spend was on a discounted line.
    assert evidence == {"conditions": ["600.00", 0.8571]}
    assert params["parts"][0]["params"]["value"] == "600.00"
    assert params["parts"][1]["params"]["value"] == 0.8571


@pytest.mark.django_db
def test_one_statement_per_rule_whatever_its_months(shoppers, catalog, make_user):  # type: ignore[no-untyped-def]
    from toolcrm.core.roles import Role

    manager = make_user(Role.STORE_MANAGER)
    tag = services.save_rule_tag(
        user=manager,
        name="工程客户",
        description="",
        definition=engineering_definition(catalog),
        recompute=False,
    )
    with CaptureQueriesContext(connection) as queries:
        services.recompute_tag(tag_id=tag.pk, now=NOW)
    rule_statements = [q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"]]
    assert len(rule_statements) == 1
    # six month measures (two conditions x three months) in one pass, and the rule's own 0/1
    # column; no correlated subquery
    assert rule_statements[0].count("CASE WHEN") == 7
    assert "OuterRef" not in rule_statements[0]
    # the customers, the aggregate per customer and per order
    assert rule_statements[0].upper().count("SELECT") == 3


@pytest.mark.django_db
def test_very_wide_rules_are_judged_in_groups(shoppers, catalog):  # type: ignore[no-untyped-def]
    """Seven rules of ten 24-month conditions (1,680 month measures) do not fit one statement
    on PostgreSQL (at most 1,664 columns): they are judged in groups, with the same result as
    rule by rule."""
    month = {
        "type": "purchase",
        "measure": "orders",
        "comparison": "less_than",
        "minimum": "5",
        "window": {"mode": "each_month", "length": 24},
    }
    definition = parse_definition({"match": "all", "conditions": [month] * 10})
    lookups = load_lookups([definition])
    rules = [
        compile_rule(definition, lookups=lookups, now=NOW, prefix=f"w{index}_")
        for index in range(7)
    ]
    assert sum(len(rule.measures) for rule in rules) == 1680

    judged = {(customer_id, rules.index(rule)) for customer_id, rule, _row in judge(rules)}

    one_by_one = {(row["pk"], index) for index, rule in enumerate(rules) for row in rule.rows()}
    assert judged == one_by_one
    assert len(judged) == 7 * len(shoppers)  # nobody bought 5 orders in a month


@pytest.mark.django_db
def test_rows_of_no_customers_is_empty(catalog):  # type: ignore[no-untyped-def]
    definition = parse_definition(engineering_definition(catalog))
    rule = compile_rule(definition, lookups=load_lookups([definition]), now=NOW)

    assert rule.rows([]) == []
    assert list(judge([rule], [])) == []


@pytest.mark.django_db
def test_apply_computes_among_the_given_customers_only(shoppers, catalog, store_b):  # type: ignore[no-untyped-def]
    definition = parse_definition(_rules(catalog, store_b)[2])  # no order in 180 days
    rule = compile_rule(definition, lookups=load_lookups([definition]), now=NOW)
    store_b_only = Customer.objects.filter(home_store=store_b)

    with CaptureQueriesContext(connection) as queries:
        picked = set(rule.apply(store_b_only).values_list("pk", flat=True))

    assert picked == {shoppers["elsewhere"].pk}  # "quiet" matches too, but is not in store B
    (statement,) = [q["sql"] for q in queries.captured_queries]
    # the visible customers narrow the aggregate over the lines as well as the result
    assert statement.count('"home_store_id"') >= 3
