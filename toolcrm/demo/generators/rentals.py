"""Demo phase: the rental fleet and half a year of loans.

Each store gets a small fleet of the tools a chain rents out (电锤, 电圆锯 as the cutting saw,
高压清洗机, 激光水平仪, 工业吸尘器: one model of each, the mid-priced one), one unit of each (two
in the first store), with a rental price per product. Every unit then has a history of loans
over the last 90 days (about 100 loans in all):
mostly returned on time, some early, some late (late fee), a few damaged (damage charge, one
beyond the deposit and later settled), one cancelled; a few are out today and three are
overdue. The closed ones are written with ``bulk_create`` and their charges come from the same
``compute_charges`` the return service uses. One trial loan is converted to a purchase through
the real services, so its order is an ordinary order with its audit entries.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Max

from toolcrm.accounts.models import User
from toolcrm.customers.models import Customer
from toolcrm.demo.generators.catalog import CatalogData, ProductInfo
from toolcrm.demo.generators.clock import Clock
from toolcrm.demo.generators.reference import ReferenceData, StoreInfo
from toolcrm.demo.generators.writer import BulkWriter, IdSequence, reset_sequences
from toolcrm.rentals import services
from toolcrm.rentals.choices import AgreementKind, AgreementStatus, UnitCondition, UnitStatus
from toolcrm.rentals.models import RentalAgreement, RentalPrice, RentalUnit

FLEET_CATEGORIES = ("PT-HAMMER", "PT-CIRC", "GD-WASHER", "MS-LASER", "CL-VAC")
HISTORY_DAYS = 90
OVERDUE_LOANS = 3
DEPOSIT_METHODS = ("cash", "wechat_pay", "wechat_pay", "alipay", "bank_card")
ZERO = Decimal("0.00")


def _fleet_products(catalog: CatalogData) -> list[ProductInfo]:
    chosen = []
    for code in FLEET_CATEGORIES:
        candidates = sorted(
            (p for p in catalog.products if p.category == code), key=lambda p: (p.price, p.id)
        )
        if candidates:
            chosen.append(candidates[len(candidates) // 2])
    return chosen


def _rental_price(product: ProductInfo) -> RentalPrice:
    """About 4 % of the price a day (whole yuan, at least ¥15), deposit half the price in
    hundreds: the usual shape of a hardware chain's tool-rental board."""
    daily = max(Decimal("15"), (product.price * Decimal("0.04")).quantize(Decimal("1")))
    deposit = max(Decimal("200"), (product.price / 2 / 100).quantize(Decimal("1")) * 100)
    return RentalPrice(product_id=product.id, daily_rate=daily, min_deposit=deposit)


class RentalBuilder:
    def __init__(
        self,
        *,
        rng: random.Random,
        reference: ReferenceData,
        catalog: CatalogData,
        clock: Clock,
        writer: BulkWriter,
    ) -> None:
        self.rng = rng
        self.reference = reference
        self.catalog = catalog
        self.clock = clock
        self.writer = writer
        self.unit_ids = IdSequence(RentalUnit)
        self.next_agreement_id = (RentalAgreement.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
        self.overdue_left = OVERDUE_LOANS
        self.stores_with_overdue: set[int] = set()
        self.damaged_beyond_deposit = False
        self.cancelled = False

    def build(self) -> None:
        products = _fleet_products(self.catalog)
        prices = {product.id: _rental_price(product) for product in products}
        for price in prices.values():
            self.writer.add(price)
        customers_by_store: dict[int, list[int]] = {}
        for pk, store_id in Customer.objects.filter(is_active=True).values_list(
            "pk", "home_store_id"
        ):
            customers_by_store.setdefault(store_id, []).append(pk)
        for store in self.reference.stores:
            customers = customers_by_store.get(store.id, [])
            for product in products:
                for number in range(2 if store.index == 0 else 1):
                    self._unit(store, product, prices[product.id], number, customers)
        self.writer.flush()
        # The converted trial is lent through the service, which takes its id from the sequence.
        reset_sequences([RentalUnit, RentalAgreement])
        self._converted_trial(products, customers_by_store)

    def _moment(self, day: date, *, hour: int) -> datetime:
        moment = datetime.combine(day, time(hour, self.rng.randrange(60)), self.clock.tz)
        return min(moment, self.clock.now)

    def _unit(
        self,
        store: StoreInfo,
        product: ProductInfo,
        price: RentalPrice,
        number: int,
        customers: list[int],
    ) -> None:
        unit = RentalUnit(
            id=self.unit_ids.take(),
            product_id=product.id,
            asset_tag=f"{store.code}-R-{product.category[3:]}-{number + 1:02d}",
            serial=f"{product.serial_prefix}R{store.index:02d}{self.unit_ids.next_id:05d}"
            if product.is_power_tool
            else "",
            home_store_id=store.id,
            condition=UnitCondition.GOOD,
            status=UnitStatus.AVAILABLE,
            acquired_on=self.clock.day(HISTORY_DAYS + self.rng.randrange(30, 400)),
        )
        self.writer.add(unit)
        if not customers:
            return
        day = self.clock.day(HISTORY_DAYS - self.rng.randrange(20))
        free_from = day
        while True:
            day += timedelta(days=self.rng.randrange(12, 45))
            length = self.rng.choice((1, 1, 2, 2, 3, 3, 5, 7))
            if day >= self.clock.today:
                self._maybe_overdue(unit, store, price, free_from, customers)
                break
            if day + timedelta(days=length) >= self.clock.today - timedelta(days=1):
                self._outstanding(unit, store, price, day, length, customers)
                break
            day = free_from = self._closed(unit, store, price, day, length, customers)

    def _agreement(
        self,
        unit: RentalUnit,
        store: StoreInfo,
        price: RentalPrice,
        started: date,
        due: date,
        customers: list[int],
    ) -> RentalAgreement:
        agreement_id = self.next_agreement_id
        self.next_agreement_id += 1
        deposit = price.min_deposit + self.rng.choice((0, 0, 0, 100))
        return RentalAgreement(
            id=agreement_id,
            kind=AgreementKind.TRIAL if self.rng.random() < 0.08 else AgreementKind.RENTAL,
            customer_id=self.rng.choice(customers),
            unit_id=unit.pk,
            store_id=store.id,
            started_at=self._moment(started, hour=self.rng.randrange(8, 12)),
            due_on=due,
            original_due_on=due,
            daily_rate=price.daily_rate,
            deposit_amount=deposit,
            deposit_method=self.rng.choice(DEPOSIT_METHODS),
            lent_by_id=self.rng.choice(store.clerk_ids),
        )

    def _closed(
        self,
        unit: RentalUnit,
        store: StoreInfo,
        price: RentalPrice,
        started: date,
        length: int,
        customers: list[int],
    ) -> date:
        """A loan that ended; returns the day the unit came back."""
        agreement = self._agreement(
            unit, store, price, started, started + timedelta(days=length), customers
        )
        draw = self.rng.random()
        if not self.cancelled and draw < 0.02:
            self.cancelled = True
            agreement.status = AgreementStatus.CANCELLED
            agreement.cancelled_at = agreement.started_at + timedelta(minutes=20)
            agreement.deposit_refund = agreement.deposit_amount
            agreement.received_by_id = agreement.lent_by_id
            self.writer.add(agreement)
            return started
        shift = 0
        if draw < 0.12:
            shift = self.rng.randrange(1, 5)  # late
        elif draw < 0.3 and length > 1:
            shift = -self.rng.randrange(1, length)  # early
        returned = min(started + timedelta(days=length + shift), self.clock.today)
        condition = UnitCondition.GOOD
        damage = ZERO
        if self.rng.random() < 0.06:
            condition = UnitCondition.DAMAGED
            damage = Decimal(self.rng.choice((80, 150, 300)))
            if not self.damaged_beyond_deposit:
                self.damaged_beyond_deposit = True
                damage = agreement.deposit_amount + Decimal("120")
        elif self.rng.random() < 0.2:
            condition = UnitCondition.WORN
        charges = services.compute_charges(
            kind=agreement.kind,
            started_on=started,
            due_on=agreement.due_on,
            returned_on=returned,
            daily_rate=agreement.daily_rate,
            deposit=agreement.deposit_amount,
            damage_charge=damage,
        )
        agreement.status = AgreementStatus.RETURNED
        agreement.returned_at = self._moment(returned, hour=self.rng.randrange(12, 19))
        agreement.received_by_id = self.rng.choice(store.clerk_ids)
        agreement.return_condition = condition
        agreement.rental_charge = charges.rental_charge
        agreement.late_fee = charges.late_fee
        agreement.damage_charge = charges.damage_charge
        agreement.deposit_refund = charges.deposit_refund
        agreement.amount_owed = charges.amount_owed
        if charges.amount_owed:
            agreement.balance_settled_at = agreement.returned_at + timedelta(days=2)
        unit.condition = UnitCondition.WORN if condition == UnitCondition.DAMAGED else condition
        self.writer.add(agreement)
        return returned

    def _outstanding(
        self,
        unit: RentalUnit,
        store: StoreInfo,
        price: RentalPrice,
        started: date,
        length: int,
        customers: list[int],
    ) -> None:
        due = started + timedelta(days=length)
        if due <= self.clock.today:
            due = self.clock.today + timedelta(days=self.rng.randrange(1, 4))
        agreement = self._agreement(unit, store, price, started, due, customers)
        agreement.status = (
            AgreementStatus.OVERDUE if due < self.clock.today else AgreementStatus.OPEN
        )
        unit.status = UnitStatus.LENT
        self.writer.add(agreement)

    def _maybe_overdue(
        self,
        unit: RentalUnit,
        store: StoreInfo,
        price: RentalPrice,
        free_from: date,
        customers: list[int],
    ) -> None:
        """A few units idle since their last return went out a week or two ago and have not
        come back: the stores' overdue lists."""
        started = self.clock.today - timedelta(days=self.rng.randrange(8, 15))
        if (
            not self.overdue_left
            or store.id in self.stores_with_overdue
            or started <= free_from
            or self.rng.random() < 0.5
        ):
            return
        self.overdue_left -= 1
        self.stores_with_overdue.add(store.id)
        due = started + timedelta(days=self.rng.choice((1, 2, 3, 5)))
        agreement = self._agreement(unit, store, price, started, due, customers)
        agreement.kind = AgreementKind.RENTAL
        agreement.status = AgreementStatus.OVERDUE
        unit.status = UnitStatus.LENT
        self.writer.add(agreement)

    def _converted_trial(
        self, products: list[ProductInfo], customers_by_store: dict[int, list[int]]
    ) -> None:
        """A customer tried a laser level for a few days and bought it: lent and converted
        through the services, by a clerk of the first store."""
        store = self.reference.stores[0]
        laser = next((p for p in products if p.category == "MS-LASER"), products[0])
        available = RentalUnit.objects.filter(home_store_id=store.id, status=UnitStatus.AVAILABLE)
        unit = (
            available.filter(product_id=laser.id).order_by("pk").first()
            or available.order_by("pk").first()
        )
        candidates = customers_by_store.get(store.id, [])
        if unit is None or not candidates:
            return
        clerk = User.objects.get(pk=store.clerk_ids[0])
        busy = set(
            RentalAgreement.objects.filter(
                customer_id__in=candidates,
                status__in=(AgreementStatus.OPEN, AgreementStatus.OVERDUE),
            ).values_list("customer_id", flat=True)
        )
        customer_id = next(pk for pk in candidates if pk not in busy)
        lent_at = self.clock.now - timedelta(days=4)
        agreement = services.lend(
            user=clerk,
            customer_id=customer_id,
            unit_id=unit.pk,
            kind=AgreementKind.TRIAL,
            due_on=timezone_date(lent_at, self.clock) + timedelta(days=7),
            deposit_amount=services.minimum_deposit_for(unit.product),
            deposit_method="wechat_pay",
            note="试用满意后购买",
            now=lent_at,
        )
        services.convert_to_purchase(
            user=clerk,
            agreement_id=agreement.pk,
            payment_method="wechat_pay",
            now=self.clock.now - timedelta(days=1),
        )
        self.writer.counts[RentalAgreement] += 1


def timezone_date(moment: datetime, clock: Clock) -> date:
    return moment.astimezone(clock.tz).date()


def build_rentals(
    *,
    rng: random.Random,
    reference: ReferenceData,
    catalog: CatalogData,
    clock: Clock,
    writer: BulkWriter,
) -> None:
    RentalBuilder(rng=rng, reference=reference, catalog=catalog, clock=clock, writer=writer).build()
