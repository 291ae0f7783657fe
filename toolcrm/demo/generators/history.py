"""Phases 4 and 5 of the demo data: two years of orders, and the store's day.

Each customer's orders follow its segment: the loyal core buys about monthly, contractors every
few weeks, occasional buyers a handful of times, lapsed customers stopped 6–18 months ago. Dates
are nudged towards busy days (``seasons.day_weight``), channels follow the customer's habits with
e-commerce taking over on 618 and 双11, and walk-in POS sales without a customer fill the stores.
Project accounts also order for their sites every month of their project (power tools and
consumables in bulk), the key accounts enough that their last twelve months pass the VIP
threshold of the insights settings.
The store's day then gives every store a few orders today and interactions in the last days, so
the home page has something to show whenever the demo is loaded.
"""

from __future__ import annotations

import math
import random
from decimal import Decimal

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from toolcrm.customers.models import Customer
from toolcrm.demo.generators.activity import ActivityBuilder
from toolcrm.demo.generators.clock import DAY, HISTORY_DAYS, Clock
from toolcrm.demo.generators.customers import (
    CHANNELS,
    CONTRACTOR,
    KEY_ACCOUNT,
    LAPSED,
    LOYAL,
    OCCASIONAL,
    PAST_PROJECT,
    PROJECT_SEGMENTS,
    CustomerProfiles,
)
from toolcrm.demo.generators.orders import OrderBuilder
from toolcrm.demo.generators.picker import COMPANY, HOUSEHOLD, TRADE, site_quantity
from toolcrm.demo.generators.reference import ReferenceData, StoreInfo
from toolcrm.demo.generators.seasons import MONTH_FACTORS, day_weight, is_shopping_festival
from toolcrm.demo.generators.writer import BulkWriter
from toolcrm.insights.conf import thresholds
from toolcrm.sales.models import Order

POS, ECOMMERCE, MINIPROGRAM, B2B = range(4)
WALK_IN_SHARE = 0.15  # walk-in sales per customer order
REGULAR_SEGMENTS = frozenset({LOYAL, CONTRACTOR, OCCASIONAL}) | PROJECT_SEGMENTS
SITE_MONTHS = HISTORY_DAYS // 30  # the months a key account's site orders go back
# A key account's yearly volume, as a multiple of the VIP threshold: comfortably above it.
KEY_ACCOUNT_VOLUME = (1.05, 1.4)
MAX_SITE_ORDERS_PER_MONTH = 8


class HistoryBuilder:
    def __init__(
        self,
        *,
        rng: random.Random,
        reference: ReferenceData,
        clock: Clock,
        orders: OrderBuilder,
        writer: BulkWriter,
    ) -> None:
        self.rng = rng
        self.stores = reference.stores
        self.clock = clock
        self.orders = orders
        self.writer = writer
        self.vip_threshold = thresholds().vip_threshold

    # --- customers' orders ------------------------------------------------------------------

    def customer_orders(self, profiles: CustomerProfiles) -> None:
        for index in range(len(profiles)):
            self._orders_of(profiles, index)
            self.writer.flush_if_full()
        self.writer.flush()

    def _orders_of(self, profiles: CustomerProfiles, index: int) -> None:
        rng = self.rng
        store = self.stores[profiles.store_index[index]]
        buyer = profiles.buyer[index]
        preferred = profiles.channel[index]
        manager = profiles.manager_id[index] or None
        first_seen = profiles.first_seen[index]
        orders = [(first_seen, preferred)]  # the first order is when they registered
        for days_ago in self._schedule(profiles.segment[index], first_seen, buyer):
            channel = self._channel(preferred, buyer, days_ago)
            minute = self._minute(store, channel)
            orders.append(
                (self.clock.timestamp(days_ago=days_ago, minute=minute, rng=rng), channel)
            )
        for moment, channel in orders:
            self.orders.add(
                moment=moment,
                channel=CHANNELS[channel],
                store=store,
                customer_id=profiles.first_id + index,
                buyer=buyer,
                staff_id=self._staff(store, channel, manager),
            )
        if profiles.segment[index] in PROJECT_SEGMENTS:
            self._site_orders(profiles, index, store)

    def _schedule(self, segment: int, first_seen: int, buyer: int) -> list[int]:
        """Days ago of the orders after the first one."""
        rng = self.rng
        first = self._first_days_ago(first_seen)
        latest = 0
        if segment in (LOYAL, CONTRACTOR) or segment in PROJECT_SEGMENTS:
            low, high = (28, 52) if segment == LOYAL else (20, 60) if buyer == COMPANY else (20, 55)
            days, day = [], first - rng.randint(low, high)
            while day >= 0:
                days.append(day)
                day -= rng.randint(low, high)
        elif segment == OCCASIONAL:
            days = [rng.randint(0, first - 1) for _ in range(rng.randint(1, 3))] if first else []
        elif segment == LAPSED and first > 181:
            latest = rng.randint(180, min(540, first - 1))
            days = [latest] + [rng.randint(latest, first - 1) for _ in range(rng.randint(0, 3))]
        else:
            return []
        return [self._busier_day(day, low=latest, high=max(first - 1, latest)) for day in days]

    def _first_days_ago(self, first_seen: int) -> int:
        return max(0, math.ceil((self.clock.today_start_ts - first_seen) / DAY))

    # --- project accounts' site orders --------------------------------------------------------

    def _site_orders(self, profiles: CustomerProfiles, index: int, store: StoreInfo) -> None:
        """B2B orders for the account's sites, in every month of its project (months counted
        back from today as the "each month" rule tags count them). A project account orders
        once or twice a month; a key account, a construction firm with several sites, orders
        until the month's share of its yearly volume is reached (more in the spring and autumn
        building seasons, less in February and in the summer heat)."""
        rng = self.rng
        segment = profiles.segment[index]
        if segment == KEY_ACCOUNT:
            months = range(SITE_MONTHS)
            volume = self.vip_threshold * Decimal(str(round(rng.uniform(*KEY_ACCOUNT_VOLUME), 3)))
        else:
            ended = rng.randint(1, 3) if segment == PAST_PROJECT else 0
            months = range(ended, ended + rng.randint(3, 14))
            volume = Decimal(0)
        first = self._first_days_ago(profiles.first_seen[index])
        mean_factor = sum(MONTH_FACTORS) / len(MONTH_FACTORS)
        windows = self.clock.month_windows(months.stop)
        for month in months:
            newest, oldest = windows[month][0], min(windows[month][1], first - 1)
            if newest > oldest:
                break  # before the account's first purchase
            month_of_year = self.clock.day((newest + oldest) // 2).month
            factor = Decimal(str(round(MONTH_FACTORS[month_of_year - 1] / mean_factor, 3)))
            budget = volume / 12 * factor
            spent, placed = Decimal(0), 0
            target_orders = 2 if segment != KEY_ACCOUNT and rng.random() < 0.3 else 1
            while placed < target_orders or (spent < budget and placed < MAX_SITE_ORDERS_PER_MONTH):
                spent += self._site_order(
                    profiles, index, store, days_ago=rng.randint(newest, oldest)
                )
                placed += 1

    def _site_order(
        self, profiles: CustomerProfiles, index: int, store: StoreInfo, *, days_ago: int
    ) -> Decimal:
        rng = self.rng
        is_large = profiles.segment[index] == KEY_ACCOUNT
        moment = self.clock.timestamp(days_ago=days_ago, minute=self._minute(store, B2B), rng=rng)
        products = self.orders.picker.site_order(
            rng, month=self.clock.at(moment).month, is_large=is_large
        )
        order = self.orders.add(
            moment=moment,
            channel=CHANNELS[B2B],
            store=store,
            customer_id=profiles.first_id + index,
            buyer=COMPANY,
            staff_id=self._staff(store, B2B, profiles.manager_id[index] or None),
            basket=[(info, site_quantity(rng, info=info, is_large=is_large)) for info in products],
        )
        return order.total

    def _busier_day(self, day: int, *, low: int, high: int) -> int:
        """Of the planned day and two nearby ones, favour the busier (seasonality, festivals)."""
        rng = self.rng
        candidates = [day] + [min(max(day + rng.randint(-10, 10), low), high) for _ in range(2)]
        weights = [day_weight(self.clock.day(candidate)) for candidate in candidates]
        return rng.choices(candidates, weights=weights)[0]

    def _channel(self, preferred: int, buyer: int, days_ago: int) -> int:
        rng = self.rng
        if buyer == COMPANY:
            return B2B if rng.random() < 0.75 else POS
        if is_shopping_festival(self.clock.day(days_ago)) and rng.random() < 0.4:
            return ECOMMERCE
        draw = rng.random()
        if preferred == ECOMMERCE:
            return ECOMMERCE if draw < 0.7 else POS if draw < 0.9 else MINIPROGRAM
        if preferred == MINIPROGRAM:
            return MINIPROGRAM if draw < 0.6 else POS if draw < 0.95 else ECOMMERCE
        return POS if draw < 0.85 else MINIPROGRAM if draw < 0.93 else ECOMMERCE

    def _minute(self, store: StoreInfo, channel: int) -> int:
        if channel == POS:
            return self.rng.randint(store.opens_at, store.closes_at - 10)
        if channel == B2B:
            return self.rng.randint(9 * 60, 18 * 60)
        return int(self.rng.triangular(420, 1439, 1230))

    def _staff(self, store: StoreInfo, channel: int, manager: int | None) -> int | None:
        if channel == POS:
            return self.rng.choice((*store.clerk_ids, store.manager_id))
        if channel == B2B:
            return manager or store.manager_id
        return None

    # --- walk-in sales ----------------------------------------------------------------------

    def walk_ins(self, *, customer_orders: int) -> None:
        """POS sales without a customer record, spread over the two years by how busy each day
        is; about ``WALK_IN_SHARE`` of the customer orders."""
        rng = self.rng
        weights = [day_weight(self.clock.day(days_ago)) for days_ago in range(HISTORY_DAYS)]
        store_total = sum(store.weight for store in self.stores)
        rate = customer_orders * WALK_IN_SHARE / (sum(weights) * store_total)
        for days_ago in range(HISTORY_DAYS - 1, 0, -1):
            for store in self.stores:
                for _ in range(_poisson(rng, rate * weights[days_ago] * store.weight)):
                    self._walk_in(store, days_ago)
            self.writer.flush_if_full()
        self.writer.flush()

    def _walk_in(self, store: StoreInfo, days_ago: int) -> None:
        rng = self.rng
        minute = self._minute(store, POS)
        self.orders.add(
            moment=self.clock.timestamp(days_ago=days_ago, minute=minute, rng=rng),
            channel=CHANNELS[POS],
            store=store,
            customer_id=None,
            buyer=TRADE if rng.random() < 0.3 else HOUSEHOLD,
            staff_id=self._staff(store, POS, None),
            max_lines=3,
        )

    # --- the store's day --------------------------------------------------------------------

    def store_day(self, profiles: CustomerProfiles, activity: ActivityBuilder) -> None:
        """A few orders today in every store (regulars and walk-ins) and interactions in the
        last three days, then each customer's registration time set to their first purchase."""
        rng = self.rng
        regulars: dict[int, list[int]] = {store.index: [] for store in self.stores}
        for index in range(len(profiles)):
            if (
                profiles.segment[index] in REGULAR_SEGMENTS
                and profiles.first_seen[index] < self.clock.today_start_ts
            ):
                regulars[profiles.store_index[index]].append(index)
        for store in self.stores:
            chosen = rng.sample(regulars[store.index], min(len(regulars[store.index]), 4))
            buying = chosen[: rng.randint(2, 4)]
            for index in buying:
                self._today_order(store, profiles, index)
            for _ in range(max(rng.randint(1, 3), 3 - len(buying))):
                self._walk_in(store, 0)
            customers = Customer.objects.filter(pk__in=[profiles.first_id + i for i in chosen])
            for number, customer in enumerate(customers.order_by("pk")):
                for days_ago in (0, rng.randint(0, 2)) if number < 2 else (rng.randint(1, 3),):
                    moment = self.clock.timestamp(
                        days_ago=days_ago, minute=self._minute(store, POS), rng=rng
                    )
                    activity.interaction(customer, store=store, moment=moment)
        self.writer.flush()
        _registration_at_first_purchase(first_id=profiles.first_id)

    def _today_order(self, store: StoreInfo, profiles: CustomerProfiles, index: int) -> None:
        buyer = profiles.buyer[index]
        channel = B2B if buyer == COMPANY else POS
        self.orders.add(
            moment=self.clock.timestamp(
                days_ago=0, minute=self._minute(store, channel), rng=self.rng
            ),
            channel=CHANNELS[channel],
            store=store,
            customer_id=profiles.first_id + index,
            buyer=buyer,
            staff_id=self._staff(store, channel, profiles.manager_id[index] or None),
        )


def _registration_at_first_purchase(*, first_id: int) -> None:
    """``created_at`` is filled on insert (auto_now_add); one set-based UPDATE moves it to the
    customer's first order, which the generator placed at the moment they registered."""
    first_order = (
        Order.objects.filter(customer=OuterRef("pk")).order_by("ordered_at").values("ordered_at")
    )
    Customer.objects.filter(pk__gte=first_id).update(
        created_at=Coalesce(Subquery(first_order[:1]), F("created_at"))
    )


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count
