"""Product rows → the catalogue, keyed on SKU (created, updated field by field, or unchanged).

Products are chain-wide, so this kind needs ``Capability.IMPORT_CATALOG`` (admins): a store
manager cannot change the catalogue of every store. The brand and category are found by name
(category also by code) and created when missing; only admins run this importer, so creating
them is theirs to do."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from toolcrm.catalog.models import Brand, Category, Product
from toolcrm.core.pii import to_halfwidth
from toolcrm.integrations.importers.base import (
    FieldSpec,
    Importer,
    Outcome,
    RowProblem,
    RowRejected,
)
from toolcrm.integrations.parsing import Row, clean_text, parse_amount, parse_int

NEGATIVE = _("不能为负数：%(value)s")
YES_NO = _("请填写“是”或“否”：%(value)s")

FIELDS = (
    FieldSpec("sku", _("SKU"), True, ("sku", "商品编码", "货号", "商品编号", "sku编码")),
    FieldSpec("name", _("商品名称"), False, ("商品名称", "品名", "名称", "name")),
    FieldSpec("brand", _("品牌"), False, ("品牌", "brand")),
    FieldSpec("category", _("品类"), False, ("品类", "分类", "类别", "category")),
    FieldSpec("price", _("零售价"), False, ("零售价", "售价", "价格", "price")),
    FieldSpec("cost", _("成本价"), False, ("成本价", "进价", "成本", "cost")),
    FieldSpec("barcode", _("条码"), False, ("条码", "条形码", "barcode")),
    FieldSpec("spec", _("规格"), False, ("规格", "型号", "spec")),
    FieldSpec("unit", _("单位"), False, ("单位", "unit")),
    FieldSpec("is_power_tool", _("电动工具"), False, ("电动工具", "是否电动工具")),
    FieldSpec("warranty_months", _("保修月数"), False, ("保修月数", "保修期", "保修(月)")),
)
_YES = {"是", "y", "yes", "true", "1", "电动"}
_NO = {"否", "n", "no", "false", "0", ""}
_NEW_PRODUCT_FIELDS = ("name", "brand", "category", "price")


class ProductImporter(Importer):
    kind = "products"
    fields = FIELDS

    def duplicate_key(self, row: Row) -> str | None:
        sku = to_halfwidth(clean_text(self.raw(row, "sku"))).upper()
        return sku or None

    def import_unit(self, rows: Sequence[Row]) -> Outcome:
        (row,) = rows
        problems: list[RowProblem] = []
        data = self._read(row, problems)
        existing = Product.objects.filter(sku=data["sku"]).first() if data.get("sku") else None
        if existing is None:
            for name in _NEW_PRODUCT_FIELDS:
                self.require(row, name, data.get(name), problems)
        if problems:
            raise RowRejected(problems)
        data = self._resolve_relations(data)
        product = existing or Product(cost=data.get("price", Decimal("0.00")))
        changed = (
            [k for k, v in data.items() if getattr(product, k) != v] if existing else list(data)
        )
        if existing is not None and not changed:
            return Outcome.SKIPPED
        for name in changed:
            setattr(product, name, data[name])
        try:
            product.full_clean(validate_unique=existing is None)
        except ValidationError as error:
            raise RowRejected(self.validation_problems(row, error, {})) from None
        if existing is None:
            product.save()
            return Outcome.CREATED
        product.save(update_fields=changed)
        return Outcome.UPDATED

    def _read(self, row: Row, problems: list[RowProblem]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "sku": to_halfwidth(self.text(row, "sku", problems, limit=40)).upper(),
            "name": self.text(row, "name", problems, limit=120),
            "brand": self.text(row, "brand", problems, limit=50),
            "category": self.text(row, "category", problems, limit=50),
            "barcode": self.text(row, "barcode", problems, limit=20),
            "spec": self.text(row, "spec", problems, limit=120),
            "unit": self.text(row, "unit", problems, limit=10),
        }
        self.require(row, "sku", data["sku"], problems)
        for name in ("price", "cost"):
            amount = self.parse(row, name, parse_amount, problems)
            if amount is not None and amount < 0:
                problems.append(self.problem(row, name, amount, "negative", NEGATIVE))
            data[name] = amount
        months = self.parse(row, "warranty_months", parse_int, problems)
        if months is not None and months < 0:
            problems.append(self.problem(row, "warranty_months", months, "negative", NEGATIVE))
        data["warranty_months"] = months
        power = to_halfwidth(clean_text(self.raw(row, "is_power_tool"))).lower()
        if power in _YES or power in _NO:
            data["is_power_tool"] = power in _YES if power else None
        else:
            problems.append(self.problem(row, "is_power_tool", power, "not_yes_no", YES_NO))
        return {k: v for k, v in data.items() if v not in (None, "")}

    def _resolve_relations(self, data: dict[str, Any]) -> dict[str, Any]:
        if "brand" in data:
            data["brand"], _created = Brand.objects.get_or_create(name=data["brand"])
        if "category" in data:
            text = data["category"]
            category = (
                Category.objects.filter(code__iexact=text).first()
                or Category.objects.filter(name=text).first()
            )
            data["category"] = category or Category.objects.create(code=text[:30], name=text)
        return data
