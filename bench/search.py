#!/usr/bin/env python
"""Benchmark: customer search (phone, member card, name prefix) and the customer 360 page,
beside a bare Django view as the floor.

    .venv/bin/python bench/search.py --customers 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bench/search.py --customers 1000000

Loads demo data of the asked size once (``load_demo --customers N``) into its own database
(default: var/bench-<N>.sqlite3), then times each operation ``--samples`` times on random
customers and prints p50/p95 in milliseconds. The last line is one JSON object (keys in
bench/README.md). Aims: search p95 <= 20 ms; 360 page p95 <= 2x the bare view.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def timed(samples: list[object], run: Callable[[object], object]) -> list[float]:
    run(samples[0])  # warm caches and connections
    results = []
    for sample in samples:
        started = time.perf_counter()
        run(sample)
        results.append((time.perf_counter() - started) * 1000)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolcrm.settings")
    os.environ.setdefault("TASKS_BACKEND", "immediate")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("DEBUG", "0")  # production-like: cached templates, no query log
    os.environ.setdefault(
        "DATABASE_URL", f"sqlite:///{ROOT / 'var' / f'bench-{args.customers}.sqlite3'}"
    )
    import django

    django.setup()

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.http import HttpRequest, HttpResponse
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path

    from toolcrm.accounts.models import User
    from toolcrm.core.pii import format_phone
    from toolcrm.core.roles import Role
    from toolcrm.customers.models import Customer
    from toolcrm.customers.selectors import search_customers

    call_command("migrate", verbosity=0)
    if Customer.objects.count() < args.customers:
        print(f"loading demo data: {args.customers} customers (once) ...", flush=True)
        started = time.perf_counter()
        call_command("load_demo", customers=args.customers, seed=args.seed)
        print(f"loaded in {time.perf_counter() - started:.0f} s", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    user = User.objects.filter(role=Role.ADMIN, is_active=True).first()
    assert user is not None, "demo data has an admin"
    rng = random.Random(args.seed)
    max_id = Customer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ids = [rng.randint(1, max_id) for _ in range(args.samples * 2)]
    people = list(
        Customer.objects.filter(pk__in=ids)
        .exclude(phone="")
        .exclude(member_card_no=None)[: args.samples]
    )
    forms = [
        lambda p: p,
        lambda p: p.replace("+86", ""),
        lambda p: format_phone(p),
        lambda p: "0086 " + format_phone(p),
    ]
    phones = [forms[i % len(forms)](c.phone) for i, c in enumerate(people)]
    cards = [c.member_card_no for c in people]
    names = [c.name[:2] for c in people]

    def search(query: object) -> object:
        return search_customers(user=user, query=str(query)).customers

    def bare_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    bench_urls = type(
        "BenchUrls",
        (),
        {"urlpatterns": [path("bench/bare/", bare_view), path("", include(settings.ROOT_URLCONF))]},
    )
    sys.modules["bench_urls"] = bench_urls  # type: ignore[assignment]
    client = Client()
    client.force_login(user)
    results: dict[str, list[float]] = {}
    results["phone"] = timed(phones, search)
    results["card"] = timed(cards, search)
    results["name"] = timed(names, search)
    with override_settings(ROOT_URLCONF="bench_urls", ALLOWED_HOSTS=["*"]):
        results["search_page"] = timed(phones, lambda q: client.get("/customers/", {"q": q}))
        results["customer360"] = timed(
            [c.pk for c in people], lambda pk: client.get(f"/customers/{pk}/")
        )
        results["bare_view"] = timed(people, lambda _: client.get("/bench/bare/"))

    vendor = connection.vendor
    print(
        f"\nToolCRM search benchmark — {args.customers:,} customers on {vendor}, "
        f"{len(people)} samples each (ms)\n"
    )
    print(f"{'operation':<28}{'p50':>10}{'p95':>10}{'mean':>10}")
    labels = {
        "phone": "search: phone (any form)",
        "card": "search: member card",
        "name": "search: name prefix",
        "search_page": "search page (full request)",
        "customer360": "customer 360 page",
        "bare_view": "bare Django view (floor)",
    }
    figures: dict[str, object] = {"customers": args.customers, "db": vendor}
    for key, label in labels.items():
        values = results[key]
        p50, p95 = percentile(values, 50), percentile(values, 95)
        print(f"{label:<28}{p50:>10.2f}{p95:>10.2f}{statistics.fmean(values):>10.2f}")
        figures[f"{key}_p50_ms"] = round(p50, 3)
        figures[f"{key}_p95_ms"] = round(p95, 3)
    ratio = percentile(results["customer360"], 95) / max(percentile(results["bare_view"], 95), 1e-9)
    figures["customer360_over_bare_p95"] = round(ratio, 2)
    print(f"\n360 page p95 / bare view p95 = {ratio:.2f}x (aim <= 2x); search p95 aim <= 20 ms")
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
