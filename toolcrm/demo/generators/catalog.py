"""Phase 2 of the demo data: categories, brands, products (with barcodes, prices and policies),
accessory links and the stock of every product in every store.

Machines become one product per kit (bare tool, one or two batteries …), goods one product per
brand and size. Returned ``ProductInfo`` rows carry what the order generator needs, so orders are
generated without reading the catalog back.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from toolcrm.catalog.models import Brand, Category, Product
from toolcrm.demo.data.catalog import (
    ACCESSORY_CATEGORIES,
    BRANDS,
    CATEGORIES,
    CORDED_KITS,
    CORDLESS_KITS,
    GOODS,
    MACHINES,
    BrandSeed,
    CategorySeed,
    MachineSeed,
)
from toolcrm.demo.generators.identifiers import ean13
from toolcrm.demo.generators.reference import StoreInfo
from toolcrm.demo.generators.writer import BulkWriter, IdSequence
from toolcrm.stores.models import StockLevel

CENT = Decimal("0.01")
TIER_PRICE = {1: 1.35, 2: 1.0, 3: 0.75}
MACHINE_KINDS = frozenset({"power", "garden", "measure", "battery", "appliance"})


@dataclass(frozen=True)
class ProductInfo:
    id: int
    price: Decimal
    category: str  # leaf code
    group: str  # top-level code
    kind: str
    brand: str
    voltage: str  # "18V" for cordless tools and batteries, else ""
    spec: str
    is_power_tool: bool
    serial_prefix: str
    accessory_ids: tuple[int, ...] = ()


@dataclass(frozen=True)
class CatalogData:
    products: tuple[ProductInfo, ...]
    tool_category_names: tuple[str, ...]  # what customers ask about: machines, not screws
    tool_brand_names: tuple[str, ...]


def round_price(value: float) -> Decimal:
    """Shelf prices: 1599, 359, 45, 12.9."""
    if value >= 1000:
        return Decimal(round(value / 100) * 100 - 1)
    if value >= 100:
        return Decimal(round(value / 10) * 10 - 1)
    if value >= 20:
        return Decimal(round(value))
    return Decimal(str(round(value, 1))).quantize(CENT)


class CatalogBuilder:
    def __init__(self, *, rng: random.Random, writer: BulkWriter) -> None:
        self.rng = rng
        self.writer = writer
        self.product_ids = IdSequence(Product)
        self.categories: dict[str, tuple[Category, CategorySeed]] = {}
        self.brands: dict[str, tuple[Brand, BrandSeed]] = {}
        self.item_numbers: defaultdict[str, int] = defaultdict(int)
        self.sku_numbers: defaultdict[tuple[str, str], int] = defaultdict(int)
        self.products: list[ProductInfo] = []

    def build(self) -> CatalogData:
        category_ids = IdSequence(Category)
        for seed in CATEGORIES:
            parent = self.categories[seed.parent][0] if seed.parent else None
            category = Category(
                id=category_ids.take(),
                code=seed.code,
                name=seed.name,
                name_en=seed.name_en,
                parent=parent,
            )
            self.writer.add(category)
            self.categories[seed.code] = (category, seed)
        brand_ids = IdSequence(Brand)
        for brand_seed in BRANDS:
            brand = Brand(
                id=brand_ids.take(),
                name=brand_seed.name,
                name_en=brand_seed.name_en,
                country=brand_seed.country,
            )
            self.writer.add(brand)
            self.brands[brand_seed.name] = (brand, brand_seed)
        for machine in MACHINES:
            self._machine(machine)
        for goods in GOODS:
            for brand_name in goods.brands:
                code = self._item_code(brand_name)
                factor = TIER_PRICE[self.brands[brand_name][1].tier] * self.rng.uniform(0.92, 1.08)
                for size, price in goods.sizes:
                    self._product(
                        category=goods.category,
                        brand_name=brand_name,
                        name=f"{code} {goods.title}",
                        spec=size,
                        price=round_price(price * factor),
                        unit=goods.unit,
                    )
        products = self._with_accessories()
        return CatalogData(
            products=products,
            tool_category_names=tuple(
                seed.name for seed in CATEGORIES if seed.kind in {"power", "garden", "measure"}
            ),
            tool_brand_names=tuple(sorted({machine.brand for machine in MACHINES})),
        )

    def _item_code(self, brand_name: str) -> str:
        seed = self.brands[brand_name][1]
        self.item_numbers[brand_name] += 1
        return seed.item_code.format(n=seed.item_base + 13 * self.item_numbers[brand_name])

    def _machine(self, machine: MachineSeed) -> None:
        name = f"{machine.model} {machine.title}"
        kind = self.categories[machine.category][1].kind
        variants: tuple[tuple[str, float], ...]
        if kind not in {"power", "garden"}:
            variants = ((machine.power, 1.0),)
        elif machine.power.endswith("V"):
            variants = tuple((f"{machine.power} {kit}", f) for kit, f in CORDLESS_KITS)
        else:
            variants = tuple((f"220V {machine.power} {kit}", f) for kit, f in CORDED_KITS)
        for spec, factor in variants:
            self._product(
                category=machine.category,
                brand_name=machine.brand,
                name=name,
                spec=spec,
                price=round_price(machine.price * factor),
                unit="块" if machine.category == "BT-PACK" else "台",
                brushless="无刷" in machine.title,
            )

    def _product(
        self,
        *,
        category: str,
        brand_name: str,
        name: str,
        spec: str,
        price: Decimal,
        unit: str,
        brushless: bool = False,
    ) -> None:
        category_row, category_seed = self.categories[category]
        brand, brand_seed = self.brands[brand_name]
        kind = category_seed.kind
        is_power_tool = kind in {"power", "garden"}
        self.sku_numbers[(category, brand_seed.code)] += 1
        item_reference = 10_000 + 7 * (len(self.products) + 1)
        product = Product(
            id=self.product_ids.take(),
            sku=f"{category}-{brand_seed.code}-{self.sku_numbers[(category, brand_seed.code)]:03d}",
            barcode=ean13(f"{brand_seed.gs1_prefix}{item_reference:05d}"),
            name=name,
            spec=spec,
            brand=brand,
            category=category_row,
            unit=unit,
            price=price,
            cost=(price * Decimal(str(round(self.rng.uniform(0.55, 0.72), 3)))).quantize(CENT),
            is_power_tool=is_power_tool,
            is_consumable=category_seed.is_consumable,
            warranty_months=_warranty_months(kind, brand_seed.tier),
            maintenance_interval_days=_maintenance_days(kind, category, brushless),
            is_active=True,
        )
        self.writer.add(product)
        voltage = spec.split()[0] if kind in {"power", "garden", "battery"} else ""
        self.products.append(
            ProductInfo(
                id=product.pk,
                price=price,
                category=category,
                group=category_seed.parent,
                kind=kind,
                brand=brand_name,
                voltage=voltage if voltage.endswith("V") and voltage != "220V" else "",
                spec=spec,
                is_power_tool=is_power_tool,
                serial_prefix=brand_seed.code,
            )
        )

    def _with_accessories(self) -> tuple[ProductInfo, ...]:
        by_category: defaultdict[str, list[ProductInfo]] = defaultdict(list)
        for info in self.products:
            by_category[info.category].append(info)
        through = Product.accessories.through
        linked = []
        for info in self.products:
            chosen: list[ProductInfo] = []
            for target in ACCESSORY_CATEGORIES.get(info.category, ()):
                chosen += self._pick_accessories(info, by_category[target])
            for accessory in chosen:
                self.writer.add(through(from_product_id=info.id, to_product_id=accessory.id))
            linked.append(replace(info, accessory_ids=tuple(a.id for a in chosen)))
        return tuple(linked)

    def _pick_accessories(self, info: ProductInfo, pool: list[ProductInfo]) -> list[ProductInfo]:
        """Two accessories of a category, of the same brand where it has some; batteries and
        chargers only of the tool's own voltage platform, carbon brushes only for corded tools."""
        if pool and pool[0].kind == "battery":
            pool = [p for p in pool if p.brand == info.brand and info.voltage in p.spec]
            if not info.voltage:
                return []
        elif pool and pool[0].category == "CS-BRUSH" and info.voltage:
            return []
        same_brand = [p for p in pool if p.brand == info.brand]
        if same_brand:
            return same_brand[:2]
        return self.rng.sample(pool, min(2, len(pool)))


def _warranty_months(kind: str, tier: int) -> int:
    if kind in {"power", "garden"}:
        return 24 if tier == 1 else 12
    if kind in {"measure", "appliance"}:
        return 12
    if kind == "battery":
        return 12 if tier == 1 else 6
    if kind == "hand":
        return 12 if tier <= 2 else 6
    return 0


def _maintenance_days(kind: str, category: str, brushless: bool) -> int | None:
    if kind == "power":
        return 365 if brushless else 180
    if kind == "garden":
        return 180 if category == "GD-WASHER" else 90
    return None


def build_stock(
    *, rng: random.Random, writer: BulkWriter, catalog: CatalogData, stores: tuple[StoreInfo, ...]
) -> None:
    """On-hand quantity of every product in every store; about one in ten is sold out."""
    for store in stores:
        for info in catalog.products:
            is_machine = info.kind in MACHINE_KINDS
            if rng.random() < (0.12 if is_machine else 0.07):
                quantity = 0
            elif is_machine:
                quantity = rng.randint(1, 12)
            else:
                quantity = rng.randint(5, 160)
            writer.add(
                StockLevel(
                    store_id=store.id,
                    product_id=info.id,
                    quantity=quantity,
                    reorder_point=2 if is_machine else 10,
                )
            )
