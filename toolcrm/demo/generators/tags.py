"""Demo phase "客户标签": the chain's rule tags as a marketing manager would define them in the
tag pages (the issue's 工程客户 and 价格敏感型 and five more), then the first full computation of
every rule, behaviour and predictive tag. Runs after insights scoring, because the predictive
tags and the lifecycle condition read its scores."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from toolcrm.accounts.models import User
from toolcrm.catalog.models import Category
from toolcrm.core.roles import Role
from toolcrm.tags.choices import TagKind
from toolcrm.tags.models import TagDefinition
from toolcrm.tags.services import TagWriteResult, recompute_all_tags, save_rule_tag


def _each_month(category_id: int, months: int = 3) -> dict[str, Any]:
    return {
        "type": "purchase",
        "category_id": category_id,
        "measure": "orders",
        "minimum": "1",
        "window": {"mode": "each_month", "length": months},
    }


def _within(days: int, measure: str, minimum: str, **filters: Any) -> dict[str, Any]:
    return {
        "type": "purchase",
        "measure": measure,
        "minimum": minimum,
        "window": {"mode": "days", "length": days},
        **filters,
    }


def demo_rule_tags() -> list[tuple[str, str, dict[str, Any]]]:
    """(name, description, definition) of the demo's rule tags, against the demo catalogue
    (empty when the catalogue is not in the database, e.g. a generate-only run)."""
    category = dict(Category.objects.values_list("code", "pk"))
    if not {"PT", "CS", "GD", "PP"} <= category.keys():
        return []
    return [
        (
            "工程客户",
            "企业客户，近3个月每月都购买电动工具和耗材",
            {
                "match": "all",
                "conditions": [
                    {"type": "profile", "field": "kind", "values": ["company"]},
                    _each_month(category["PT"]),
                    _each_month(category["CS"]),
                ],
            },
        ),
        (
            "价格敏感型",
            "近一年一半以上的消费在打折商品上",
            {
                "match": "all",
                "conditions": [{"type": "discount_share", "percent": "50", "window_days": 365}],
            },
        ),
        (
            "大额采购企业",
            "近一年采购满 5 万元的企业",
            {
                "match": "all",
                "conditions": [
                    {"type": "profile", "field": "kind", "values": ["company"]},
                    _within(365, "amount", "50000"),
                ],
            },
        ),
        (
            "园林季客户",
            "近一年园林工具消费满 1000 元",
            {
                "match": "all",
                "conditions": [_within(365, "amount", "1000", category_id=category["GD"])],
            },
        ),
        (
            "线上活跃",
            "近半年在电商或小程序下单至少 2 次",
            {
                "match": "any",
                "conditions": [
                    _within(180, "orders", "2", channel="ecommerce"),
                    _within(180, "orders", "2", channel="miniprogram"),
                ],
            },
        ),
        (
            "劳保耗材常客",
            "近半年劳保用品至少 20 件",
            {
                "match": "all",
                "conditions": [_within(180, "quantity", "20", category_id=category["PP"])],
            },
        ),
        (
            "值得挽回的老客",
            "处于流失风险或沉睡阶段，但近两年至少买过 3 次",
            {
                "match": "all",
                "conditions": [
                    {
                        "type": "profile",
                        "field": "lifecycle_stage",
                        "values": ["at_risk", "dormant"],
                    },
                    _within(730, "orders", "3"),
                ],
            },
        ),
    ]


def build_demo_tags(*, now: datetime) -> TagWriteResult:
    """Define the demo's rule tags as the HQ marketing login (those not defined yet) and compute
    every tag once."""
    author = User.objects.filter(role=Role.HQ_MARKETING, is_active=True).order_by("pk").first()
    taken = set(TagDefinition.objects.filter(kind=TagKind.RULE).values_list("name", flat=True))
    for name, description, definition in demo_rule_tags():
        if author is None or name in taken:
            continue
        save_rule_tag(
            user=author,
            name=name,
            description=description,
            definition=definition,
            recompute=False,
        )
    return recompute_all_tags(now=now)
