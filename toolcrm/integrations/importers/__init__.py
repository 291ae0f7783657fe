"""The importers, one module per kind, and the registry the import service picks them from."""

from toolcrm.integrations.choices import ImportKind
from toolcrm.integrations.importers.base import (
    FieldSpec,
    Importer,
    Outcome,
    RowProblem,
    RowRejected,
    render_problem,
)
from toolcrm.integrations.importers.customers import CustomerImporter
from toolcrm.integrations.importers.orders import OrderImporter
from toolcrm.integrations.importers.products import ProductImporter
from toolcrm.integrations.importers.stock import StockImporter

IMPORTERS: dict[str, type[Importer]] = {
    ImportKind.CUSTOMERS: CustomerImporter,
    ImportKind.ORDERS: OrderImporter,
    ImportKind.PRODUCTS: ProductImporter,
    ImportKind.STOCK: StockImporter,
}

__all__ = [
    "IMPORTERS",
    "FieldSpec",
    "Importer",
    "Outcome",
    "RowProblem",
    "RowRejected",
    "render_problem",
]
