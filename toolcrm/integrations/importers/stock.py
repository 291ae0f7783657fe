"""Stock rows → the on-hand quantity of a SKU in a store (``stores.StockLevel``), set to the
file's figure: importing the same count again changes nothing. The store must be in the
importing user's scope (a store manager sets their own store's stock only)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.translation import gettext_lazy as _

from toolcrm.catalog.models import Product
from toolcrm.core.pii import to_halfwidth
from toolcrm.integrations.importers.base import (
    FieldSpec,
    Importer,
    Outcome,
    RowProblem,
    RowRejected,
)
from toolcrm.integrations.parsing import Row, clean_text, parse_quantity
from toolcrm.stores.models import StockLevel

UNKNOWN_SKU = _("未知 SKU：%(value)s")

FIELDS = (
    FieldSpec("store", _("门店编码"), False, ("门店编码", "门店", "店铺编码", "store")),
    FieldSpec("sku", _("SKU"), True, ("sku", "商品编码", "货号", "商品编号")),
    FieldSpec("quantity", _("库存数量"), True, ("库存数量", "库存", "数量", "现存量", "quantity")),
    FieldSpec("reorder_point", _("补货点"), False, ("补货点", "安全库存", "reorder point")),
)


class StockImporter(Importer):
    kind = "stock"
    fields = FIELDS

    def duplicate_key(self, row: Row) -> str | None:
        sku = to_halfwidth(clean_text(self.raw(row, "sku"))).upper()
        store = to_halfwidth(clean_text(self.raw(row, "store"))).upper()
        return f"{store}/{sku}" if sku else None

    def import_unit(self, rows: Sequence[Row]) -> Outcome:
        (row,) = rows
        problems: list[RowProblem] = []
        store = self.store(row, "store", problems)
        sku = to_halfwidth(self.text(row, "sku", problems, limit=40)).upper()
        self.require(row, "sku", sku, problems)
        product = Product.objects.filter(sku=sku).first() if sku else None
        if sku and product is None:
            problems.append(self.problem(row, "sku", sku, "unknown_sku", UNKNOWN_SKU))
        quantity = self.parse(row, "quantity", parse_quantity, problems)
        if quantity is None and not any(p.column == self.column("quantity") for p in problems):
            self.require(row, "quantity", None, problems)
        reorder_point = self.parse(row, "reorder_point", parse_quantity, problems)
        if problems or store is None or product is None or quantity is None:
            raise RowRejected(problems)
        level = StockLevel.objects.filter(store=store, product=product).first()
        if level is None:
            StockLevel.objects.create(
                store=store, product=product, quantity=quantity, reorder_point=reorder_point or 0
            )
            return Outcome.CREATED
        changed = []
        if level.quantity != quantity:
            level.quantity = quantity
            changed.append("quantity")
        if reorder_point is not None and level.reorder_point != reorder_point:
            level.reorder_point = reorder_point
            changed.append("reorder_point")
        if not changed:
            return Outcome.SKIPPED
        level.save(update_fields=[*changed, "updated_at"])
        return Outcome.UPDATED
