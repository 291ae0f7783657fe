"""The bulk order import path (``integrations.bulk_orders``): on PostgreSQL it must leave exactly
what the standard path leaves — the same orders, lines, provisional customers, audit entries and
error report rows — for a file full of real-world problems, be idempotent, and resume after a
killed chunk. Path selection is tested on both databases."""

from __future__ import annotations

import csv
import io
import json
import random
from decimal import Decimal
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection, transaction

from tests.factories import CustomerFactory, OrderFactory, ProductFactory
from toolcrm.core.roles import Role
from toolcrm.customers.models import Customer
from toolcrm.integrations import bulk_orders, runner, services
from toolcrm.integrations.choices import ImportPath, ImportStatus
from toolcrm.integrations.models import ImportJob
from toolcrm.sales.models import Order, OrderLine

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the bulk path needs PostgreSQL (COPY, temporary tables); SQLite takes the standard one",
)
HEADER = [
    "订单号", "渠道", "门店编码", "下单时间", "商品编码", "数量", "单价", "优惠",
    "手机号", "会员卡号", "姓名", "备注",
]  # fmt: skip
KNOWN_PHONES = [f"139{n:08d}" for n in range(10_000_001, 10_000_031)]
NEW_PHONES = [f"137{n:08d}" for n in range(20_000_001, 20_000_013)]
CARDS = [f"M{n:06d}" for n in range(1, 6)]


def _phone_written(phone: str, rng: random.Random) -> str:
    form = rng.randrange(5)
    if form == 0:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if form == 1:
        return f"+86 {phone}"
    if form == 2:
        return f"0086-{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if form == 3:
        return phone.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return phone


def order_file(seed: int = 3) -> bytes:
    """About 500 order lines: known and new buyers in mixed phone formats, member cards, and a
    bad row of every kind the importer and create_order reject."""
    rng = random.Random(seed)
    rows: list[list[str]] = []
    skus = ["DR-100", "TM-5M", "BT-18V", "SAW-1", "BIT-10"]
    for number in range(150):
        external_id = f"T{number:05d}"
        channel = rng.choice(["", "pos", "门店", "线上", "ecommerce", "pos"])
        store = rng.choice(["SH01", "SH01", "sh01", "", "SH01"])
        ordered = rng.choice(
            ["2024-03-05 14:00", "2024/3/6", "2024年3月7日", "2024-03-08 09:30:00"]
        )
        phone, card, name = "", "", rng.choice(["张伟", "王芳", "李娜", "刘洋", ""])
        kind = rng.random()
        if kind < 0.55:
            phone = _phone_written(rng.choice(KNOWN_PHONES), rng)
        elif kind < 0.75:
            phone = _phone_written(rng.choice(NEW_PHONES), rng)
        elif kind < 0.85:
            card = rng.choice(CARDS).lower()
        elif kind < 0.9:
            card, phone = rng.choice(CARDS), _phone_written(rng.choice(NEW_PHONES), rng)
        lines = []
        for _line in range(rng.randint(1, 5)):
            sku = rng.choice(skus)
            quantity = rng.choice(["1", "2", "3件", "1", "5"])
            price = rng.choice(["", "599.00", "¥1,234.50", "29.9", ""])
            discount = rng.choice(["", "", "0", "1.00"])
            lines.append([sku, quantity, price, discount])
        bad = (number // 8) % 17 + 1 if number % 8 == 7 else 0  # each kind once or twice
        first = lines[0]
        if bad == 1:
            first[0] = "XX-999"  # unknown SKU
        elif bad == 2:
            first[1] = "abc"  # not a quantity
        elif bad == 3:
            first[1] = "0"  # create_order: quantity must be > 0
        elif bad == 4:
            first[2] = "-5"  # negative price
        elif bad == 5:
            first[2], first[3] = "10", "999"  # discount above the line amount
        elif bad == 6:
            ordered = "2031-01-01 10:00"  # in the future
        elif bad == 7:
            store = "HZ01"  # out of the manager's scope
        elif bad == 8:
            store = "ZZ99"  # unknown store
        elif bad == 9:
            phone, card = "", "M999999"  # unknown card, no phone
        elif bad == 10:
            phone = "12345"  # not a phone
        elif bad == 11:
            phone = "1.39123E+10"  # Excel scientific notation
        elif bad == 12:
            phone = "13900000099"  # belongs to a customer of another store
        elif bad == 13:
            channel = "xyz"  # unknown channel
        elif bad == 14:
            external_id = ""  # no order number
        elif bad == 15:
            first[3] = "abc"  # not an amount
        elif bad in (16, 17):
            first[0] = ""  # no SKU
        for sku, quantity, price, discount in lines:
            rows.append(
                [external_id, channel, store, ordered, sku, quantity, price, discount,
                 phone, card, name, "送货上门" if number % 9 == 0 else ""]
            )  # fmt: skip
    rows.insert(40, list(rows[39]))  # an exact duplicate row
    repeat = list(rows[5])
    repeat[5] = "9"
    rows.append(repeat)  # an order number seen earlier in the file
    shared = ["pos", "SH01", "2024-03-05 10:00", "DR-100", "1", "599.00", "", KNOWN_PHONES[0]]
    rows.append(["EXIST-SAME", *shared, "", "", ""])
    rows.append(["EXIST-DIFF", *shared[:4], "2", *shared[5:], "", "", ""])
    # Totals past the money columns: handed to the standard importer inside the bulk chunk.
    rows.append(["BIG-1", *shared[:4], "1000000", "9999999.99", "", "", "", "", ""])
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


@pytest.fixture
def world(store_a, store_b, catalogue) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    ProductFactory(sku="SAW-1", price=Decimal("88.00"))
    ProductFactory(sku="BIT-10", price=Decimal("12.50"))
    for index, phone in enumerate(KNOWN_PHONES):
        CustomerFactory(phone=f"+86{phone}", home_store=store_a, name=f"老客户{index}")
    for card in CARDS:
        CustomerFactory(member_card_no=card, home_store=store_a)
    CustomerFactory(phone="+8613900000099", home_store=store_b, name="外店客户")
    # A second customer holding a known phone as secondary number (the lower id wins).
    CustomerFactory(phone_secondary=f"+86{KNOWN_PHONES[1]}", home_store=store_a)
    known = Customer.objects.get(name="老客户0")
    for external_id in ("EXIST-SAME", "EXIST-DIFF"):
        order = OrderFactory(
            channel="pos", external_id=external_id, store=store_a, customer=known, total=599
        )
        OrderLine.objects.create(
            order=order,
            product=catalogue["DR-100"],
            quantity=1,
            unit_price=Decimal("599.00"),
            discount=Decimal("0.00"),
            line_total=Decimal("599.00"),
        )
    return {"content": order_file()}


def run(user: Any, content: bytes) -> ImportJob:
    return services.import_file(user=user, kind="orders", content=content, filename="orders.csv")


def snapshot(job: ImportJob) -> dict[str, Any]:
    """What an import left, without database ids."""

    def who(customer: Customer | None) -> tuple[str, ...] | None:
        if customer is None:
            return None
        return (customer.name, customer.phone, customer.member_card_no or "", customer.notes)

    orders = sorted(
        (
            o.channel, o.external_id, o.store.code, who(o.customer), o.status,
            o.ordered_at.isoformat(), o.subtotal, o.discount_total, o.total, o.note, o.staff_id,
            sorted(
                (x.product.sku, x.quantity, x.unit_price, x.discount, x.line_total)
                for x in o.lines.all()
            ),
        )
        for o in Order.objects.select_related("store", "customer").prefetch_related(
            "lines__product"
        )
    )  # fmt: skip
    customers = sorted(
        (
            c.name, c.phone, c.phone_index, c.phone_secondary, c.member_card_no or "", c.kind,
            c.home_store_id, c.source_channel, c.notes, c.created_by_id, c.is_active,
        )
        for c in Customer.objects.all()
    )  # fmt: skip
    errors = list(
        job.row_errors.order_by("row_number", "pk").values_list(
            "row_number", "column", "value", "code", "message_zh", "message_en", "row_data"
        )
    )
    varying = {"id", "created_at", "updated_at"}  # differ between two runs by nature
    audit = sorted(
        json.dumps(
            {k: v for k, v in entry.changes_dict.items() if k not in varying}, sort_keys=True
        )
        for entry in LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Customer), action=0
        )
    )
    counts = (
        job.processed_rows, job.total_rows, job.created_count, job.skipped_count, job.error_count
    )  # fmt: skip
    return {
        "orders": orders,
        "customers": customers,
        "errors": errors,
        "audit": audit,
        "counts": counts,
    }


class _Rollback(Exception):
    pass


@on_postgres
@pytest.mark.django_db
def test_bulk_path_leaves_exactly_what_the_standard_path_leaves(manager, world, settings) -> None:
    settings.IMPORT_BULK_CHUNK_SIZE = 120  # several chunks: provisional customers across them
    settings.IMPORT_BULK_THRESHOLD = 10**9
    with pytest.raises(_Rollback), transaction.atomic():
        standard_job = run(manager, world["content"])
        assert standard_job.import_path == ImportPath.STANDARD
        standard = snapshot(standard_job)
        raise _Rollback

    settings.IMPORT_BULK_THRESHOLD = 100
    bulk_job = run(manager, world["content"])
    assert bulk_job.import_path == ImportPath.BULK
    bulk = snapshot(bulk_job)

    codes = {error[3] for error in standard["errors"]}
    assert codes >= {
        "unknown_sku", "invalid_quantity", "negative", "invalid", "store_out_of_scope",
        "unknown_card", "not_yours", "duplicate_row", "duplicate_key", "conflict",
        "order_rejected", "not_a_choice", "required", "phone_scientific",
    }  # fmt: skip
    assert standard["counts"][2] > 80 and standard["counts"][3] == 1  # EXIST-SAME skipped
    assert len(standard["customers"]) > len(KNOWN_PHONES) + len(CARDS) + 2  # provisionals
    assert bulk["counts"] == standard["counts"]
    assert bulk["errors"] == standard["errors"]
    assert bulk["customers"] == standard["customers"]
    assert bulk["orders"] == standard["orders"]
    assert bulk["audit"] == standard["audit"]


@on_postgres
@pytest.mark.django_db
def test_second_bulk_run_imports_nothing_new(manager, world, settings) -> None:
    settings.IMPORT_BULK_THRESHOLD = 100
    first = run(manager, world["content"])
    counts = (Order.objects.count(), OrderLine.objects.count(), Customer.objects.count())

    again = run(manager, world["content"])

    assert again.import_path == ImportPath.BULK
    assert again.created_count == 0
    assert again.skipped_count == first.created_count + first.skipped_count
    assert again.error_count == first.error_count
    assert (Order.objects.count(), OrderLine.objects.count(), Customer.objects.count()) == counts


@on_postgres
@pytest.mark.django_db
def test_killed_bulk_job_resumes_after_its_last_chunk(
    manager, world, settings, monkeypatch
) -> None:
    settings.IMPORT_BULK_THRESHOLD = 100
    settings.IMPORT_BULK_CHUNK_SIZE = 200
    job = services.create_import_job(
        user=manager, kind="orders", content=world["content"], filename="orders.csv"
    )
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    real_run = bulk_orders._Chunk.run
    calls: list[int] = []

    def killed_after_first_chunk(self):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) > 1:
            raise RuntimeError("worker killed")
        return real_run(self)

    monkeypatch.setattr(bulk_orders._Chunk, "run", killed_after_first_chunk)
    with pytest.raises(RuntimeError):
        services.run_import_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING and 200 <= job.processed_rows < job.total_rows
    halfway = Order.objects.count()

    monkeypatch.setattr(bulk_orders._Chunk, "run", real_run)
    job = services.run_import_job(job_id=job.pk)
    again = services.run_import_job(job_id=job.pk)  # a second delivery changes nothing

    assert (again.status, again.processed_rows) == (ImportStatus.DONE, again.total_rows)
    assert Order.objects.count() > halfway
    assert Order.objects.count() == again.created_count + 2  # plus the two stored beforehand
    assert job.row_errors.count() == len(list(job.row_errors.values("pk")))
    keys = list(Order.objects.values_list("channel", "external_id"))
    assert len(keys) == len(set(keys))


@pytest.mark.django_db
def test_path_selection(manager, make_user, store_a, settings) -> None:
    settings.IMPORT_BULK_THRESHOLD = 1000
    b2b = make_user(Role.B2B_MANAGER, username="b2b_x")
    big = {"user": manager, "total_rows": 1000, "is_dry_run": False}
    expected = connection.vendor == "postgresql"

    assert bulk_orders.uses_bulk_path(kind="orders", **big) is expected
    assert not bulk_orders.uses_bulk_path(kind="orders", **{**big, "total_rows": 999})
    assert not bulk_orders.uses_bulk_path(kind="orders", **{**big, "is_dry_run": True})
    assert not bulk_orders.uses_bulk_path(kind="customers", **big)
    assert not bulk_orders.uses_bulk_path(kind="orders", **{**big, "user": b2b})
    settings.IMPORT_BULK_THRESHOLD = 0
    assert not bulk_orders.uses_bulk_path(kind="orders", **big)


@pytest.mark.django_db
def test_job_records_the_path_it_ran(manager, store_a, catalogue, settings) -> None:
    settings.IMPORT_BULK_THRESHOLD = 2
    content = "订单号,商品编码,数量,手机号\nA1,DR-100,1,13812345678\nA2,TM-5M,2,\n".encode()

    job = run(manager, content)

    expected = ImportPath.BULK if connection.vendor == "postgresql" else ImportPath.STANDARD
    assert (job.import_path, job.created_count, job.error_count) == (expected, 2, 0)
    assert Order.objects.get(external_id="A1").customer.phone == "+8613812345678"
    dry = services.import_file(
        user=manager, kind="orders", content=content, filename="o.csv", is_dry_run=True
    )
    assert dry.import_path == ImportPath.STANDARD


@pytest.mark.django_db
def test_import_command_says_which_path_ran(admin_user, catalogue, settings, tmp_path) -> None:
    settings.IMPORT_BULK_THRESHOLD = 2
    path = tmp_path / "orders.csv"
    path.write_text("订单号,门店编码,商品编码,数量\nC1,SH01,DR-100,1\nC2,SH01,BT-18V,2\n")
    out = io.StringIO()

    call_command("import_data", "orders", str(path), stdout=out)

    expected = "bulk" if connection.vendor == "postgresql" else "standard"
    assert f"created 2, updated 0, unchanged 0, rows with errors 0; path: {expected}" in (
        out.getvalue()
    )
    assert Order.objects.filter(external_id__in=["C1", "C2"]).count() == 2


def test_standard_runner_is_untouched_by_the_bulk_module() -> None:
    # The bulk path reuses the standard grouping of rows into units and chunks (duplicates
    # included).
    assert bulk_orders.chunks is runner.chunks


def mixed_file() -> bytes:
    """Orders the fast accept takes (plain digits, ISO dates, plain amounts, known and new
    phones in +86 / 0086 / spaced forms, member cards) mixed with orders only the Python rules
    can read (full-width digits, Chinese dates, ¥ amounts, odd phone forms) and an order with
    one bad line among good ones."""
    rows: list[list[str]] = []
    good = [
        ["F001", "pos", "SH01", "2024-03-05 14:00", "DR-100", "1", "599.00", "", KNOWN_PHONES[2]],
        ["F001", "pos", "SH01", "2024-03-05 14:00", "TM-5M", "2", "", "1.00", KNOWN_PHONES[2]],
        ["F002", "", "SH01", "2024/3/6", "BT-18V", "3", "29.9", "0", f"+86 {NEW_PHONES[0]}"],
        ["F003", "线上", "sh01", "2024-03-07", "SAW-1", "1", "", "", f"0086-{NEW_PHONES[0]}"],
        ["F004", "pos", "SH01", "2024-03-08 09:30:00", "BIT-10", "2", "12.50", "", ""],
        ["F005", "ecommerce", "SH01", "2024-03-08 10:00", "DR-100", "1", "", "", NEW_PHONES[1]],
        ["F006", "pos", "SH01", "2024-03-08 11:00", "DR-100", "1", "", "", KNOWN_PHONES[7]],
        ["F007", "pos", "SH01", "2024-03-08 12:00", "TM-5M", "1", "", "", KNOWN_PHONES[8]],
    ]
    for row in good:
        rows.append([*row, CARDS[0] if row[0] == "F004" else "", "赵六", ""])
    fullwidth = KNOWN_PHONES[3].translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    slow = [
        ["S001", "pos", "SH01", "2024年3月9日", "DR-100", "1", "", "", KNOWN_PHONES[4]],
        ["S002", "pos", "SH01", "2024-03-09", "TM-5M", "２", "", "", KNOWN_PHONES[5]],
        ["S003", "pos", "SH01", "2024-03-09", "BT-18V", "1", "¥1,234.50", "", NEW_PHONES[2]],
        ["S004", "pos", "SH01", "2024-03-09", "SAW-1", "1", "", "", fullwidth],
        ["S005", "pos", "SH01", "2024-03-09", "DR-100", "1", "", "", f"(86) {NEW_PHONES[3]}"],
        ["S006", "pos", "SH01", "2024-03-09", "DR-100", "1", "", "", "8613912345678"],
        # The same new phone as a fast order further down: made by this (slow) order first.
        ["S007", "pos", "SH01", "2024年3月10日", "DR-100", "1", "", "", NEW_PHONES[4]],
        ["S008", "pos", "SH01", "2024-03-10", "DR-100", "1", "", "", NEW_PHONES[4]],
        # One bad line holds back the whole order, including its good lines.
        ["S009", "pos", "SH01", "2024-03-10", "DR-100", "1", "", "", KNOWN_PHONES[6]],
        ["S009", "pos", "SH01", "2024-03-10", "XX-404", "1", "", "", KNOWN_PHONES[6]],
        ["S009", "pos", "SH01", "2024-03-10", "TM-5M", "1", "", "", KNOWN_PHONES[6]],
        ["S010", "pos", "SH01", "2031-01-01 10:00", "DR-100", "1", "", "", ""],
    ]
    for row in slow:
        rows.append([*row, "", "孙七", ""])
    rows.append(list(rows[6]))  # a twin of a fast-looking row (F006): both go the Python way
    rows.append(["F007", *rows[7][1:5], "9", *rows[7][6:]])  # an order number seen earlier
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode()


@on_postgres
@pytest.mark.django_db
def test_fast_accept_and_python_rows_together_match_the_standard_path(
    manager, world, settings
) -> None:
    from toolcrm.integrations import bulk_fastpath

    content = mixed_file()
    settings.IMPORT_BULK_CHUNK_SIZE = 5
    settings.IMPORT_BULK_THRESHOLD = 10**9
    with pytest.raises(_Rollback), transaction.atomic():
        standard = snapshot(run(manager, content))
        raise _Rollback

    settings.IMPORT_BULK_THRESHOLD = 1
    bulk_job = run(manager, content)
    bulk = snapshot(bulk_job)

    stats = bulk_fastpath.last_stats
    assert bulk_job.import_path == ImportPath.BULK
    assert stats.rows == len(content.splitlines()) - 1
    # F001–F005, and S002 / S003: a full-width quantity and a ¥ price are read by the Python
    # parsers themselves (once per distinct cell value), so they do not hold an order back.
    assert (stats.fast_orders, stats.fast_rows) == (7, 8)
    assert {error[3] for error in standard["errors"]} >= {
        "unknown_sku", "order_rejected", "duplicate_row", "duplicate_key", "invalid"
    }  # fmt: skip
    assert bulk == standard


@on_postgres
@pytest.mark.django_db
def test_sql_phone_whitelist_agrees_with_phonenumbers() -> None:
    import phonenumbers

    from toolcrm.integrations import bulk_fastpath
    from toolcrm.integrations.parsing import CellError, parse_phone

    rng = random.Random(11)
    nationals = [f"1{rng.randrange(10**10):010d}" for _ in range(3000)]
    nationals += ["17400123456", "17405999999", "17406000000", "16101234567", "16111234567"]
    written = [rng.choice(["{}", "+86 {}", "0086-{}", "+86-{}"]).format(n) for n in nationals]
    written += ["13812345678 ", "86 13812345678", "1381234567", "138123456789", "+85213812345678"]
    with connection.cursor() as cursor:
        bulk_fastpath.load_prefixes(cursor)
        cursor.execute("CREATE TEMP TABLE phone_sample (raw text)")
        cursor.executemany("INSERT INTO phone_sample VALUES (%s)", [(raw,) for raw in written])
        cursor.execute(
            f"SELECT raw, n, {bulk_fastpath.whitelisted_sql('n')} FROM "
            f"(SELECT raw, {bulk_fastpath.national_sql('raw')} AS n FROM phone_sample) s"
        )
        answers = cursor.fetchall()
        cursor.execute("DROP TABLE phone_sample, bulk_fast_prefixes")
    accepted = 0
    for raw, found, fast in answers:
        try:
            python: str | None = parse_phone(raw)
        except CellError:
            python = None
        if fast:
            accepted += 1
            assert python == f"+86{found}", raw  # SQL never accepts what Python would not
        elif found is not None:
            # An 11-digit form whose prefix SQL turned down: phonenumbers turns it down too.
            assert python is None, raw
        assert (
            phonenumbers.is_valid_number(
                phonenumbers.PhoneNumber(country_code=86, national_number=int(found))
            )
            == bool(fast)
            if found
            else True
        )
    assert accepted > 1000  # most of the mobile range is in the whitelist


@on_postgres
@pytest.mark.django_db
def test_file_that_cannot_be_staged_takes_the_python_bulk_path(
    manager, store_a, catalogue, settings
) -> None:
    settings.IMPORT_BULK_THRESHOLD = 2
    # A NUL character in a column the import does not read: staging (every cell as text)
    # fails, and the whole file goes through the Python bulk path instead.
    content = (
        "订单号,门店编码,商品编码,数量,备用\nN1,SH01,DR-100,1,a\x00b\nN2,SH01,TM-5M,2,\n".encode()
    )

    job = run(manager, content)

    assert (job.import_path, job.created_count, job.error_count) == (ImportPath.BULK, 2, 0)
    assert Order.objects.filter(external_id__in=["N1", "N2"]).count() == 2
