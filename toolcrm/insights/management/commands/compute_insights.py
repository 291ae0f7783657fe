"""``manage.py compute_insights``: recompute RFM scores, lifecycle stages and CLV now (the
nightly job, or one customer with ``--customer``), printing counts and timing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from toolcrm.insights import services


class Command(BaseCommand):
    help = "Recompute customer insights (RFM, stage, cycles, CLV, churn, VIP)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customer", type=int, help="only this customer id")

    def handle(self, *args: Any, **options: Any) -> None:
        customer_id = options.get("customer")
        result = services.recompute_scores(
            customer_ids=[customer_id] if customer_id else None,
        )
        self.stdout.write(
            f"{'full' if result.is_full else 'partial'} recompute: "
            f"{result.customers} customers scored, {result.created} created, "
            f"{result.updated} updated, {result.unchanged} unchanged, {result.deleted} deleted; "
            f"CLV {'fitted' if result.is_clv_fitted else 'not fitted (too little data)'}; "
            f"churn scored for {result.churn_scored}; {result.new_vips} new VIPs; "
            f"{result.cycles} category cycles ({result.overdue_cycles} overdue); "
            f"{result.seconds:.2f} s"
        )
