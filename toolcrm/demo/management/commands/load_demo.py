"""``manage.py load_demo [--seed 42] [--customers 2000] [--if-empty]``: load the demo data set
(stores, staff and the demo logins, catalog, customers, two years of orders up to today).

The same seed and size give the same data (dates relative to the day of loading). ``--if-empty``
makes the command a no-op on a database that already has customers, which is how ``make run``
loads the demo only once. ``--customers`` scales customers and orders together: 100,000 customers
take minutes, in bounded memory.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from toolcrm.demo.services import (
    DEFAULT_CUSTOMERS,
    DEFAULT_SEED,
    MIN_CUSTOMERS,
    PhaseReport,
    conflicting_rows,
    has_customers,
    load_demo_data,
)
from toolcrm.demo.tables import display_width


class Command(BaseCommand):
    help = "Load the ToolCRM demo data (stores, staff, catalog, customers, orders)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
        parser.add_argument(
            "--customers",
            type=int,
            default=DEFAULT_CUSTOMERS,
            help="number of customers; orders scale with it",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when the database already has customers",
        )

    def handle(self, *args: Any, seed: int, customers: int, if_empty: bool, **options: Any) -> None:
        if if_empty and has_customers():
            self.stdout.write(_("数据库中已有客户，未加载演示数据（--if-empty）。"))
            return
        if customers < MIN_CUSTOMERS:
            raise CommandError(_("--customers 至少为 %(count)d。") % {"count": MIN_CUSTOMERS})
        conflicts = conflicting_rows()
        if conflicts:
            raise CommandError(
                _(
                    "数据库中已有数据（%(rows)s）。演示数据只能加载到空数据库，"
                    "可先运行 manage.py flush 清空。"
                )
                % {"rows": "、".join(conflicts)}
            )
        self.stdout.write(
            _("加载演示数据：%(customers)s 位客户，随机种子 %(seed)d")
            % {"customers": f"{customers:,}", "seed": seed}
        )
        started = time.perf_counter()
        load_demo_data(seed=seed, customers=customers, report=self._report)
        self.stdout.write(
            self.style.SUCCESS(
                _("演示数据已加载，用时 %(seconds).1f 秒。")
                % {"seconds": time.perf_counter() - started}
            )
        )

    def _report(self, phase: PhaseReport) -> None:
        counts = " · ".join(f"{label} {count:,}" for label, count in phase.counts)
        name = phase.name + " " * max(0, 18 - display_width(phase.name))
        self.stdout.write(f"  {name}{phase.seconds:>6.1f} s   {counts}")
