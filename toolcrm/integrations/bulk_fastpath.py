"""Fast accept for the bulk order import: the rows of a CSV file that are certainly good are
written by set-based SQL without passing through the Python validators; every other row takes
the bulk path of ``bulk_orders`` (the standard rules, messages and error report).

The SQL here does not implement the rules a second time: it only recognises, conservatively,
rows on which the rules would certainly say yes, and with which answer.

1. **Staging.** The file's rows (as ``read_table`` reads them) are COPYed as text into a
   temporary table with their row number, their unit key (``OrderImporter.unit_key``, computed
   cheaply when the order number is plain ASCII), a hash of the row's cells (for duplicates)
   and the number of the *run* (consecutive rows with one key: one order, one ``runner.Unit``).
2. **Cell values decided in Python, once per distinct value.** Channels, store codes, SKUs,
   quantities, prices, discounts, member cards and notes repeat endlessly in a large file:
   their distinct values are read back and answered by the importer's own methods (``choice``,
   ``store``, ``parse`` with ``parse_quantity`` / ``parse_amount``, ``create_order``'s
   ``parse_money``), and the answers are COPYed into look-up tables. Order dates must be in one
   of the canonical forms ``YYYY-MM-DD[ HH:MM[:SS]]`` / ``YYYY/M/D[ HH:MM[:SS]]``; their date
   and time parts are again checked by ``parse_datetime``, once per distinct part.
3. **Phones in SQL.** A phone is fast only when, written in ASCII digits, spaces and dashes,
   it is an 11-digit number starting with 1 (optionally after +86 or 0086) whose prefix is in
   ``cn_mobile_prefixes()`` — the prefixes on which ``phonenumbers`` says *valid* for every
   number, derived from ``phonenumbers`` itself. Blind indexes (HMAC) are computed in Python
   for the distinct phones only.
4. **Classification.** An order (run) is fast when every line and its first row are fast, its
   key occurs in no other run, none of its rows has a twin in the file, it is not stored yet,
   its customer resolves without a question (a known, visible customer by phone, else a new
   phone, else a known visible member card, else none) and no slow row names the same phone
   (so provisional customers are made exactly in file order).
5. **Writing, chunk by chunk in file order** (``IMPORT_BULK_CHUNK_SIZE`` rows, whole orders,
   one transaction with the job's progress, as before): the provisional customers the chunk's
   fast orders introduce (first order with the phone names the customer, as in the standard
   path), the fast orders with one ``INSERT … SELECT … ON CONFLICT DO NOTHING``, their lines
   with one ``INSERT … SELECT``; then the chunk's slow units through ``bulk_orders._Chunk``.

Fast and slow orders share no phone, no order key and no duplicate row, so the order in which
the two halves of a chunk are written does not change any outcome; slow rows are fed to
``runner.units`` with the run boundaries of the whole file, so duplicates and repeated order
numbers among them are reported exactly as in a full pass.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

import phonenumbers
import psycopg
from django.db import DataError, connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone, translation

from toolcrm.core.crypto import blind_index
from toolcrm.core.pii import to_halfwidth
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.integrations import bulk_orders
from toolcrm.integrations.importers.orders import _CHANNELS
from toolcrm.integrations.parsing import (
    CellError,
    Row,
    Table,
    clean_text,
    parse_amount,
    parse_datetime,
    parse_phone,
    parse_quantity,
)
from toolcrm.integrations.runner import Tally, Unit, units
from toolcrm.sales.choices import OrderChannel, OrderStatus
from toolcrm.sales.models import Order, OrderLine
from toolcrm.sales.services import (
    CLOCK_TOLERANCE,
    MAX_LINES,
    OrderErrors,
    OrderLineInput,
    parse_money,
)
from toolcrm.sales.signals import announce_orders_recorded, batched_order_signals
from toolcrm.stores.models import Store

logger = logging.getLogger(__name__)

_ROWS = "bulk_fast_rows"
_TABLES = (
    _ROWS, "bulk_fast_runs", "bulk_fast_lines", "bulk_fast_orders", "bulk_fast_slow",
    "bulk_fast_phones", "bulk_fast_newcust", "bulk_fast_done", "bulk_fast_dates",
    "bulk_fast_times", "bulk_fast_prefixes",
)  # fmt: skip
# An order number that clean_text, to_halfwidth and strip leave as it is.
_PLAIN_KEY = re.compile(r"[!-~]{1,64}")
# An order date is "DATE" or "DATE TIME" (one space): each part checked in Python.
_DAY_FORM = re.compile(r"[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}")
_TIME_FORM = re.compile(r"[0-9]{2}:[0-9]{2}(?::[0-9]{2})?")
_MIN_FAST_YEAR = 2000  # Asia/Shanghai has kept UTC+8 all year since 1992
_SLOW_BATCH = 5000
_SHORT = {"member_card_no": "card"}
_MAX_QUANTITY = 2**31 - 1  # OrderLine.quantity is an integer column: larger goes the slow way
# The columns written per order and per line: the bulk path's own.
_ORDER_GIVEN = bulk_orders._ORDER_COLUMNS
_LINE_GIVEN = bulk_orders._LINE_COLUMNS


@dataclass
class FastStats:
    """What the last fast-accept run did (logged; read by the benchmark)."""

    rows: int = 0
    fast_rows: int = 0
    orders: int = 0
    fast_orders: int = 0
    seconds: dict[str, float] = field(default_factory=dict)
    """Time per phase: staging, classifying, fast writes, slow rows, commits."""

    def clock(self, phase: str, started: float) -> float:
        now = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - started
        return now


last_stats = FastStats()


# --- phones ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def cn_mobile_prefixes() -> tuple[str, ...]:
    """The prefixes P (3 to 7 digits, starting with 1) such that ``phonenumbers`` finds every
    11-digit number starting with P a valid Chinese number, as far as probing shows: a prefix
    is taken when all its sampled numbers are valid, split into its ten children when the
    samples disagree, and dropped when none is valid or at seven digits still mixed."""
    found: list[str] = []

    def valid(national: str) -> bool:
        number = phonenumbers.PhoneNumber(country_code=86, national_number=int(national))
        return bool(phonenumbers.is_valid_number(number))

    def samples(prefix: str) -> list[str]:
        rest = 11 - len(prefix)
        tails = {"0" * rest, "9" * rest, "5" * rest}
        for digit in "0123456789":  # every value of the next digit, then fixed endings
            tails.add((digit + "0" * rest)[:rest])
            tails.add((digit + "9" * rest)[:rest])
            tails.add((digit + "37" * rest)[:rest])
        return [prefix + tail for tail in sorted(tails)]

    def probe(prefix: str) -> None:
        answers = {valid(number) for number in samples(prefix)}
        if answers == {True} and len(prefix) >= 4:
            found.append(prefix)
        elif answers == {False} and len(prefix) >= 4:
            return
        elif len(prefix) < 7:
            for digit in "0123456789":
                probe(prefix + digit)

    for second in "3456789":
        probe("1" + second)
    return tuple(found)


def load_prefixes(cursor: CursorWrapper) -> None:
    """``cn_mobile_prefixes()`` into the temporary table ``whitelisted_sql`` reads."""
    cursor.execute("CREATE TEMP TABLE IF NOT EXISTS bulk_fast_prefixes (prefix text PRIMARY KEY)")
    cursor.execute("TRUNCATE bulk_fast_prefixes")
    with cursor.cursor.copy("COPY bulk_fast_prefixes FROM STDIN") as copy:
        for prefix in cn_mobile_prefixes():
            copy.write_row((prefix,))


def national_sql(cell: str) -> str:
    """SQL: the 11 national digits of a phone cell written in ASCII digits, spaces and dashes,
    optionally after +86 or 0086, starting with 1; else NULL (string functions, not a regular
    expression with groups: this runs on every order of the file)."""
    digits = f"replace(replace({cell}, ' ', ''), '-', '')"
    national = (
        f"CASE WHEN {digits} LIKE '+86%' THEN substr({digits}, 4) "
        f"WHEN {digits} LIKE '0086%' THEN substr({digits}, 5) ELSE {digits} END"
    )
    # (Used in statements without query parameters: "%" is LIKE's own wildcard.)
    return (
        f"(SELECT n FROM (SELECT {national} AS n) AS national WHERE {cell} ~ '^[0-9 +-]+$' "
        f"AND length(n) = 11 AND n LIKE '1%' AND position('+' IN n) = 0)"
    )


def whitelisted_sql(national: str) -> str:
    """SQL: whether the national number starts with one of ``cn_mobile_prefixes()``."""
    lefts = ", ".join(f"left({national}, {size})" for size in range(3, 8))
    return (
        f"{national} IS NOT NULL AND EXISTS "
        f"(SELECT 1 FROM bulk_fast_prefixes w WHERE w.prefix IN ({lefts}))"
    )


def _e164(national: str) -> str:
    return "+86" + national


# --- values decided once per distinct cell --------------------------------------------------


class _Cells:
    """The importer's answers for one cell value of a field, as a one-cell row."""

    def __init__(self, importer: bulk_orders.BulkOrderImporter) -> None:
        self.importer = importer

    def row(self, name: str, value: str | None) -> Row:
        column = self.importer.column(name) or name
        return Row(number=0, values=(value,), columns={column: 0})

    def channel(self, value: str | None) -> tuple[bool, str]:
        problems: list[Any] = []
        channel = self.importer.choice(self.row("channel", value), "channel", _CHANNELS, problems)
        return not problems, channel or OrderChannel.POS

    def store(self, value: str | None) -> tuple[bool, int | None]:
        problems: list[Any] = []
        store = self.importer.store(self.row("store", value), "store", problems)
        return (not problems and store is not None), store.pk if store else None

    def sku(self, value: str | None) -> tuple[bool, int | None, Decimal | None]:
        problems: list[Any] = []
        importer = self.importer
        sku = to_halfwidth(importer.text(self.row("sku", value), "sku", problems, limit=40)).upper()
        product = importer.products.get(sku)
        # create_order looks the SKU up again, as it reads it.
        again = importer.products.get(to_halfwidth(sku).strip())
        if problems or not sku or product is None or again is not product:
            return False, None, None
        return True, product.pk, product.price

    def quantity(self, value: str | None) -> tuple[bool, int | None]:
        if value is None:
            return False, None
        problems: list[Any] = []
        quantity = self.importer.parse(
            self.row("quantity", value), "quantity", parse_quantity, problems
        )
        ok = (
            not problems
            and isinstance(quantity, int)
            and not isinstance(quantity, bool)
            and 0 < quantity <= _MAX_QUANTITY
        )
        return ok, quantity if ok else None

    def amount(self, name: str, value: str | None) -> tuple[bool, Decimal | None]:
        """A price (``None``: not given) or a discount (blank: the default), as ``_line``
        and then ``create_order`` read it; not fast when either would complain."""
        problems: list[Any] = []
        amount = self.importer.parse(self.row(name, value), name, parse_amount, problems)
        if problems or (amount is not None and amount < 0):
            return False, None
        if amount is None:
            if name == "unit_price":
                return True, None
            amount = OrderLineInput.discount
        errors = OrderErrors()
        money = parse_money(amount, name, errors)
        return (money is not None and not errors.by_field), money

    def card(self, value: str | None) -> str:
        return to_halfwidth(clean_text(value)).upper()

    def note(self, value: str | None) -> str:
        return clean_text(value)[:200].strip()


def _day(value: str) -> dt.date | None:
    if not _DAY_FORM.fullmatch(value):
        return None
    try:
        moment = parse_datetime(value)
    except CellError:
        return None
    if moment.year < _MIN_FAST_YEAR or moment.time() != dt.time():
        return None
    return moment.date()


def _time(value: str) -> dt.time | None:
    if not _TIME_FORM.fullmatch(value):
        return None
    try:
        moment = parse_datetime(f"2001-01-01 {value}")
    except CellError:
        return None
    if moment.date() != dt.date(2001, 1, 1):
        return None
    return moment.time()


# --- SQL helpers ----------------------------------------------------------------------------


_qn = bulk_orders._qn


def _tail(model: type[models.Model], given: Sequence[str]) -> tuple[list[str], str, list[Any]]:
    """The model's other insert columns, a SELECT list of typed parameters, their defaults."""
    others = [f for f in bulk_orders._insert_fields(model) if f.attname not in given]
    names = [f.column for f in others]
    sql = "".join(f", %s::{f.db_type(connection)}" for f in others)
    values = [f.get_db_prep_save(f.get_default(), connection) for f in others]
    return names, sql, values


def _drop_all(cursor: CursorWrapper) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {', '.join(_TABLES)}")


class _FastImport:
    def __init__(
        self, importer: bulk_orders.BulkOrderImporter, table: Table, cursor: CursorWrapper
    ) -> None:
        self.importer = importer
        self.table = table
        self.cursor = cursor
        self.columns = {name: index for index, name in enumerate(table.header)}
        self.width = len(table.header)
        self.cells = _Cells(importer)

    # -- 1. staging ----------------------------------------------------------------------

    def cell(self, name: str) -> str:
        """The staging column that holds a field (NULL when the field is not mapped)."""
        index = self.columns.get(self.importer.column(name))
        return "NULL::text" if index is None else f"c{index}"

    def stage(self) -> int:
        cursor, importer = self.cursor, self.importer
        values = ", ".join(f"c{i} text" for i in range(self.width))
        cursor.execute(
            f"CREATE TEMP TABLE {_ROWS} (ord integer, n integer, run integer, "
            f"is_start boolean, key text, h bigint, extra text, {values})"
        )
        ext_index = self.columns.get(importer.column("external_id"))
        channel_index = self.columns.get(importer.column("channel"))
        channels: dict[Any, str] = {}
        unit_key = importer.unit_key
        previous: str | None = None
        run = -1
        count = 0
        with cursor.cursor.copy(f"COPY {_ROWS} FROM STDIN") as copy:
            write = copy.write_row
            for count, row in enumerate(self.table.rows(), start=1):
                cells = row.values
                ext = cells[ext_index] if ext_index is not None else None
                if ext is None:
                    key = None
                elif type(ext) is str and _PLAIN_KEY.fullmatch(ext):
                    raw = cells[channel_index] if channel_index is not None else None
                    channel = channels.get(raw)
                    if channel is None:
                        text = to_halfwidth(clean_text(raw)).lower()
                        channel = channels[raw] = _CHANNELS.get(text, text or OrderChannel.POS)
                    key = f"{channel}/{ext}"
                else:
                    key = unit_key(row)
                is_start = key is None or key != previous
                run += is_start
                previous = key
                extra = json.dumps(row.extra, ensure_ascii=False) if row.extra else None
                write((count - 1, row.number, run, is_start, key, hash(cells), extra, *cells))
        cursor.execute(f"CREATE INDEX ON {_ROWS} (ord)")
        cursor.execute(f"ANALYZE {_ROWS}")
        return count

    # -- 2. distinct values --------------------------------------------------------------

    def lookup_table(
        self, name: str, columns: str, answer: Callable[[str | None], tuple[Any, ...]]
    ) -> str:
        """``bulk_fast_map_NAME(k, …)``: each distinct value of the field ('' for blank)."""
        cursor = self.cursor
        table = f"bulk_fast_map_{_SHORT.get(name, name)}"
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TEMP TABLE {table} (k text PRIMARY KEY, {columns})")
        cursor.execute(f"SELECT DISTINCT {self.cell(name)} FROM {_ROWS}")
        values = [value for (value,) in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
            for value in values:
                copy.write_row((value or "", *answer(value)))
        cursor.execute(f"ANALYZE {table}")
        return table

    def lookups(self) -> None:
        cells = self.cells
        self.lookup_table("channel", "ok boolean, v text", cells.channel)
        self.lookup_table("store", "ok boolean, v bigint", cells.store)
        self.lookup_table("sku", "ok boolean, product_id bigint, price numeric", cells.sku)
        self.lookup_table("quantity", "ok boolean, v integer", cells.quantity)
        self.lookup_table(
            "unit_price", "ok boolean, v numeric", lambda v: cells.amount("unit_price", v)
        )
        self.lookup_table(
            "discount", "ok boolean, v numeric", lambda v: cells.amount("discount", v)
        )
        self.lookup_table(
            "member_card_no",
            "v text, cust bigint, vis boolean",
            lambda v: (cells.card(v), None, None),
        )
        self.lookup_table("note", "v text", lambda v: (cells.note(v),))

    def dates(self) -> None:
        """The distinct date parts and time parts of the orders' dates, checked in Python."""
        cursor = self.cursor
        cell = self.cell("ordered_at")
        cursor.execute(
            f"SELECT d, t FROM (SELECT split_part({cell}, ' ', 1) AS d, "
            f"split_part({cell}, ' ', 2) AS t FROM {_ROWS} WHERE is_start) p "
            f"GROUP BY GROUPING SETS ((d), (t))"
        )
        found = cursor.fetchall()
        for table, index, parse, kind in (
            ("bulk_fast_dates", 0, _day, "date"),
            ("bulk_fast_times", 1, _time, "time"),
        ):
            cursor.execute(f"CREATE TEMP TABLE {table} (k text PRIMARY KEY, v {kind})")
            parts = {row[index] for row in found if row[index]}
            with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for part in parts:
                    answer = parse(part)
                    if answer is not None:
                        copy.write_row((part, answer))

    def phones(self) -> None:
        cursor, cell = self.cursor, self.cell("customer_phone")
        cursor.execute(
            "CREATE TEMP TABLE bulk_fast_phones "
            "(national text PRIMARY KEY, idx text, cust bigint, vis boolean)"
        )
        load_prefixes(cursor)
        cursor.execute(
            f"SELECT national FROM (SELECT DISTINCT {national_sql(cell)} AS national "
            f"FROM {_ROWS} WHERE is_start) p WHERE {whitelisted_sql('national')}"
        )
        nationals = [national for (national,) in cursor.fetchall()]
        with cursor.cursor.copy("COPY bulk_fast_phones (national, idx) FROM STDIN") as copy:
            for national in nationals:
                copy.write_row((national, blind_index(_e164(national), purpose="phone")))
        cursor.execute("ANALYZE bulk_fast_phones")

    def customers(self) -> None:
        """Existing customers by phone (lowest id, main or secondary number) and by card, and
        whether the uploader may see them: ``find_by_phone``'s and ``_customer``'s rules."""
        cursor = self.cursor
        customers = _qn(Customer._meta.db_table)
        for table, key, column in (
            ("bulk_fast_phones", "idx", "phone_index"),
            ("bulk_fast_phones", "idx", "phone_secondary_index"),
            ("bulk_fast_map_card", "v", "member_card_no"),
        ):
            # Joins grouped once, not a sub-query per row (whose plan may scan customers).
            cursor.execute(
                f"UPDATE {table} t SET cust = LEAST(t.cust, m.id) FROM "
                f"(SELECT k.{key} AS key, min(c.id) AS id FROM {table} k "
                f"JOIN {customers} c ON c.{_qn(column)} = k.{key} "
                f"WHERE c.is_active AND k.{key} <> '' GROUP BY k.{key}) m "
                f"WHERE t.{key} = m.key"
            )
        sql, params = customers_visible_to(self.importer.user).values("pk").query.sql_with_params()
        for table in ("bulk_fast_phones", "bulk_fast_map_card"):
            cursor.execute(f"UPDATE {table} SET vis = false WHERE cust IS NOT NULL")
            # A semi-join (not a sub-plan per row, which a large scope would make quadratic).
            cursor.execute(f"UPDATE {table} SET vis = true WHERE cust IN ({sql})", params)

    # -- 3. classification ---------------------------------------------------------------

    def classify(self) -> None:
        cursor = self.cursor
        c = self.cell
        cursor.execute(
            f"CREATE TEMP TABLE bulk_fast_lines AS SELECT s.ord, s.run, "
            f"k.product_id, q.v AS quantity, coalesce(u.v, k.price) AS unit_price, "
            f"d.v AS discount, (k.ok AND q.ok AND u.ok AND d.ok "
            f"AND d.v <= q.v * coalesce(u.v, k.price)) IS TRUE AS ok "
            f"FROM {_ROWS} s "
            f"LEFT JOIN bulk_fast_map_sku k ON k.k = coalesce(s.{c('sku')}, '') "
            f"LEFT JOIN bulk_fast_map_quantity q ON q.k = coalesce(s.{c('quantity')}, '') "
            f"LEFT JOIN bulk_fast_map_unit_price u ON u.k = coalesce(s.{c('unit_price')}, '') "
            f"LEFT JOIN bulk_fast_map_discount d ON d.k = coalesce(s.{c('discount')}, '')".replace(
                "s.NULL::text", "NULL::text"
            )
        )
        cursor.execute("CREATE INDEX ON bulk_fast_lines (ord)")
        cutoff = timezone.now() - CLOCK_TOLERANCE - dt.timedelta(days=1)
        # Every run: its first row's order fields, its lines' verdict, and whether it is fast.
        first = (
            f"f.{c('external_id')} AS ext, ch.ok AS channel_ok, ch.v AS channel, "
            f"st.ok AS store_ok, st.v AS store_id, "
            f"f.{c('ordered_at')} AS ordered_raw, "
            f"f.{c('customer_phone')} AS phone_raw, f.{c('customer_name')} AS name_raw, "
            f"cd.v AS card, cd.cust AS card_cust, cd.vis AS card_vis, nt.v AS note"
        ).replace("f.NULL::text", "NULL::text")
        cursor.execute(
            f"CREATE TEMP TABLE bulk_fast_runs AS "
            f"SELECT r.run, r.first_ord, f.n AS first_n, r.rows, f.key, r.lines_ok, "
            f"false AS dup, r.subtotal, r.discount_total, r.total, {first} "
            f"FROM (SELECT run, min(ord) AS first_ord, count(*) AS rows, "
            f"bool_and(ok) AS lines_ok, sum(quantity * unit_price) AS subtotal, "
            f"sum(discount) AS discount_total, sum(quantity * unit_price - discount) AS total "
            f"FROM bulk_fast_lines GROUP BY run) r "
            f"JOIN {_ROWS} f ON f.ord = r.first_ord "
            f"LEFT JOIN bulk_fast_map_channel ch ON ch.k = coalesce(f.{c('channel')}, '') "
            f"LEFT JOIN bulk_fast_map_store st ON st.k = coalesce(f.{c('store')}, '') "
            f"LEFT JOIN bulk_fast_map_card cd ON cd.k = coalesce(f.{c('member_card_no')}, '') "
            f"LEFT JOIN bulk_fast_map_note nt ON nt.k = coalesce(f.{c('note')}, '')".replace(
                "f.NULL::text", "NULL::text"
            )
        )
        # Runs sharing a key with another run, runs with a row that has a twin in the file.
        cursor.execute(
            f"UPDATE bulk_fast_runs SET dup = true WHERE key IN "
            f"(SELECT key FROM bulk_fast_runs WHERE key IS NOT NULL GROUP BY key "
            f"HAVING count(*) > 1) OR run IN (SELECT run FROM {_ROWS} WHERE h IN "
            f"(SELECT h FROM {_ROWS} GROUP BY h HAVING count(*) > 1))"
        )
        orders = _qn(Order._meta.db_table)
        cursor.execute(
            f"CREATE TEMP TABLE bulk_fast_orders AS "
            f"SELECT r.run, r.first_ord, r.first_n, r.rows, r.ext, r.channel, r.store_id, "
            f"r.subtotal, r.discount_total, r.total, r.note, r.name_raw, "
            f"(dd.v + coalesce(tt.v, time '00:00')) AT TIME ZONE 'Asia/Shanghai' AS ordered_at, "
            f"split_part(r.ordered_raw, ' ', 2) AS time_part, tt.v AS time_v, "
            f"p.national, p.idx, p.cust AS phone_cust, p.vis AS phone_vis, r.card, "
            f"r.card_cust, r.card_vis, r.phone_raw, r.lines_ok, r.dup, r.channel_ok, r.store_ok, "
            f"r.ordered_raw, r.key, "
            f"EXISTS (SELECT 1 FROM {orders} o WHERE o.channel = r.channel "
            f"AND o.external_id = r.ext) AS stored "
            f"FROM bulk_fast_runs r "
            f"LEFT JOIN bulk_fast_dates dd ON dd.k = split_part(r.ordered_raw, ' ', 1) "
            f"AND length(r.ordered_raw) - length(replace(r.ordered_raw, ' ', '')) <= 1 "
            f"LEFT JOIN bulk_fast_times tt ON tt.k = split_part(r.ordered_raw, ' ', 2) "
            f"LEFT JOIN bulk_fast_phones p ON p.national = {national_sql('r.phone_raw')}",
        )
        cursor.execute(
            "ALTER TABLE bulk_fast_orders ADD COLUMN fast boolean, ADD COLUMN is_new boolean, "
            "ADD COLUMN customer_id bigint, ADD COLUMN creates boolean DEFAULT false"
        )
        cursor.execute(
            "UPDATE bulk_fast_orders SET "
            "is_new = (idx IS NOT NULL AND phone_cust IS NULL), "
            "customer_id = CASE WHEN idx IS NOT NULL THEN phone_cust "
            "WHEN phone_raw IS NULL AND card <> '' THEN card_cust END, "
            "fast = (lines_ok AND NOT dup AND NOT stored AND channel_ok AND store_ok "
            "AND card IS NOT NULL AND note IS NOT NULL "
            "AND key IS NOT NULL AND ext ~ '^[!-~]{1,64}$' "
            "AND ordered_at IS NOT NULL AND (time_part = '' OR time_v IS NOT NULL) "
            "AND ordered_at <= %s AND rows <= %s AND subtotal < %s "
            "AND CASE "
            " WHEN idx IS NOT NULL AND phone_cust IS NOT NULL THEN phone_vis "
            " WHEN idx IS NOT NULL THEN (card = '' OR card_cust IS NULL) "
            " WHEN phone_raw IS NOT NULL THEN false "
            " WHEN card <> '' THEN card_cust IS NOT NULL AND card_vis "
            " ELSE true END) IS TRUE",
            [cutoff, MAX_LINES, bulk_orders._MONEY_LIMIT],
        )
        self.separate_phones()
        # The first fast order with a new phone makes its provisional customer.
        cursor.execute(
            "UPDATE bulk_fast_orders o SET creates = true FROM (SELECT DISTINCT ON (idx) run "
            "FROM bulk_fast_orders WHERE fast AND is_new ORDER BY idx, first_ord) c "
            "WHERE o.run = c.run"
        )
        cursor.execute("CREATE INDEX ON bulk_fast_orders (first_ord)")
        cursor.execute(
            f"CREATE TEMP TABLE bulk_fast_slow AS SELECT s.* FROM {_ROWS} s "
            f"JOIN bulk_fast_orders o ON o.run = s.run WHERE NOT o.fast"
        )
        cursor.execute("CREATE INDEX ON bulk_fast_slow (ord)")
        cursor.execute("CREATE TEMP TABLE bulk_fast_newcust (idx text PRIMARY KEY, id bigint)")
        cursor.execute(
            "CREATE TEMP TABLE bulk_fast_done "
            "(order_id bigint, channel text, ext text, customer_id bigint)"
        )

    def separate_phones(self) -> None:
        """No fast order may share its phone with a slow row (whose phone is read by
        ``parse_phone`` itself): a provisional customer is then made by the same order as in
        a pass in file order. Repeated until no more orders turn slow."""
        cursor, cell = self.cursor, self.cell("customer_phone")
        if cell.startswith("NULL"):
            return
        known: set[str] = set()
        seen: set[str] = set()
        while True:
            cursor.execute(
                f"SELECT DISTINCT s.{cell} FROM {_ROWS} s JOIN bulk_fast_orders o "
                f"ON o.run = s.run WHERE NOT o.fast AND s.{cell} IS NOT NULL"
            )
            fresh = [raw for (raw,) in cursor.fetchall() if raw not in seen]
            seen.update(fresh)
            found: set[str] = set()
            for raw in fresh:
                try:
                    phone = parse_phone(raw)
                except CellError:
                    continue
                if phone.startswith("+86") and phone not in known:
                    found.add(phone[3:])
            if not found:
                return
            known.update("+86" + national for national in found)
            cursor.execute(
                "UPDATE bulk_fast_orders SET fast = false WHERE fast AND national = ANY(%s)",
                [sorted(found)],
            )
            if cursor.rowcount == 0:
                return

    # -- 4. the chunks -------------------------------------------------------------------

    def runs(self) -> list[tuple[int, int, int, bool]]:
        self.cursor.execute(
            "SELECT first_ord, first_n, rows, fast FROM bulk_fast_orders ORDER BY first_ord"
        )
        return list(self.cursor.fetchall())

    def slow_rows(self, starts: set[int]) -> Iterator[Row]:
        """The slow runs' rows in file order, rebuilt as ``read_table`` made them; the number
        of each row that begins a run goes into ``starts`` before the row is handed out."""
        columns = self.columns
        values = ", ".join(f"c{i}" for i in range(self.width))
        last = -1
        while True:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT ord, n, is_start, extra, {values} FROM bulk_fast_slow "
                    f"WHERE ord > %s ORDER BY ord LIMIT %s",
                    [last, _SLOW_BATCH],
                )
                batch = cursor.fetchall()
            if not batch:
                return
            for _ord, number, is_start, extra, *cells in batch:
                if is_start:
                    starts.add(number)
                found = tuple(tuple(pair) for pair in json.loads(extra)) if extra else ()
                yield Row(number=number, values=tuple(cells), columns=columns, extra=found)
            last = batch[-1][0]

    def write_fast(self, low: int, high: int) -> Tally:
        """The fast orders whose first row lies in [low, high) (by row ordinal)."""
        cursor, importer = self.cursor, self.importer
        user = importer.user
        self.new_customers(low, high)
        order_names, order_tail, order_values = _tail(Order, _ORDER_GIVEN)
        line_names, line_tail, line_values = _tail(OrderLine, _LINE_GIVEN)
        columns = ", ".join(_qn(c) for c in [*self.order_columns(), *order_names])
        staff_id = user.pk if getattr(user, "is_authenticated", False) else None
        cursor.execute("TRUNCATE bulk_fast_done")
        cursor.execute(
            f"WITH ins AS (INSERT INTO {_qn(Order._meta.db_table)} ({columns}) "
            f"SELECT o.channel, o.ext, o.store_id, coalesce(o.customer_id, nc.id), %s::bigint, "
            f"%s, o.ordered_at, o.subtotal, o.discount_total, o.total, o.note, %s{order_tail} "
            f"FROM bulk_fast_orders o LEFT JOIN bulk_fast_newcust nc "
            f"ON o.is_new AND nc.idx = o.idx "
            f"WHERE o.fast AND o.first_ord >= %s AND o.first_ord < %s ORDER BY o.first_ord "
            f"ON CONFLICT (channel, external_id) DO NOTHING "
            f"RETURNING id, channel, external_id, customer_id) "
            f"INSERT INTO bulk_fast_done SELECT * FROM ins",
            [staff_id, OrderStatus.COMPLETED.value, timezone.now(), *order_values, low, high],
        )
        created = cursor.rowcount
        line_columns = ", ".join(_qn(c) for c in [*self.line_columns(), *line_names])
        cursor.execute(
            f"INSERT INTO {_qn(OrderLine._meta.db_table)} ({line_columns}) "
            f"SELECT d.order_id, l.product_id, l.quantity, l.unit_price, l.discount, "
            f"l.quantity * l.unit_price - l.discount{line_tail} "
            f"FROM bulk_fast_done d "
            f"JOIN bulk_fast_orders o ON o.channel = d.channel AND o.ext = d.ext "
            f"AND o.fast AND o.first_ord >= %s AND o.first_ord < %s "
            f"JOIN bulk_fast_lines l ON l.run = o.run AND l.ord >= %s AND l.ord < %s "
            f"ORDER BY l.ord",
            [*line_values, low, high, low, high],
        )
        cursor.execute(
            "SELECT order_id, customer_id FROM bulk_fast_done WHERE customer_id IS NOT NULL"
        )
        announce_orders_recorded(cursor.fetchall())
        cursor.execute(
            "SELECT count(*), coalesce(sum(rows), 0) FROM bulk_fast_orders "
            "WHERE fast AND first_ord >= %s AND first_ord < %s",
            [low, high],
        )
        orders, rows = cursor.fetchone()
        # An order written meanwhile by someone else (the API) is a replay, as create_order says.
        return Tally(created=created, skipped=orders - created, processed_rows=int(rows))

    @staticmethod
    def order_columns() -> list[str]:
        fields = {f.attname: f.column for f in Order._meta.concrete_fields}
        return [fields[name] for name in _ORDER_GIVEN]

    @staticmethod
    def line_columns() -> list[str]:
        fields = {f.attname: f.column for f in OrderLine._meta.concrete_fields}
        return [fields[name] for name in _LINE_GIVEN]

    def new_customers(self, low: int, high: int) -> None:
        cursor = self.cursor
        cursor.execute(
            "SELECT idx, national, name_raw, store_id, channel, ext FROM bulk_fast_orders "
            "WHERE fast AND creates AND first_ord >= %s AND first_ord < %s ORDER BY first_ord",
            [low, high],
        )
        found = cursor.fetchall()
        if not found:
            return
        stores = {store.pk: store for store in Store.objects.filter(pk__in={r[3] for r in found})}
        specs = [
            bulk_orders.ProvisionalSpec(
                phone_index=idx,
                phone=_e164(national),
                name=clean_text(name_raw),
                store=stores[store_id],
                channel=channel,
                external_id=ext,
            )
            for idx, national, name_raw, store_id, channel, ext in found
        ]
        ids = bulk_orders.insert_provisional_customers(cursor, self.importer.user, specs)
        with cursor.cursor.copy("COPY bulk_fast_newcust (idx, id) FROM STDIN") as copy:
            for idx, pk in ids.items():
                copy.write_row((idx, pk))


def _chunks(
    runs: Sequence[tuple[int, int, int, bool]], chunk_size: int, skip_rows: int
) -> Iterator[tuple[int, int, int]]:
    """(first ordinal, end ordinal, first row number) of each chunk of whole runs, after the
    runs covering the first ``skip_rows`` rows (``runner.chunks``' rule)."""
    skipped = 0
    start: tuple[int, int] | None = None
    rows = 0
    end = 0
    for first_ord, first_n, count, _fast in runs:
        if skipped < skip_rows:
            skipped += count
            continue
        if start is None:
            start, rows = (first_ord, first_n), 0
        rows += count
        end = first_ord + count
        if rows >= chunk_size:
            yield start[0], end, start[1]
            start = None
    if start is not None:
        yield start[0], end, start[1]


def _first_number(unit: Unit) -> int:
    return min(row.number for row in (*unit.rows, *unit.dropped))


def process(
    importer: bulk_orders.BulkOrderImporter,
    table: Table,
    *,
    chunk_size: int,
    skip_rows: int = 0,
    on_chunk: Callable[[Tally], None] | None = None,
) -> Tally | None:
    """``bulk_orders.process`` with fast accept (see the module docstring); ``None`` when the
    file cannot be staged as text (a cell holding a NUL character), nothing having been
    written: the caller then runs the Python bulk path on the whole file."""
    global last_stats
    total = Tally()
    with connection.cursor() as cursor:
        _drop_all(cursor)
        fast = _FastImport(importer, table, cursor)
        try:
            with translation.override("zh-hans"):
                stats = FastStats()
                started = time.perf_counter()
                try:
                    with transaction.atomic():
                        stats.rows = fast.stage()
                except (DataError, psycopg.DataError):
                    return None
                started = stats.clock("staging", started)
                fast.lookups()
                fast.dates()
                fast.phones()
                fast.customers()
                fast.classify()
                runs = fast.runs()
                started = stats.clock("classifying", started)
                stats.orders = len(runs)
                stats.fast_orders = sum(1 for run in runs if run[3])
                stats.fast_rows = sum(count for _o, _n, count, is_fast in runs if is_fast)
                last_stats = stats
                logger.info("bulk order import, fast accept: %s", last_stats)
                starts: set[int] = set()
                slow_table = Table(
                    header=table.header,
                    header_row_numbers=table.header_row_numbers,
                    read_rows=lambda: fast.slow_rows(starts),
                )
                slow_units = units(importer, slow_table, starts=starts)
                chunks = list(_chunks(runs, chunk_size, skip_rows))
                pending = next(slow_units, None)
                for index, (low, high, first_n) in enumerate(chunks):
                    end_n = chunks[index + 1][2] if index + 1 < len(chunks) else None
                    chunk: list[Unit] = []
                    while pending is not None and (end_n is None or _first_number(pending) < end_n):
                        if _first_number(pending) >= first_n:
                            chunk.append(pending)
                        # (else: committed before the job was interrupted)
                        pending = next(slow_units, None)
                    started = stats.clock("slow rows", started)
                    with batched_order_signals(), transaction.atomic():
                        tally = fast.write_fast(low, high)
                        started = stats.clock("fast writes", started)
                        if chunk:
                            tally.add(bulk_orders._Chunk(importer, chunk).run())
                        if on_chunk is not None:
                            on_chunk(tally)
                        started = stats.clock("slow rows", started)
                    started = stats.clock("commits and signals", started)
                    total.add(tally)
                logger.info("bulk order import, fast accept, done: %s", stats)
        finally:
            for clear in bulk_orders._CACHE_CLEARERS:
                clear()
            if not connection.needs_rollback:
                _drop_all(cursor)
    return total
