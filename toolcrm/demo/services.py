"""Loading the demo data set: five phases (stores and staff, catalog and stock, customers, order
history, the store's day), each reported with its row counts and time. The whole load is one
transaction, so an interrupted load (Ctrl-C during the first ``make run``) leaves the database
empty and the next ``load_demo --if-empty`` starts again instead of refusing a half-loaded one.

The data depend only on the seed, the number of customers and the moment of loading: every phase
draws from its own ``random.Random`` seeded with ``"<seed>:<phase>"``, so one phase's draws never
shift another's, and all dates are placed relative to ``now``. Who the customers are (names,
phones, cards, companies) does not depend on ``now`` at all.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from toolcrm.accounts.models import User
from toolcrm.catalog.models import Brand, Category, Product
from toolcrm.customers.models import Customer
from toolcrm.demo.generators.activity import ActivityBuilder
from toolcrm.demo.generators.catalog import CatalogBuilder, CatalogData, build_stock
from toolcrm.demo.generators.clock import Clock
from toolcrm.demo.generators.customers import CustomerBuilder, CustomerProfiles
from toolcrm.demo.generators.duplicates import plant_duplicates
from toolcrm.demo.generators.history import HistoryBuilder
from toolcrm.demo.generators.loyalty import build_loyalty
from toolcrm.demo.generators.orders import OrderBuilder
from toolcrm.demo.generators.recommendations import mine_demo_rules
from toolcrm.demo.generators.reference import ReferenceData, build_reference
from toolcrm.demo.generators.rentals import build_rentals
from toolcrm.demo.generators.tags import build_demo_tags
from toolcrm.demo.generators.writer import BulkWriter, reset_sequences
from toolcrm.demo.logins import DEMO_LOGINS
from toolcrm.insights.demo import build_demo_insights
from toolcrm.insights.models import CategoryCycle, ChurnModel, CustomerScore
from toolcrm.integrations.identity import scan_duplicates
from toolcrm.integrations.models import MatchCandidate
from toolcrm.loyalty.models import PointsEntry
from toolcrm.rentals.models import RentalAgreement, RentalUnit
from toolcrm.sales.models import Order, OrderLine, Return
from toolcrm.stores.models import Region, Store
from toolcrm.tags.models import CustomerTag

MIN_CUSTOMERS = 20
DEFAULT_CUSTOMERS = 2000
DEFAULT_SEED = 42

Result = TypeVar("Result")


@dataclass(frozen=True)
class PhaseReport:
    name: str
    seconds: float
    counts: tuple[tuple[str, int], ...]


def has_customers() -> bool:
    return Customer.objects.exists()


def conflicting_rows() -> list[str]:
    """What already in the database would collide with the demo data (empty: safe to load)."""
    found = [
        str(model._meta.verbose_name_plural)
        for model in (Region, Store, Category, Brand, Product, Customer)
        if model._default_manager.exists()
    ]
    usernames = [login.username for login in DEMO_LOGINS]
    taken = User.objects.filter(username__in=usernames).values_list("username", flat=True)
    found += [_("用户 %(username)s") % {"username": name} for name in sorted(taken)]
    return found


def _label(model: type[Model]) -> str:
    if model is Product.accessories.through:
        return _("商品配件关联")
    return str(model._meta.verbose_name_plural)


class DemoLoader:
    """Runs the phases in order, handing each phase's result (stores, catalog, customer
    profiles) to the next in memory, so nothing is read back from the database."""

    def __init__(
        self,
        *,
        seed: int,
        customers: int,
        now: datetime,
        report: Callable[[PhaseReport], None],
        writer: BulkWriter | None = None,
    ) -> None:
        self.seed = seed
        self.customers = customers
        self.clock = Clock(now=now, tz=timezone.get_current_timezone())
        self.report = report
        self.writer = writer or BulkWriter()

    def rng(self, phase: str) -> random.Random:
        return random.Random(f"{self.seed}:{phase}")

    def run(self) -> None:
        reference = self._phase(
            _("门店与员工"),
            lambda: build_reference(rng=self.rng("reference"), writer=self.writer),
            explicit_ids=[Region, Store, User],
        )
        catalog = self._phase(
            _("商品与库存"),
            lambda: self._catalog(reference),
            explicit_ids=[Category, Brand, Product],
        )
        profiles = self._phase(
            _("客户、授权与互动"),
            lambda: CustomerBuilder(
                rng=self.rng("customers"),
                activity_rng=self.rng("activity"),
                reference=reference,
                catalog=catalog,
                clock=self.clock,
                writer=self.writer,
                count=self.customers,
            ).build(),
            explicit_ids=[Customer],
        )
        orders = OrderBuilder(
            rng=self.rng("orders"), catalog=catalog, clock=self.clock, writer=self.writer
        )
        history = HistoryBuilder(
            rng=self.rng("history"),
            reference=reference,
            clock=self.clock,
            orders=orders,
            writer=self.writer,
        )
        self._phase(
            _("两年订单"),
            lambda: self._history(history, orders, profiles),
            explicit_ids=[Order, OrderLine, Return],
        )
        activity = ActivityBuilder(
            rng=self.rng("today"), catalog=catalog, clock=self.clock, writer=self.writer
        )
        self._phase(
            _("今日门店数据"),
            lambda: history.store_day(profiles, activity),
            explicit_ids=[Order, OrderLine, Return],
        )
        self._phase(_("重复客户样例"), self._duplicates, explicit_ids=[])
        self._phase(
            _("会员、积分与优惠券"),
            lambda: build_loyalty(rng=self.rng("loyalty"), now=self.clock.now, writer=self.writer),
            explicit_ids=[PointsEntry],
        )
        self._phase(
            _("工具租借"),
            lambda: build_rentals(
                rng=self.rng("rentals"),
                reference=reference,
                catalog=catalog,
                clock=self.clock,
                writer=self.writer,
            ),
            explicit_ids=[RentalUnit, RentalAgreement],
        )
        # The first nightly scoring, so the 360 page's insight card is filled from the start.
        self._phase(
            _("客户洞察"),
            self._insights,
            explicit_ids=[],
        )
        # After insights: predictive tags and the lifecycle condition read the scores.
        self._phase(_("客户标签"), self._tags, explicit_ids=[])
        self._phase(
            _("推荐规则"),
            lambda: mine_demo_rules(writer=self.writer, now=self.clock.now),
            explicit_ids=[],
        )

    def _catalog(self, reference: ReferenceData) -> CatalogData:
        rng = self.rng("catalog")
        catalog = CatalogBuilder(rng=rng, writer=self.writer).build()
        build_stock(rng=rng, writer=self.writer, catalog=catalog, stores=reference.stores)
        return catalog

    def _duplicates(self) -> None:
        involved = plant_duplicates(rng=self.rng("duplicates"), customers=self.customers)
        self.writer.counts[Customer] += len(involved) // 2
        self.writer.counts[MatchCandidate] += scan_duplicates(customer_ids=involved)

    def _insights(self) -> None:
        result = build_demo_insights(now=self.clock.now)
        self.writer.counts[CustomerScore] += result.scores
        self.writer.counts[ChurnModel] += result.churn_models
        self.writer.counts[CategoryCycle] += result.cycles

    def _tags(self) -> None:
        result = build_demo_tags(now=self.clock.now)
        self.writer.counts[CustomerTag] += result.created

    def _history(
        self, history: HistoryBuilder, orders: OrderBuilder, profiles: CustomerProfiles
    ) -> None:
        history.customer_orders(profiles)
        history.walk_ins(customer_orders=orders.orders_made)

    def _phase(
        self, name: str, work: Callable[[], Result], *, explicit_ids: list[type[Model]]
    ) -> Result:
        started = time.perf_counter()
        before = Counter(self.writer.counts)
        with transaction.atomic():
            result = work()
            self.writer.flush()
            reset_sequences(explicit_ids)
        written = self.writer.counts - before
        self.report(
            PhaseReport(
                name=name,
                seconds=time.perf_counter() - started,
                counts=tuple((_label(model), count) for model, count in written.items()),
            )
        )
        return result


def load_demo_data(
    *,
    seed: int = DEFAULT_SEED,
    customers: int = DEFAULT_CUSTOMERS,
    now: datetime | None = None,
    report: Callable[[PhaseReport], None] = lambda phase: None,
) -> None:
    """Load the demo data set into an empty database (see ``conflicting_rows``), all or nothing."""
    loader = DemoLoader(seed=seed, customers=customers, now=now or timezone.now(), report=report)
    with transaction.atomic():
        loader.run()
