#!/usr/bin/env python
"""Benchmark: one customer's recommendation list (the selector, and the whole API request), and
the nightly rule mining, on the demo data set.

    .venv/bin/python bench/recommendations.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_reco bench/recommendations.py

Loads demo data of the asked size once (``load_demo --customers N``) into its own database
(default: var/bench-recommendations-<N>.sqlite3), mines the rules when there are none, then
times the list for ``--samples`` random customers who have bought, each asked by a clerk of the
customer's home store, and prints p50/p95 in milliseconds and the queries per list. The last
line is one JSON object (keys in bench/README.md). Aim: list p95 < 50 ms on the demo data.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolcrm.settings")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault(
        "DATABASE_URL",
        f"sqlite:///{ROOT / 'var' / f'bench-recommendations-{args.customers}.sqlite3'}",
    )
    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from toolcrm.accounts.models import User
    from toolcrm.accounts.services import issue_api_token
    from toolcrm.core.roles import Role
    from toolcrm.customers.models import Customer
    from toolcrm.recommendations.models import AssociationRule
    from toolcrm.recommendations.selectors import recommendations_for
    from toolcrm.recommendations.services import mine_rules
    from toolcrm.sales.models import Order

    call_command("migrate", verbosity=0)
    if Customer.objects.count() < args.customers:
        print(f"loading demo data: {args.customers} customers (once) ...", flush=True)
        call_command("load_demo", customers=args.customers, seed=args.seed)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    started = time.perf_counter()
    mined = mine_rules()
    mining_ms = (time.perf_counter() - started) * 1000
    assert AssociationRule.objects.exists(), "the demo orders give rules"

    clerks = {user.store_id: user for user in User.objects.filter(role=Role.CLERK, is_active=True)}
    rng = random.Random(args.seed)
    buyers = sorted(
        set(
            Order.objects.filter(customer__isnull=False, customer__is_active=True).values_list(
                "customer_id", flat=True
            )
        )
    )
    chosen = rng.sample(buyers, min(args.samples, len(buyers)))
    homes = dict(Customer.objects.filter(pk__in=chosen).values_list("pk", "home_store_id"))
    samples = [(clerks[homes[pk]], pk) for pk in chosen if homes[pk] in clerks]

    recommendations_for(user=samples[0][0], customer_id=samples[0][1])  # warm up
    list_ms, queries, sizes = [], [], []
    for user, customer_id in samples:
        started = time.perf_counter()
        result = recommendations_for(user=user, customer_id=customer_id)
        list_ms.append((time.perf_counter() - started) * 1000)
        sizes.append(len(result.items))
    for user, customer_id in samples:  # counted apart: recording queries slows them down
        with CaptureQueriesContext(connection) as captured:
            recommendations_for(user=user, customer_id=customer_id)
        queries.append(len(captured.captured_queries))

    tokens = {
        store: issue_api_token(user=user, name="bench recommendations")[1]
        for store, user in clerks.items()
    }
    clients = {
        store: Client(headers={"Authorization": f"Bearer {token}"})
        for store, token in tokens.items()
    }
    api_ms = []
    for user, customer_id in samples:
        client = clients[user.store_id]
        started = time.perf_counter()
        response = client.get(f"/api/customers/{customer_id}/recommendations")
        api_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content

    vendor = connection.vendor
    print(
        f"\nToolCRM recommendations benchmark — {Customer.objects.count():,} customers, "
        f"{mined.order_baskets:,} orders on {vendor}, {len(samples)} customers (ms)\n"
    )
    print(f"{'operation':<34}{'p50':>10}{'p95':>10}{'mean':>10}")
    figures: dict[str, object] = {"customers": args.customers, "db": vendor}
    for key, label, values in (
        ("list", "recommendation list (selector)", list_ms),
        ("api", "GET /api/customers/{id}/recomm.", api_ms),
    ):
        p50, p95 = percentile(values, 50), percentile(values, 95)
        print(f"{label:<34}{p50:>10.2f}{p95:>10.2f}{statistics.fmean(values):>10.2f}")
        figures[f"{key}_p50_ms"] = round(p50, 3)
        figures[f"{key}_p95_ms"] = round(p95, 3)
    print(f"{'rule mining (all kinds, once)':<34}{mining_ms:>10.0f}")
    print(
        f"\nqueries per list: max {max(queries)}; items per list: mean "
        f"{statistics.fmean(sizes):.1f}, empty lists {sizes.count(0)}; "
        f"{mined.rules} rules. Aim: list p95 < 50 ms."
    )
    figures["queries_max"] = max(queries)
    figures["items_mean"] = round(statistics.fmean(sizes), 2)
    figures["rules"] = mined.rules
    figures["mining_ms"] = round(mining_ms, 1)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
