"""Product imports (admins only; brand and category created when missing; keyed on SKU) and stock
level imports (set, not added; only into the importer's own stores)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tests.factories import ProductFactory, StockLevelFactory
from toolcrm.catalog.models import Brand, Category, Product
from toolcrm.integrations import services
from toolcrm.stores.models import StockLevel

PRODUCTS = (
    "商品编码,商品名称,品牌,品类,零售价,成本价,电动工具,保修月数\r\n"
    'DR-200,博世 GSB 180 电钻,博世,电钻,"¥1,299.00",900,是,24\r\n'
    "TM-8M,得力 卷尺 8m,得力,量具,￥39.9,20,否,0\r\n"
    "DR-200,博世 GSB 180 电钻（重复）,博世,电钻,1299,900,是,24\r\n"
    "XX-1,缺品牌的商品,,电钻,10,5,否,0\r\n"
    "XX-2,价格有误,得力,量具,abc,5,否,0\r\n"
)
STOCK = (
    "门店编码,商品编码,库存数量,补货点\r\n"
    "SH01,DR-100,12,3\r\n"
    "SH01,TM-5M,5件,\r\n"
    "HZ01,DR-100,7,\r\n"
    "SH01,NOPE,1,\r\n"
    "SH01,BT-18V,-2,\r\n"
    "SH01,DR-100,12,3\r\n"
)


def run(user, kind: str, text: str):  # type: ignore[no-untyped-def]
    return services.import_file(
        user=user, kind=kind, content=text.encode("utf-8"), filename=f"{kind}.csv"
    )


def test_admin_imports_products_creating_brand_and_category(admin_user) -> None:
    job = run(admin_user, "products", PRODUCTS)

    assert (job.created_count, job.error_count) == (2, 3)
    drill = Product.objects.get(sku="DR-200")
    assert (drill.price, drill.cost, drill.is_power_tool, drill.warranty_months) == (
        Decimal("1299.00"), Decimal("900.00"), True, 24
    )  # fmt: skip
    assert Brand.objects.filter(name__in=["博世", "得力"]).count() == 2
    assert Category.objects.filter(name="量具").exists()
    assert sorted(job.row_errors.values_list("row_number", "code")) == [
        (4, "duplicate_key"),
        (5, "required"),
        (6, "invalid_amount"),
    ]

    again = run(admin_user, "products", PRODUCTS)
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 2)


def test_product_import_updates_changed_fields_only(admin_user) -> None:
    ProductFactory(sku="DR-200", price=Decimal("1199.00"))

    job = run(admin_user, "products", "SKU,零售价\r\nDR-200,1299\r\n")

    assert (job.created_count, job.updated_count) == (0, 1)
    assert Product.objects.get(sku="DR-200").price == Decimal("1299.00")


def test_store_manager_may_not_import_products(manager) -> None:
    with pytest.raises(PermissionDenied):
        run(manager, "products", PRODUCTS)
    assert "products" not in services.kinds_for(manager)


def test_stock_levels_are_set_in_own_store_only(manager, store_a, store_b, catalogue) -> None:
    StockLevelFactory(store=store_a, product=catalogue["TM-5M"], quantity=1)

    job = run(manager, "stock", STOCK)

    levels = {
        (level.store.code, level.product.sku): (level.quantity, level.reorder_point)
        for level in StockLevel.objects.select_related("store", "product")
    }
    assert levels == {("SH01", "DR-100"): (12, 3), ("SH01", "TM-5M"): (5, 0)}
    assert (job.created_count, job.updated_count, job.error_count) == (1, 1, 4)
    assert sorted(job.row_errors.values_list("row_number", "code")) == [
        (4, "store_out_of_scope"),
        (5, "unknown_sku"),
        (6, "negative_quantity"),
        (7, "duplicate_row"),
    ]

    again = run(manager, "stock", STOCK)
    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 2)
