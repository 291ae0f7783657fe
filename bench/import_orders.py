#!/usr/bin/env python
"""Benchmark: importing N order lines (default 1,000,000) from a CSV, in rows per second, on
PostgreSQL (the bulk path: COPY into staging tables, set-based SQL) and on SQLite (the standard
path, order by order), beside PostgreSQL's raw COPY of the same file into a bare table.

    .venv/bin/python bench/import_orders.py   # 1,000,000 lines on PostgreSQL, 100,000 on SQLite
    .venv/bin/python bench/import_orders.py --lines 200000 --sqlite-lines 50000
    BENCH_PG_URL=postgres://postgres@127.0.0.1:5432 bench/import_orders.py --skip-sqlite

Each database gets its own scratch store: the PostgreSQL database ``bench_import`` (created and
dropped by the script) and ``var/bench/import-orders.sqlite3``. Both are prepared the same way:
the demo stores and catalogue (``demo.generators``, not the slow full ``load_demo``) and
``--customers`` customers (default 100,000) written with ``bulk_create``. The file is generated
from that catalogue: orders of 1–6 lines, Chinese names, +86 phones in mixed written forms,
about 80 % known buyers by phone, 7 % by member card, 5 % new buyers (provisional customers),
the rest walk-ins, and about 0.3 % bad rows (unknown SKU, bad quantity, bad phone, future date,
unknown store). The import is timed end to end as ``manage.py import_data orders FILE`` runs it
(reading and decoding the file, the job, validation, identity resolution, writes, error report).

Aim (issue 3): the PostgreSQL import at least a quarter of raw COPY's rows per second. The last
line is one JSON object (keys in bench/README.md).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "var" / "bench"
PG_DATABASE = "bench_import"
SEED = 7
HEADER = [
    "订单号", "渠道", "门店编码", "下单时间", "商品编码", "数量", "单价", "优惠",
    "手机号", "会员卡号", "姓名", "备注",
]  # fmt: skip
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志强海燕红梅玉兰春梅"


# --- shared by both databases ---------------------------------------------------------------


def customer_phone(index: int) -> str:
    return f"139{index:08d}"


def customer_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.randint(1, 2)))


def prepare_database(customers: int) -> None:
    """Migrate, then the demo stores and catalogue and ``customers`` customers."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from toolcrm.accounts.models import User
    from toolcrm.catalog.models import Brand, Category, Product
    from toolcrm.core.roles import Role
    from toolcrm.customers.models import Customer
    from toolcrm.demo.generators.catalog import CatalogBuilder
    from toolcrm.demo.generators.reference import build_reference
    from toolcrm.demo.generators.writer import BulkWriter, reset_sequences
    from toolcrm.stores.models import Region, Store

    call_command("migrate", verbosity=0)
    with transaction.atomic():
        writer = BulkWriter()
        build_reference(rng=random.Random(f"{SEED}:reference"), writer=writer)
        CatalogBuilder(rng=random.Random(f"{SEED}:catalog"), writer=writer).build()
        writer.flush()
        reset_sequences([Region, Store, User, Category, Brand, Product])
    stores = list(Store.objects.order_by("pk"))
    rng = random.Random(f"{SEED}:customers")
    batch: list[Customer] = []
    for index in range(customers):
        batch.append(
            Customer(
                name=customer_name(rng),
                phone=f"+86{customer_phone(index)}",
                member_card_no=f"M{index:08d}" if index % 3 == 0 else None,
                home_store=stores[index % len(stores)],
            )
        )
        if len(batch) == 5000:
            Customer.objects.bulk_create(batch)
            batch = []
    Customer.objects.bulk_create(batch)
    if not User.objects.filter(role=Role.ADMIN, is_active=True).exists():
        User.objects.create(username="bench_admin", role=Role.ADMIN, display_name="bench")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def write_file(path: Path, lines: int, customers: int) -> None:
    """The order lines as a CSV exported from a POS / e-commerce back office."""
    from toolcrm.catalog.models import Product
    from toolcrm.stores.models import Store

    rng = random.Random(f"{SEED}:file")
    skus = list(Product.objects.order_by("pk").values_list("sku", "price"))
    stores = list(Store.objects.order_by("pk").values_list("code", flat=True))

    def written(phone: str) -> str:
        form = rng.randrange(6)
        if form == 0:
            return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
        if form == 1:
            return f"+86 {phone}"
        if form == 2:
            return f"0086-{phone[:3]}-{phone[3:7]}-{phone[7:]}"
        if form == 3:
            return f"+86-{phone[:3]}-{phone[3:7]}-{phone[7:]}"
        return phone

    new_phones = [f"137{n:08d}" for n in rng.sample(range(10**8), 60_000)]
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(HEADER)
    written_lines = 0
    number = 0
    while written_lines < lines:
        number += 1
        channel = rng.choices(["pos", "线上", "", "ecommerce"], [60, 20, 15, 5])[0]
        store = rng.choice(stores)
        day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        hour = f"{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}"
        ordered = rng.choice([f"{day} {hour}", day.replace("-", "/"), f"{day} {hour}:00"])
        phone = card = name = ""
        buyer = rng.random()
        if buyer < 0.80:
            phone = written(customer_phone(rng.randrange(customers)))
            name = customer_name(rng)
        elif buyer < 0.87:
            card = f"M{rng.randrange(0, customers, 3):08d}"
        elif buyer < 0.92:
            phone = written(rng.choice(new_phones))
            name = customer_name(rng)
        count = min(rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6]), lines - written_lines)
        for _line in range(count):
            sku, price = rng.choice(skus)
            quantity = rng.choice(["1", "1", "2", "3", "1件", "2把"])
            unit_price = rng.choice(["", "", f"{price}", f"¥{price:,}", f"{price * 9 / 10:.2f}"])
            discount = rng.choice(["", "", "", "0", "1.00"])
            bad = rng.random()
            if bad < 0.001:
                sku = "NO-SUCH-SKU"
            elif bad < 0.0015:
                quantity = "两个"
            elif bad < 0.002:
                phone = "138123"
            elif bad < 0.0025:
                ordered = "2031-01-01 10:00"
            elif bad < 0.003:
                store = "XX99"
            out.writerow(
                [f"B{number:09d}", channel, store, ordered, sku, quantity, unit_price,
                 discount, phone, card, name, "送货上门" if number % 17 == 0 else ""]
            )  # fmt: skip
            written_lines += 1
    path.write_text(buffer.getvalue(), encoding="utf-8")


def time_import(path: Path) -> dict[str, Any]:
    from toolcrm.accounts.models import User
    from toolcrm.core.roles import Role
    from toolcrm.integrations import bulk_fastpath, services

    user = User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
    content = path.read_bytes()
    bulk_fastpath.last_stats = bulk_fastpath.FastStats()
    started = time.perf_counter()
    job = services.import_file(user=user, kind="orders", content=content, filename=path.name)
    seconds = time.perf_counter() - started
    fast = bulk_fastpath.last_stats if job.import_path == "bulk" else bulk_fastpath.FastStats()
    return {
        "seconds": seconds,
        "fast_rows": fast.fast_rows,
        "fast_orders": fast.fast_orders,
        "phases": {phase: round(value, 2) for phase, value in fast.seconds.items()},
        "rows": job.processed_rows,
        "created_orders": job.created_count,
        "skipped_orders": job.skipped_count,
        "error_rows": job.error_count,
        "path": job.import_path,
    }


# --- the child processes --------------------------------------------------------------------


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "toolcrm.settings")
    os.environ.setdefault("TASKS_BACKEND", "database")  # enqueued, not run: as in production
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "0"  # no query log
    os.environ["MEDIA_ROOT"] = str(WORK / "media")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_postgres(args: argparse.Namespace) -> dict[str, Any]:
    django_setup(f"{args.pg_url}/{PG_DATABASE}")
    from django.db import connection

    started = time.perf_counter()
    prepare_database(args.customers)
    prepared = time.perf_counter() - started
    path = Path(args.file)
    write_file(path, args.lines, args.customers)
    with connection.cursor() as cursor:
        columns = ", ".join(f'"{name}" text' for name in HEADER)
        cursor.execute(f"CREATE TABLE bench_raw_lines ({columns})")
        data = path.read_bytes()
        started = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_raw_lines FROM STDIN (FORMAT csv, HEADER true)"
        ) as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])
        copy_seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_raw_lines")
        copied = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_raw_lines")
    result = time_import(path)
    standard = time_standard_path(path, args.pg_standard_lines) if args.pg_standard_lines else None
    return {
        "prepare_seconds": prepared,
        "copy_seconds": copy_seconds,
        "copy_rows": copied,
        "import": result,
        "standard": standard,
    }


def time_standard_path(source: Path, lines: int) -> dict[str, Any]:
    """The first ``lines`` lines again, order by order, after removing what the bulk import
    wrote: how much the bulk path gains on the same database."""
    from django.conf import settings
    from django.db import connection

    from toolcrm.customers.models import Customer
    from toolcrm.sales.models import Order, OrderLine

    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {OrderLine._meta.db_table}, {Order._meta.db_table} CASCADE")
        cursor.execute(f"DELETE FROM {Customer._meta.db_table} WHERE notes LIKE %s", ["临时客户%"])
    settings.IMPORT_BULK_THRESHOLD = 0
    path = head_of(source, lines, WORK / f"orders-standard-{lines}.csv")
    result = time_import(path)
    path.unlink()
    return result


def head_of(source: Path, lines: int, path: Path) -> Path:
    """The header and the first ``lines`` lines of ``source``."""
    with source.open(encoding="utf-8") as full, path.open("w", encoding="utf-8") as part:
        for count, line in enumerate(full):
            if count > lines:
                break
            part.write(line)
    return path


def child_sqlite(args: argparse.Namespace) -> dict[str, Any]:
    database = WORK / "import-orders.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    django_setup(f"sqlite:///{database}")
    started = time.perf_counter()
    prepare_database(args.customers)
    prepared = time.perf_counter() - started
    path = head_of(Path(args.file), args.sqlite_lines, WORK / "orders-sqlite.csv")
    result = time_import(path)
    path.unlink()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    return {"prepare_seconds": prepared, "import": result}


# --- the parent -----------------------------------------------------------------------------


def admin_connection(url: str) -> Any:
    import psycopg

    return psycopg.connect(f"{url}/postgres", autocommit=True)


def run_child(phase: str, args: argparse.Namespace) -> dict[str, Any]:
    command = [sys.executable, __file__, "--phase", phase, "--file", args.file]
    command += ["--lines", str(args.lines), "--sqlite-lines", str(args.sqlite_lines)]
    command += ["--customers", str(args.customers), "--pg-url", args.pg_url]
    command += ["--pg-standard-lines", str(args.pg_standard_lines)]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument(
        "--sqlite-lines",
        type=int,
        default=100_000,
        help="lines imported on SQLite, at most --lines (default 100,000: the standard path "
        "manages a few hundred rows per second, so a million would take over an hour)",
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument(
        "--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
    )
    parser.add_argument(
        "--pg-standard-lines",
        type=int,
        default=0,
        help="also time the standard path on PostgreSQL on this many lines (default: skip)",
    )
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--phase", choices=["postgres", "sqlite"], help=argparse.SUPPRESS)
    parser.add_argument("--file", default="", help=argparse.SUPPRESS)
    args, _unknown = parser.parse_known_args()  # `make bench BENCH_ARGS=…` passes all options
    args.sqlite_lines = min(args.sqlite_lines, args.lines)
    WORK.mkdir(parents=True, exist_ok=True)
    if args.phase == "postgres":
        print(json.dumps(child_postgres(args)))
        return
    if args.phase == "sqlite":
        print(json.dumps(child_sqlite(args)))
        return

    args.file = str(WORK / f"orders-{args.lines}.csv")
    try:
        admin = admin_connection(args.pg_url)
    except Exception as error:  # no PostgreSQL here: nothing to compare with
        print(f"PostgreSQL not reachable at {args.pg_url}: {error}", file=sys.stderr)
        sys.exit(1)
    with admin:
        admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {PG_DATABASE}")
    try:
        print(f"PostgreSQL: {args.lines} lines, {args.customers} customers ...", flush=True)
        pg = run_child("postgres", args)
    finally:
        with admin_connection(args.pg_url) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE} WITH (FORCE)")
    sqlite: dict[str, Any] | None = None
    if not args.skip_sqlite:
        print(f"SQLite: {args.sqlite_lines} lines, {args.customers} customers ...", flush=True)
        sqlite = run_child("sqlite", args)
    Path(args.file).unlink(missing_ok=True)
    shutil.rmtree(WORK / "media", ignore_errors=True)  # the jobs' copies of the file

    copy_rate = pg["copy_rows"] / pg["copy_seconds"]
    pg_import = pg["import"]
    pg_rate = pg_import["rows"] / pg_import["seconds"]
    table = [
        ("PostgreSQL raw COPY into a bare table", pg["copy_rows"], pg["copy_seconds"], copy_rate),
        (
            f"PostgreSQL import ({pg_import['path']} path)",
            pg_import["rows"],
            pg_import["seconds"],
            pg_rate,
        ),
    ]
    if pg["standard"] is not None:
        st = pg["standard"]
        table.append(
            (
                f"PostgreSQL import ({st['path']} path)",
                st["rows"],
                st["seconds"],
                st["rows"] / st["seconds"],
            )
        )
    if sqlite is not None:
        sq = sqlite["import"]
        table.append(
            (
                f"SQLite import ({sq['path']} path)",
                sq["rows"],
                sq["seconds"],
                sq["rows"] / sq["seconds"],
            )
        )
    print()
    print(f"{'':44} {'rows':>9} {'seconds':>9} {'rows/s':>9} {'of COPY':>8}")
    for label, rows, seconds, rate in table:
        print(f"{label:44} {rows:>9} {seconds:>9.1f} {rate:>9.0f} {rate / copy_rate:>8.1%}")
    print(
        f"PostgreSQL import: {pg_import['created_orders']} orders created, "
        f"{pg_import['error_rows']} rows rejected into the error report; "
        f"aim (>= 25% of COPY): {'met' if pg_rate >= copy_rate / 4 else 'NOT met'}"
    )
    if pg_import["rows"]:
        print(
            f"PostgreSQL import, fast accept (set-based SQL, no Python per row): "
            f"{pg_import['fast_rows']} of {pg_import['rows']} rows "
            f"({pg_import['fast_rows'] / pg_import['rows']:.1%}), {pg_import['fast_orders']} "
            f"orders; the other rows went through the Python validators"
        )
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in pg_import["phases"].items())
        print(f"PostgreSQL import, bulk path phases: {phases or '-'}")
    print(f"load average (1/5/15 min) at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    record = {
        "db": "postgresql+sqlite" if sqlite is not None else "postgresql",
        "lines": args.lines,
        "customers": args.customers,
        "copy_rows_per_s": round(copy_rate),
        "pg_import_rows_per_s": round(pg_rate),
        "pg_import_over_copy": round(pg_rate / copy_rate, 4),
        "pg_import_path": pg_import["path"],
        "pg_import_s": round(pg_import["seconds"], 2),
        "pg_created_orders": pg_import["created_orders"],
        "pg_error_rows": pg_import["error_rows"],
        "pg_fast_rows": pg_import["fast_rows"],
        "pg_fast_share": round(pg_import["fast_rows"] / max(pg_import["rows"], 1), 4),
        "pg_bulk_phases_s": pg_import["phases"],
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    if pg["standard"] is not None:
        st = pg["standard"]
        record["pg_standard_lines"] = st["rows"]
        record["pg_standard_rows_per_s"] = round(st["rows"] / st["seconds"])
    if sqlite is not None:
        sq = sqlite["import"]
        record.update(
            {
                "sqlite_lines": sq["rows"],
                "sqlite_import_rows_per_s": round(sq["rows"] / sq["seconds"]),
                "sqlite_import_over_copy": round(sq["rows"] / sq["seconds"] / copy_rate, 4),
                "sqlite_import_path": sq["path"],
            }
        )
    print(json.dumps(record))


if __name__ == "__main__":
    main()
