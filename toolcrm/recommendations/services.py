"""Writes of the recommendations app: the nightly rule mining (replacing the stored rules in one
transaction) and sending a customer their list (recorded as an interaction, consent checked).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from toolcrm.catalog.models import Product
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.choices import InteractionKind
from toolcrm.customers.models import Customer, Interaction
from toolcrm.customers.selectors import may_market_to
from toolcrm.customers.services import record_interaction
from toolcrm.recommendations import mining
from toolcrm.recommendations.choices import BasketScope, RuleLevel, SendChannel
from toolcrm.recommendations.conf import MiningThresholds, mining_thresholds
from toolcrm.recommendations.models import AssociationRule, RuleMiningRun
from toolcrm.recommendations.selectors import RecommendationList, recommendations_for

# (scope, level) pairs mined every night. Customer baskets are mined at category level only:
# propensity is about kinds of tools, and a customer's product set is too sparse to pair.
MINED = (
    (BasketScope.ORDER, RuleLevel.PRODUCT),
    (BasketScope.ORDER, RuleLevel.CATEGORY),
    (BasketScope.CUSTOMER, RuleLevel.CATEGORY),
)
CHUNK = 1000


@dataclass(frozen=True)
class MiningResult:
    run_id: int
    order_baskets: int
    customer_baskets: int
    rules: int
    seconds: float


def _rule_rows(
    run: RuleMiningRun,
    *,
    scope: str,
    level: str,
    rules: list[mining.MinedRule],
    suggested: dict[int, int],
) -> list[AssociationRule]:
    rows = []
    for rule in rules:
        sides: dict[str, Any]
        if level == RuleLevel.PRODUCT:
            sides = {
                "antecedent_product_id": rule.antecedent,
                "consequent_product_id": rule.consequent,
            }
        else:
            sides = {
                "antecedent_category_id": rule.antecedent,
                "consequent_category_id": rule.consequent,
                "suggested_product_id": suggested.get(rule.consequent),
            }
        rows.append(
            AssociationRule(
                run=run,
                scope=scope,
                level=level,
                basket_count=rule.basket_count,
                antecedent_count=rule.antecedent_count,
                consequent_count=rule.consequent_count,
                pair_count=rule.pair_count,
                support=rule.support,
                confidence=rule.confidence,
                lift=rule.lift,
                **sides,
            )
        )
    return rows


def mine_rules(
    *, now: datetime | None = None, thresholds: MiningThresholds | None = None
) -> MiningResult:
    """Count every scope and level (read-only), then replace all stored rules atomically.

    Idempotent: the same orders give the same rules. The counting runs outside the write
    transaction, so the rules table is locked only for the delete-and-insert."""
    started = time.perf_counter()
    thresholds = thresholds or mining_thresholds()
    counted = {
        (scope, level): mining.count_baskets(scope=scope, level=level, thresholds=thresholds)
        for scope, level in MINED
    }
    product_counts = counted[(BasketScope.ORDER, RuleLevel.PRODUCT)].item_counts
    suggested = mining.best_sellers(
        product_counts=product_counts,
        products=Product.objects.values_list("id", "category_id", "is_active"),
    )
    mined = {
        key: mining.rules_from_counts(counts, thresholds=thresholds)
        for key, counts in counted.items()
    }
    with transaction.atomic():
        AssociationRule.objects.all().delete()
        run = RuleMiningRun.objects.create(
            mined_at=now or timezone.now(),
            order_baskets=counted[(BasketScope.ORDER, RuleLevel.CATEGORY)].baskets,
            customer_baskets=counted[(BasketScope.CUSTOMER, RuleLevel.CATEGORY)].baskets,
            rule_count=sum(len(rules) for rules in mined.values()),
            thresholds=asdict(thresholds),
            duration_seconds=0.0,
        )
        for (scope, level), rules in mined.items():
            AssociationRule.objects.bulk_create(
                _rule_rows(run, scope=scope, level=level, rules=rules, suggested=suggested),
                batch_size=CHUNK,
            )
        run.duration_seconds = round(time.perf_counter() - started, 3)
        run.save(update_fields=["duration_seconds"])
    return MiningResult(
        run_id=run.pk,
        order_baskets=run.order_baskets,
        customer_baskets=run.customer_baskets,
        rules=run.rule_count,
        seconds=run.duration_seconds,
    )


# --- sending a list -----------------------------------------------------------------------

# Where each channel reaches the customer; without it there is nobody to send to.
_CONTACT_FIELD = {
    SendChannel.SMS: "phone",
    SendChannel.WECHAT: "wechat_openid",
    SendChannel.EMAIL: "email",
}


def check_can_send(*, customer: Customer, channel: str) -> None:
    """Raise a ``ValidationError`` saying why the list may not go out on ``channel``: an
    unknown channel, no marketing consent on it (the latest consent event decides), or no
    phone / WeChat / e-mail to send to."""
    if channel not in SendChannel.values:
        raise ValidationError({"channel": _("请选择发送渠道：短信、微信或邮件。")})
    label = SendChannel(channel).label
    if not may_market_to(customer=customer, channel=channel):
        raise ValidationError(
            {
                "channel": _(
                    "客户未同意通过%(channel)s接收营销信息，不能发送。请先在“授权”中登记客户的同意。"
                )
                % {"channel": str(label)}
            }
        )
    if not getattr(customer, _CONTACT_FIELD[SendChannel(channel)]):
        raise ValidationError(
            {"channel": _("客户没有可用的%(channel)s联系方式。") % {"channel": str(label)}}
        )


def list_text(recommendations: RecommendationList) -> str:
    """The list as the customer would read it, in Chinese (the language of the message)."""
    with override("zh-hans"):
        lines = [
            f"{index}. {item.product.brand.name} {item.product.name} {item.product.spec} "
            f"¥{item.product.price:,.2f} — {item.reason.render()}"
            for index, item in enumerate(recommendations.items, start=1)
        ]
    return "\n".join(lines)


@transaction.atomic
def send_recommendation_list(*, user: Any, customer_id: int, channel: str) -> Interaction:
    """Record that the customer's current list was sent on ``channel``.

    Delivery belongs to the marketing module (not built yet): this records the list and the
    channel as an interaction on the customer, after checking consent, so the send is on the
    customer's timeline and auditable. Refused (``ValidationError``, nothing written) without
    consent, without a contact on that channel, or with an empty list."""
    require_capability(user, Capability.RECORD_INTERACTION)
    recommendations = recommendations_for(user=user, customer_id=customer_id)
    customer = recommendations.customer
    check_can_send(customer=customer, channel=channel)
    if not recommendations.items:
        raise ValidationError({"channel": _("该客户目前没有可推荐的商品，无需发送。")})
    with override("zh-hans"):
        header = _("推荐清单（%(channel)s发送，%(count)s 件）：") % {
            "channel": SendChannel(channel).label,
            "count": len(recommendations.items),
        }
    return record_interaction(
        user=user,
        customer=customer,
        kind=InteractionKind.NOTE,
        summary=f"{header}\n{list_text(recommendations)}",
    )
