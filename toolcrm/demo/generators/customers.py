"""Phase 3 of the demo data: customers (people and companies), company contacts, consents and
interactions, written in chunks.

Each customer also gets a buying profile that the order phase reads back from compact arrays
(a few bytes per customer, so a million customers stay cheap): its store, its kind of buyer, its
segment (loyal, contractor, occasional, one-off, lapsed, new today), its preferred channel, its
account manager and the moment of its first purchase, which is also when it registered.

A fixed share of the companies are project accounts, drawn by position before any company is
made (so even a small load has them): building firms that order for their sites every month
(the chain's 工程客户), a few of them — construction firms running several sites — big enough
to be VIPs, and some whose project ended a few months ago.
"""

from __future__ import annotations

import random
from array import array
from dataclasses import dataclass, field
from datetime import date
from itertools import accumulate

from toolcrm.customers.choices import AgeBand, CompanyType, CustomerKind, Gender, SourceChannel
from toolcrm.customers.models import CompanyContact, Customer
from toolcrm.demo.data.people import (
    COMPANY_SUFFIXES,
    COMPANY_TYPE_WEIGHTS,
    CONTACT_TITLES,
    CREW_TRADES,
    EMAIL_DOMAINS,
    MOBILE_PREFIXES,
    OCCUPATIONS,
    TRADE_NAME_FIRST,
    TRADE_NAME_SECOND,
)
from toolcrm.demo.data.places import COMPOUNDS, INDUSTRIAL_PARKS, District
from toolcrm.demo.data.texts import CUSTOMER_NOTES
from toolcrm.demo.generators import identifiers
from toolcrm.demo.generators.activity import ActivityBuilder
from toolcrm.demo.generators.catalog import CatalogData
from toolcrm.demo.generators.clock import HISTORY_DAYS, Clock
from toolcrm.demo.generators.names import NameMaker
from toolcrm.demo.generators.picker import COMPANY, HOUSEHOLD, TRADE
from toolcrm.demo.generators.reference import ReferenceData, StoreInfo
from toolcrm.demo.generators.weighted import Weighted
from toolcrm.demo.generators.writer import BulkWriter, IdSequence

LOYAL, CONTRACTOR, OCCASIONAL, ONE_OFF, LAPSED, NEW_TODAY = range(6)
# Project accounts (companies only): the key accounts buy at VIP level, PROJECT orders for its
# site every month, PAST_PROJECT did until a few months ago.
KEY_ACCOUNT, PROJECT, PAST_PROJECT = range(6, 9)
PROJECT_SEGMENTS = frozenset({KEY_ACCOUNT, PROJECT, PAST_PROJECT})
CHANNELS = ("pos", "ecommerce", "miniprogram", "b2b")
COMPANY_SHARE = 0.085
EXISTING_BASE_SHARE = 0.35
CHUNK = 2000
KEY_ACCOUNT_SHARE = 0.025  # of the companies: 4 of the default load's 170
PROJECT_SHARE = 0.2  # of the companies, key accounts included
PAST_PROJECT_EVERY = 6  # every sixth project account (after the key accounts) has finished

SEGMENT_WEIGHTS: dict[int, tuple[float, ...]] = {
    #          loyal contractor occasional one-off lapsed
    HOUSEHOLD: (6, 0, 46, 26, 22),
    TRADE: (12, 35, 30, 8, 15),
    COMPANY: (0, 50, 32, 0, 18),
}
PERSON_SOURCES = Weighted(
    [
        (SourceChannel.STORE, 48), (SourceChannel.ECOMMERCE, 12), (SourceChannel.MINIPROGRAM, 15),
        (SourceChannel.WECHAT, 10), (SourceChannel.SERVICE_DESK, 3), (SourceChannel.REFERRAL, 7),
    ]
)  # fmt: skip
COMPANY_SOURCES = Weighted(
    [(SourceChannel.B2B, 70), (SourceChannel.STORE, 20), (SourceChannel.REFERRAL, 10)]
)
PREFERRED_CHANNEL = {
    SourceChannel.ECOMMERCE: 1, SourceChannel.MINIPROGRAM: 2, SourceChannel.WECHAT: 2,
    SourceChannel.B2B: 3,
}  # fmt: skip
AGES = Weighted([(22, 8), (30, 30), (40, 30), (50, 20), (60, 12)])
PREFIXES = Weighted(MOBILE_PREFIXES)
EMAIL = Weighted(EMAIL_DOMAINS)
COMPANY_TYPES = Weighted(COMPANY_TYPE_WEIGHTS)
# Who orders for a site every month: renovation firms, builders, a factory's maintenance shop.
PROJECT_COMPANY_TYPES = Weighted(
    [(CompanyType.RENOVATION, 50), (CompanyType.CONSTRUCTION_CREW, 40), (CompanyType.FACTORY, 10)]
)
JOBS = Weighted((occupation, weight) for occupation, weight, _ in OCCUPATIONS)
TRADES = frozenset(occupation for occupation, _, is_trade in OCCUPATIONS if is_trade)


@dataclass
class CustomerProfiles:
    """Buying profile of customers ``first_id``, ``first_id + 1``, … (one array slot each)."""

    first_id: int
    store_index: array[int] = field(default_factory=lambda: array("B"))
    buyer: array[int] = field(default_factory=lambda: array("B"))
    segment: array[int] = field(default_factory=lambda: array("B"))
    channel: array[int] = field(default_factory=lambda: array("B"))
    manager_id: array[int] = field(default_factory=lambda: array("q"))
    first_seen: array[int] = field(default_factory=lambda: array("q"))

    def __len__(self) -> int:
        return len(self.segment)


class CustomerBuilder:
    def __init__(
        self,
        *,
        rng: random.Random,
        activity_rng: random.Random,
        reference: ReferenceData,
        catalog: CatalogData,
        clock: Clock,
        writer: BulkWriter,
        count: int,
    ) -> None:
        self.rng = rng
        # Identities (names, phones …) draw from ``rng`` only; whatever depends on the moment of
        # loading draws from ``activity_rng``, so the same seed gives the same people any day.
        self.activity_rng = activity_rng
        self.reference = reference
        self.clock = clock
        self.writer = writer
        self.count = count
        self.names = NameMaker(rng)
        self.activity = ActivityBuilder(
            rng=activity_rng, catalog=catalog, clock=clock, writer=writer
        )
        self.ids = IdSequence(Customer)
        self.profiles = CustomerProfiles(first_id=self.ids.next_id)
        self.phone_offset = rng.randrange(10**8)
        self.landline_offset = rng.randrange(10**7)
        self.card_offset = rng.randrange(10**10)
        self.phones_issued = 0
        self.cards_issued = 0
        self.company_names: set[str] = set()
        self.companies_made = 0
        self.company_indexes = set(rng.sample(range(count), round(count * COMPANY_SHARE)))
        self.project_accounts = _project_accounts(activity_rng, len(self.company_indexes))
        self.key_accounts_made = 0
        self.new_today_share = min(0.05, 1.5 * len(reference.stores) / max(count, 1))
        self.store_weights = list(accumulate(store.weight for store in reference.stores))

    def build(self) -> CustomerProfiles:
        for index in range(self.count):
            store = self.rng.choices(self.reference.stores, cum_weights=self.store_weights)[0]
            segment = None
            if index in self.company_indexes:
                segment = self.project_accounts.get(self.companies_made)
                customer, buyer = self._company(store, segment=segment), COMPANY
            else:
                customer, buyer = self._person(store)
            self._profile(customer, store=store, buyer=buyer, segment=segment)
            if (index + 1) % CHUNK == 0:
                self.writer.flush()
        self.writer.flush()
        return self.profiles

    # --- identities -------------------------------------------------------------------------

    def _mobile(self) -> str:
        self.phones_issued += 1
        prefix = PREFIXES.draw(self.rng)
        return identifiers.mobile(index=self.phones_issued, prefix=prefix, offset=self.phone_offset)

    def _email(self, pinyin: str) -> str:
        domain = EMAIL.draw(self.rng)
        if domain == "qq.com" and self.rng.random() < 0.7:
            return f"{self.rng.randint(10_000_000, 3_999_999_999)}@qq.com"
        return f"{pinyin}{self.rng.randint(1, 9999)}@{domain}"

    def _address(self, store: StoreInfo, *, is_company: bool) -> tuple[District, str]:
        rng = self.rng
        city = store.city
        district = store.home_district if rng.random() < 0.45 else rng.choice(city.districts)
        street = f"{rng.choice(district.streets)}{rng.randint(1, 1999)}号"
        if is_company:
            return district, f"{street}{rng.choice(INDUSTRIAL_PARKS)}{rng.randint(1, 12)}栋"
        room = f"{rng.randint(1, 32)}{rng.randint(1, 4):02d}室"
        return district, f"{street}{rng.choice(COMPOUNDS)}{rng.randint(1, 30)}栋{room}"

    # --- people -----------------------------------------------------------------------------

    def _person(self, store: StoreInfo) -> tuple[Customer, int]:
        rng = self.rng
        person = self.names.make(region=store.region_code, is_male=rng.random() < 0.74)
        occupation = JOBS.draw(rng)
        source = PERSON_SOURCES.draw(rng)
        age = AGES.draw(rng) + rng.randint(-4, 5)
        birthday = None
        if rng.random() < 0.55:
            birthday = date(self.clock.today.year - age, rng.randint(1, 12), rng.randint(1, 28))
        district, street = self._address(store, is_company=False)
        has_wechat = source in (SourceChannel.MINIPROGRAM, SourceChannel.WECHAT) or (
            rng.random() < 0.3
        )
        customer = Customer(
            id=self.ids.take(),
            kind=CustomerKind.PERSON,
            name=person.name,
            phone=self._mobile(),
            phone_secondary=self._mobile() if rng.random() < 0.05 else "",
            member_card_no=self._member_card() if rng.random() < 0.85 else None,
            email=self._email(person.pinyin) if rng.random() < 0.22 else "",
            wechat_openid=identifiers.wechat_id(rng=rng, prefix="o") if has_wechat else "",
            wechat_unionid=(
                identifiers.wechat_id(rng=rng, prefix="oU")
                if has_wechat and rng.random() < 0.8
                else ""
            ),
            birthday=birthday,
            gender=Gender.MALE if person.is_male else Gender.FEMALE,
            age_band=_age_band(age) if birthday or rng.random() < 0.5 else AgeBand.UNKNOWN,
            occupation=occupation,
            home_store_id=store.id,
            province=store.city.province,
            city=store.city.name,
            district=district.name,
            street=street if rng.random() < 0.7 else "",
            adcode=district.adcode,
            source_channel=source,
            notes=rng.choice(CUSTOMER_NOTES) if rng.random() < 0.12 else "",
            created_by_id=rng.choice(store.clerk_ids) if source == SourceChannel.STORE else None,
        )
        if birthday and rng.random() < 0.08:
            customer.id_card_no = identifiers.id_card_no(
                adcode=district.adcode,
                birthday=birthday,
                sequence=self.phones_issued,
                is_male=person.is_male,
            )
        self.writer.add(customer)
        return customer, TRADE if occupation in TRADES else HOUSEHOLD

    def _member_card(self) -> str:
        self.cards_issued += 1
        return identifiers.member_card_no(index=self.cards_issued, offset=self.card_offset)

    # --- companies --------------------------------------------------------------------------

    def _company(self, store: StoreInfo, *, segment: int | None) -> Customer:
        rng = self.rng
        company_type: str
        if segment == KEY_ACCOUNT:  # a construction firm, not a self-employed crew
            company_type, is_crew = CompanyType.CONSTRUCTION_CREW, False
        else:
            types = COMPANY_TYPES if segment is None else PROJECT_COMPANY_TYPES
            company_type = types.draw(rng)
            is_crew = company_type == CompanyType.CONSTRUCTION_CREW and rng.random() < 0.4
        name = self._company_name(store, company_type, is_crew=is_crew)
        district, street = self._address(store, is_company=True)
        self.companies_made += 1
        # A fixed rotation rather than a draw: even a tiny load gives the b2b login accounts.
        slot = self.companies_made % 20
        manager = (
            self.reference.demo_b2b_manager_id
            if slot < 9
            else self.reference.other_b2b_manager_id
            if slot < 14
            else None
        )
        if segment == KEY_ACCOUNT:
            # Every key account has its manager, the first one the b2b demo login.
            self.key_accounts_made += 1
            if self.key_accounts_made % 2:
                manager = self.reference.demo_b2b_manager_id
            else:
                manager = self.reference.other_b2b_manager_id
        elif segment is not None and manager is None:
            manager = self.reference.other_b2b_manager_id
        self.phones_issued += 1
        company = Customer(
            id=self.ids.take(),
            kind=CustomerKind.COMPANY,
            name=name,
            phone=identifiers.landline(
                index=self.phones_issued,
                area_code=store.city.area_code,
                offset=self.landline_offset,
            ),
            phone_secondary=self._mobile() if rng.random() < 0.5 else "",
            member_card_no=self._member_card() if rng.random() < 0.3 else None,
            company_type=company_type,
            credit_code=identifiers.credit_code(
                rng=rng, adcode=district.adcode, is_individual=is_crew
            ),
            home_store_id=store.id,
            account_manager_id=manager,
            province=store.city.province,
            city=store.city.name,
            district=district.name,
            street=street,
            adcode=district.adcode,
            source_channel=COMPANY_SOURCES.draw(rng),
            notes="月结客户，需开增值税专用发票" if manager and rng.random() < 0.5 else "",
            created_by_id=manager,
        )
        self.writer.add(company)
        for position in range(rng.choice((2, 2, 3))):
            self._contact(company, is_primary=position == 0, region=store.region_code)
        return company

    def _company_name(self, store: StoreInfo, company_type: str, *, is_crew: bool) -> str:
        rng = self.rng
        for attempt in range(20):
            if is_crew:
                surname = self.names.make(region=store.region_code).name[0]
                name = f"{surname}记{rng.choice(CREW_TRADES)}施工队"
            else:
                trade_name = rng.choice(TRADE_NAME_FIRST) + rng.choice(TRADE_NAME_SECOND)
                place = store.city.short
                if attempt >= 10:  # crowded: add the district, as the registry would require
                    place += rng.choice(store.city.districts).name[:2]
                name = f"{place}{trade_name}{rng.choice(COMPANY_SUFFIXES[company_type])}"
            if name not in self.company_names:
                break
        self.company_names.add(name)
        return name

    def _contact(self, company: Customer, *, is_primary: bool, region: str) -> None:
        person = self.names.make(region=region, is_male=self.rng.random() < 0.7)
        self.writer.add(
            CompanyContact(
                company_id=company.pk,
                name=person.name,
                title=self.rng.choice(CONTACT_TITLES),
                phone=self._mobile(),
                email=self._email(person.pinyin) if self.rng.random() < 0.4 else "",
                is_primary=is_primary,
            )
        )

    def _first_purchase_days_ago(self, segment: int) -> int:
        """Many customers were already buying when the two years began (their first purchase
        in the window falls in its first months); the others joined along the way."""
        rng = self.activity_rng
        if segment == KEY_ACCOUNT or rng.random() < EXISTING_BASE_SHARE:
            return rng.randint(HISTORY_DAYS - 120, HISTORY_DAYS - 1)
        # A project account bought for a while before its current project.
        return rng.randint(
            200 if segment in (LAPSED, PROJECT, PAST_PROJECT) else 0, HISTORY_DAYS - 1
        )

    # --- buying profile ---------------------------------------------------------------------

    def _profile(
        self, customer: Customer, *, store: StoreInfo, buyer: int, segment: int | None
    ) -> None:
        rng = self.activity_rng
        if segment is not None:
            days_ago = self._first_purchase_days_ago(segment)
        elif buyer != COMPANY and rng.random() < self.new_today_share:
            segment, days_ago = NEW_TODAY, 0
        else:
            segment = rng.choices(range(5), weights=SEGMENT_WEIGHTS[buyer])[0]
            days_ago = self._first_purchase_days_ago(segment)
        channel = PREFERRED_CHANNEL.get(SourceChannel(customer.source_channel), 0)
        if channel == 0:
            minute = rng.randint(store.opens_at, store.closes_at - 15)
        else:
            minute = int(rng.triangular(420, 1439, 1230))
        first_seen = self.clock.timestamp(days_ago=days_ago, minute=minute, rng=rng)
        profiles = self.profiles
        profiles.store_index.append(store.index)
        profiles.buyer.append(buyer)
        profiles.segment.append(segment)
        profiles.channel.append(channel)
        profiles.manager_id.append(customer.account_manager_id or 0)
        profiles.first_seen.append(first_seen)
        self.activity.add_for(customer, store=store, first_seen=first_seen, buyer=buyer)


def _project_accounts(rng: random.Random, companies: int) -> dict[int, int]:
    """Segment of the project accounts by company position (0 for the first company made):
    ``KEY_ACCOUNT_SHARE`` key accounts (at least one), then project accounts up to
    ``PROJECT_SHARE`` (at least two), every ``PAST_PROJECT_EVERY``-th of those finished."""
    if not companies:
        return {}
    keys = max(1, round(companies * KEY_ACCOUNT_SHARE))
    chosen = rng.sample(
        range(companies), min(companies, max(keys + 2, round(companies * PROJECT_SHARE)))
    )
    return {
        position: KEY_ACCOUNT
        if rank < keys
        else PAST_PROJECT
        if (rank - keys) % PAST_PROJECT_EVERY == PAST_PROJECT_EVERY - 1
        else PROJECT
        for rank, position in enumerate(chosen)
    }


def _age_band(age: int) -> str:
    if age < 25:
        return AgeBand.UNDER_25
    if age < 35:
        return AgeBand.FROM_25
    if age < 45:
        return AgeBand.FROM_35
    if age < 55:
        return AgeBand.FROM_45
    return AgeBand.FROM_55
