"""Generating demo data without writing it: the rows ``load_demo`` would write for a seed."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Model

from tests.demo.conftest import DEMO_CUSTOMERS
from toolcrm.customers.models import Customer
from toolcrm.demo.generators.writer import BulkWriter
from toolcrm.demo.services import DemoLoader


class CollectingWriter(BulkWriter):
    """Keeps the generated rows instead of writing them."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Model] = []

    def flush(self) -> None:
        for rows in self.buffers.values():
            self.rows += rows
            rows.clear()
        self.pending = 0


def generate(*, seed: int, now: datetime, customers: int = DEMO_CUSTOMERS) -> list[Model]:
    writer = CollectingWriter()
    DemoLoader(seed=seed, customers=customers, now=now, report=lambda _: None, writer=writer).run()
    return writer.rows


def people(rows: list[Model]) -> list[tuple[str, str, str | None]]:
    return [(r.name, r.phone, r.member_card_no) for r in rows if isinstance(r, Customer)]
