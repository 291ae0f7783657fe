"""Phase 1 of the demo data: the two regions, the stores and their staff.

Each store gets a manager, three or four clerks and a technician; the demo logins of
``toolcrm.demo.logins`` take their places in the stores they name. Staff who are not demo logins
get unusable passwords.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from toolcrm.accounts.models import User
from toolcrm.core.roles import Role
from toolcrm.demo.data.places import CITIES, REGIONS, STORES, City, District, StoreSeed
from toolcrm.demo.generators.names import NameMaker
from toolcrm.demo.generators.writer import BulkWriter, IdSequence
from toolcrm.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin
from toolcrm.stores.models import Region, Store


@dataclass(frozen=True)
class StoreInfo:
    """What later phases need to know about a store, without querying it again."""

    id: int
    index: int
    code: str
    region_code: str
    city: City
    home_district: District
    opens_at: int  # minutes after midnight
    closes_at: int
    weight: float
    manager_id: int
    clerk_ids: tuple[int, ...]
    technician_id: int


@dataclass(frozen=True)
class ReferenceData:
    stores: tuple[StoreInfo, ...]
    demo_b2b_manager_id: int
    other_b2b_manager_id: int


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


class StaffBuilder:
    def __init__(self, *, rng: random.Random, writer: BulkWriter) -> None:
        self.rng = rng
        self.writer = writer
        self.names = NameMaker(rng)
        self.ids = IdSequence(User)
        self.login_password = make_password(DEMO_PASSWORD)  # hashed once: one shared password
        self.logins = {
            (login.role, login.store_code or login.region_code): login for login in DEMO_LOGINS
        }

    def add(
        self,
        *,
        role: Role,
        username: str,
        region_code: str = "",
        store: Store | None = None,
        region: Region | None = None,
    ) -> int:
        """Add the demo login for this role and place if there is one, else a generated user."""
        place = store.code if store is not None else region_code
        login = self.logins.pop((role, place), None)
        user = User(
            id=self.ids.take(),
            role=role,
            store=store,
            region=region,
            is_active=True,
        )
        if login is not None:
            self._as_login(user, login)
        else:
            user.username = username
            user.display_name = self.names.make(region=region_code).name
            user.set_unusable_password()
        self.writer.add(user)
        return user.pk

    def _as_login(self, user: User, login: DemoLogin) -> None:
        user.username = login.username
        user.display_name = login.display_name
        user.password = self.login_password
        user.is_staff = user.is_superuser = login.is_admin
        user.email = f"{login.username}@toolcrm.example"


def build_reference(*, rng: random.Random, writer: BulkWriter) -> ReferenceData:
    region_ids = IdSequence(Region)
    regions = {code: Region(id=region_ids.take(), code=code, name=name) for code, name in REGIONS}
    for region in regions.values():
        writer.add(region)
    staff = StaffBuilder(rng=rng, writer=writer)
    store_ids = IdSequence(Store)
    stores = []
    for index, seed in enumerate(STORES):
        store = _store(seed, store_id=store_ids.take(), region=regions[seed.region_code])
        writer.add(store)
        stores.append(_staff_store(staff, store=store, seed=seed, index=index))
    for code, region in regions.items():
        staff.add(
            role=Role.REGIONAL_MANAGER,
            username=f"regional_{code.lower()}",
            region_code=code,
            region=region,
        )
    demo_b2b = staff.add(role=Role.B2B_MANAGER, username="b2b_hq")
    other_b2b = staff.add(role=Role.B2B_MANAGER, username="b2b_south", region_code="SOUTH")
    staff.add(role=Role.HQ_MARKETING, username="marketing")
    staff.add(role=Role.ADMIN, username="admin")
    if staff.logins:
        raise ValueError(f"demo logins without a place in the demo data: {list(staff.logins)}")
    return ReferenceData(
        stores=tuple(stores), demo_b2b_manager_id=demo_b2b, other_b2b_manager_id=other_b2b
    )


def _store(seed: StoreSeed, *, store_id: int, region: Region) -> Store:
    city = CITIES[seed.city]
    return Store(
        id=store_id,
        code=seed.code,
        name=seed.name,
        region=region,
        province=city.province,
        city=city.name,
        district=seed.district,
        address=seed.address,
        adcode=city.district(seed.district).adcode,
        latitude=Decimal(seed.latitude),
        longitude=Decimal(seed.longitude),
        phone=seed.phone,
        opening_hours=seed.opening_hours,
        is_active=True,
        opened_on=date.fromisoformat(seed.opened_on),
    )


def _staff_store(staff: StaffBuilder, *, store: Store, seed: StoreSeed, index: int) -> StoreInfo:
    prefix = seed.code.lower()
    region = seed.region_code
    manager = staff.add(
        role=Role.STORE_MANAGER, username=f"{prefix}_manager", store=store, region_code=region
    )
    clerks = [
        staff.add(role=Role.CLERK, username=f"{prefix}_clerk{n}", store=store, region_code=region)
        for n in range(1, 5 if seed.weight >= 1.2 else 4)
    ]
    technician = staff.add(
        role=Role.TECHNICIAN, username=f"{prefix}_tech", store=store, region_code=region
    )
    opens, closes = seed.opening_hours.split("-")
    city = CITIES[seed.city]
    return StoreInfo(
        id=store.pk,
        index=index,
        code=seed.code,
        region_code=region,
        city=city,
        home_district=city.district(seed.district),
        opens_at=_minutes(opens),
        closes_at=_minutes(closes),
        weight=seed.weight,
        manager_id=manager,
        clerk_ids=tuple(clerks),
        technician_id=technician,
    )
