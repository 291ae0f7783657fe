"""Consents and interactions of a demo customer.

Consents are append-only events: given at registration (a service SMS almost always, marketing on
some channels), some marketing consents later withdrawn, a few of those granted again. Interactions
(visits, calls, consultations, complaints, notes) are spread over the customer's history and
written by the store's staff, or by the account manager for companies.
"""

from __future__ import annotations

import random

from toolcrm.customers.choices import (
    ConsentChannel,
    ConsentPurpose,
    CustomerKind,
    InteractionKind,
    SourceChannel,
)
from toolcrm.customers.models import Consent, Customer, Interaction
from toolcrm.demo.data.texts import (
    CONSENT_SOURCES,
    INTERACTION_KIND_WEIGHTS,
    INTERACTION_TEMPLATES,
    WITHDRAWAL_SOURCES,
)
from toolcrm.demo.generators.catalog import CatalogData
from toolcrm.demo.generators.clock import DAY, Clock
from toolcrm.demo.generators.picker import COMPANY, TRADE
from toolcrm.demo.generators.reference import StoreInfo
from toolcrm.demo.generators.weighted import Weighted
from toolcrm.demo.generators.writer import BulkWriter, Rows

IN_STORE_SOURCES = frozenset(
    {SourceChannel.STORE, SourceChannel.SERVICE_DESK, SourceChannel.REFERRAL}
)
new_consent = Rows(
    Consent,
    "id customer_id channel purpose is_granted source recorded_at recorded_by_id store_id",
)
new_interaction = Rows(Interaction, "id customer_id kind summary staff_id store_id occurred_at")
INTERACTION_KINDS = Weighted(INTERACTION_KIND_WEIGHTS)


class ActivityBuilder:
    def __init__(
        self, *, rng: random.Random, catalog: CatalogData, clock: Clock, writer: BulkWriter
    ) -> None:
        self.rng = rng
        self.catalog = catalog
        self.clock = clock
        self.writer = writer

    def add_for(self, customer: Customer, *, store: StoreInfo, first_seen: int, buyer: int) -> None:
        if self.rng.random() < 0.8:
            self._consents(customer, store=store, first_seen=first_seen)
        since = max(0, (self.clock.today_start_ts - first_seen) // DAY)
        for _ in range(self._interaction_count(buyer)):
            moment = self.clock.timestamp(
                days_ago=self.rng.randint(0, since),
                minute=self.rng.randint(store.opens_at, store.closes_at - 1),
                rng=self.rng,
            )
            self.interaction(customer, store=store, moment=max(moment, first_seen))

    def _interaction_count(self, buyer: int) -> int:
        rng = self.rng
        if buyer == COMPANY:
            return rng.randint(1, 5)
        if buyer == TRADE:
            return rng.randint(0, 3)
        return rng.choices((0, 1, 2, 3), weights=(45, 35, 15, 5))[0]

    # --- consents ---------------------------------------------------------------------------

    def _consents(self, customer: Customer, *, store: StoreInfo, first_seen: int) -> None:
        rng = self.rng
        source = SourceChannel(customer.source_channel)
        in_store = source in IN_STORE_SOURCES
        recorded_by = rng.choice(store.clerk_ids) if in_store else None
        at = first_seen + rng.randint(0, 600)
        wanted = [(ConsentChannel.SMS, ConsentPurpose.SERVICE, True)]
        wanted.append((ConsentChannel.SMS, ConsentPurpose.MARKETING, rng.random() < 0.65))
        if customer.wechat_openid:
            wanted.append((ConsentChannel.WECHAT, ConsentPurpose.MARKETING, rng.random() < 0.6))
            if rng.random() < 0.35:
                wanted.append((ConsentChannel.WECHAT, ConsentPurpose.ANALYTICS, True))
        if customer.email and rng.random() < 0.5:
            wanted.append((ConsentChannel.EMAIL, ConsentPurpose.MARKETING, True))
        if customer.kind == CustomerKind.COMPANY or rng.random() < 0.3:
            wanted.append((ConsentChannel.PHONE, ConsentPurpose.SERVICE, True))
        for channel, purpose, granted in wanted:
            self._consent(customer, channel, purpose, granted, at=at, store=store, by=recorded_by)
            if not (granted and purpose == ConsentPurpose.MARKETING and rng.random() < 0.12):
                continue
            withdrawn_at = rng.randint(at, max(at, self.clock.now_ts))
            self._consent(
                customer, channel, purpose, False, at=withdrawn_at, source=WITHDRAWAL_SOURCES
            )
            if rng.random() < 0.2:
                again = rng.randint(withdrawn_at, max(withdrawn_at, self.clock.now_ts))
                self._consent(customer, channel, purpose, True, at=again, store=store, by=None)

    def _consent(
        self,
        customer: Customer,
        channel: str,
        purpose: str,
        granted: bool,
        *,
        at: int,
        store: StoreInfo | None = None,
        by: int | None = None,
        source: tuple[str, ...] = (),
    ) -> None:
        text = self.rng.choice(source) if source else CONSENT_SOURCES[str(customer.source_channel)]
        store_id = store.id if store and by else None
        self.writer.add(
            new_consent(
                None, customer.pk, channel, purpose, granted, text, self.clock.at(at), by, store_id
            )
        )

    # --- interactions -----------------------------------------------------------------------

    def interaction(self, customer: Customer, *, store: StoreInfo, moment: int) -> None:
        rng = self.rng
        kind = INTERACTION_KINDS.draw(rng)
        if kind == InteractionKind.COMPLAINT:
            staff = store.manager_id
        elif customer.account_manager_id and rng.random() < 0.7:
            staff = customer.account_manager_id
        else:
            staff = rng.choice((*store.clerk_ids, store.technician_id))
        brand, brand2 = rng.sample(self.catalog.tool_brand_names, 2)
        summary = rng.choice(INTERACTION_TEMPLATES[kind]).format(
            category=rng.choice(self.catalog.tool_category_names),
            brand=brand,
            brand2=brand2,
            months=rng.choice((12, 24)),
            occupation=customer.occupation or "老客户",
        )
        occurred_at = self.clock.at(moment)
        self.writer.add(
            new_interaction(None, customer.pk, kind, summary, staff, store.id, occurred_at)
        )
