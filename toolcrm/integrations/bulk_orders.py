"""The bulk path of the order importer, for large files on PostgreSQL.

A CSV file first passes through ``bulk_fastpath`` (fast accept: the rows that are certainly
good are written by set-based SQL); this module validates and writes the others — and the
whole of a workbook — with the standard rules, as follows.

The standard path (``runner.process`` + ``OrderImporter.import_unit``) spends a savepoint and a
dozen queries on every order. Here the same rules run on a whole chunk (``IMPORT_BULK_CHUNK_SIZE``
rows, one transaction, committed with the job's progress like the standard path's chunks):

1. **Python, streaming**: rows are grouped into units and checked for in-file duplicates by the
   very same ``runner.units``; each unit is validated by ``OrderImporter``'s own methods
   (``_line``, ``store``, ``choice``, ``parse``…), with the catalogue and stores loaded once and
   the pure cell parsers memoised, so every rule and every error message is the standard one.
   A phone's blind index is computed here (HMAC); nothing is decrypted.
2. **Set-based look-ups**: the chunk's phone indexes, member cards and (channel, external id)
   keys are COPYed into a temporary table and joined against customers and orders: deterministic
   customer matches (the lowest id among active customers holding the phone as main or secondary
   number, else the card — ``customers.services.find_by_phone``'s rule), their visibility to the
   uploader (``customers_visible_to`` as a sub-query), and the orders already stored with their
   lines (a re-run is answered from these: unchanged → skipped, different → the conflict error).
3. **Decisions in file order**, exactly as the standard path would take them one unit after the
   other: rejected units get the standard problems (``unknown_card``, ``not_yours``, then
   ``create_order``'s own checks through its helpers ``resolve_line`` / ``resolve_ordered_at``,
   mapped by ``OrderImporter._order_problems``); an unknown phone makes one provisional customer
   (the first accepted order with that phone names it; later orders of the chunk reuse it).
4. **Set-based writes**: provisional customers (phone encrypted in Python, only for these rows)
   are COPYed into a staging table and written with one ``INSERT … SELECT … RETURNING``; orders
   likewise with ``INSERT … SELECT … ON CONFLICT (channel, external_id) DO NOTHING``; order lines
   are COPYed straight into their table. Audit-log entries for the new customers are written in
   one batch, and the orders with a customer are announced in one ``orders_recorded_batch`` per
   chunk (``sales.signals.batched_order_signals``) after the chunk commits.

A unit whose totals would overflow the money columns is handed to the standard importer (it
answers with Django's own validation message); such units are vanishingly rare.

A provisional customer's row comes from the model's own fields (``pre_save`` and
``get_db_prep_save``: defaults, timestamps, encryption and blind indexes as ``Model.save`` would
write them). Order and line rows are built directly (that per-field machinery costs more than
the rest of a row's work); every column the bulk path does not set itself gets its field's
default, so a column added to those models later is filled as ``Model.save`` would fill it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

from auditlog.cid import get_cid
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone, translation
from django.utils.encoding import smart_str

from toolcrm.catalog.models import Product
from toolcrm.core.crypto import blind_index
from toolcrm.core.pii import _SEPARATORS as _PHONE_SEPARATORS
from toolcrm.core.pii import to_halfwidth
from toolcrm.core.roles import Capability, Role, has_capability
from toolcrm.core.scoping import ALL_STORES
from toolcrm.customers import services as customer_services
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.integrations.choices import ImportKind
from toolcrm.integrations.importers.base import (
    CUSTOMER_NOT_YOURS,
    Outcome,
    RowProblem,
)
from toolcrm.integrations.importers.orders import (
    _CHANNELS,
    CONFLICT,
    UNKNOWN_CARD,
    UNKNOWN_SKU,
    OrderImporter,
    _with_whole_order,
)
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
from toolcrm.integrations.parsing.phones import _SCIENTIFIC
from toolcrm.integrations.provisional import provisional_customer_data
from toolcrm.integrations.runner import Tally, Unit, chunks, process_unit, unit_tally
from toolcrm.sales.choices import OrderStatus
from toolcrm.sales.models import Order, OrderLine
from toolcrm.sales.selectors import orders_visible_to
from toolcrm.sales.services import (
    EXTERNAL_ID_MAX_LENGTH,
    MAX_LINES,
    OrderErrors,
    OrderLineInput,
    ResolvedLine,
    resolve_line,
    resolve_lines,
    resolve_ordered_at,
)
from toolcrm.sales.signals import announce_orders_recorded, batched_order_signals
from toolcrm.stores.models import Store

T = TypeVar("T")
# Order.subtotal/total are DecimalField(max_digits=14, decimal_places=2).
_MONEY_LIMIT = Decimal("1000000000000")
# What the bulk path writes itself (in this order); other columns get their defaults.
_ORDER_COLUMNS = (
    "channel", "external_id", "store_id", "customer_id", "staff_id", "status", "ordered_at",
    "subtotal", "discount_total", "total", "note", "created_at",
)  # fmt: skip
_LINE_COLUMNS = ("order_id", "product_id", "quantity", "unit_price", "discount", "line_total")
_CN_MOBILE_E164 = re.compile(r"\+861\d{10}")
# The fields in which two provisional customers of one job can differ (provisional.py).
_PROVISIONAL_VARYING = (
    "id", "name", "phone_index", "home_store", "source_channel", "notes", "created_at",
    "updated_at",
)  # fmt: skip
# create_order's message for a bad external id (sales.services), reused verbatim.
_EXTERNAL_ID_MESSAGE = "外部单号必填，且不超过 64 个字符。"


# --- choosing the path ----------------------------------------------------------------------


def uses_bulk_path(*, kind: str, user: Any, total_rows: int, is_dry_run: bool) -> bool:
    """Whether an import job runs through this module: order files of at least
    ``IMPORT_BULK_THRESHOLD`` rows on PostgreSQL, by a user whose scope is store-based and who
    may create orders and customers (anyone else gets the standard path's exact behaviour,
    refusals included). Dry runs and previews always take the standard path."""
    threshold = settings.IMPORT_BULK_THRESHOLD
    return (
        kind == ImportKind.ORDERS
        and not is_dry_run
        and connection.vendor == "postgresql"
        and threshold > 0
        and total_rows >= threshold
        and getattr(user, "role", "") != Role.B2B_MANAGER
        and has_capability(user, Capability.CREATE_ORDERS)
        and has_capability(user, Capability.EDIT_CUSTOMERS)
    )


# --- memoised parsers -----------------------------------------------------------------------


def _memoised(parser: Callable[[Any], T]) -> Callable[[Any], T]:
    """``parser`` with its answers (and its CellErrors) remembered per cell value: the parsers
    are pure, and a large file repeats the same prices, quantities and phones endlessly."""

    @lru_cache(maxsize=200_000, typed=True)
    def answer(value: Any) -> tuple[T | None, CellError | None]:
        try:
            return parser(value), None
        except CellError as error:
            return None, error

    def parse(value: Any) -> T:
        try:
            result, error = answer(value)
        except TypeError:  # an unhashable cell value
            return parser(value)
        if error is not None:
            raise error.with_traceback(None)
        return result  # type: ignore[return-value]

    _CACHE_CLEARERS.append(answer.cache_clear)
    return parse


# The memo caches are emptied when a job ends, so a long-lived worker does not keep them.
_CACHE_CLEARERS: list[Callable[[], None]] = []


_PARSERS: dict[Any, Callable[[Any], Any]] = {
    parser: _memoised(parser)
    for parser in (parse_amount, parse_datetime, parse_phone, parse_quantity)
}


@lru_cache(maxsize=200_000)
def _phone_index(e164: str) -> str:
    return blind_index(e164, purpose="phone")


_CACHE_CLEARERS.append(_phone_index.cache_clear)


class _KnownStores(dict[str, Store | None]):
    """Every store by upper-case code, loaded once; an unknown code is simply ``None`` (the
    base importer would query for it)."""

    def __contains__(self, key: object) -> bool:
        return True

    def __missing__(self, key: str) -> None:
        return None


# --- validation in Python -------------------------------------------------------------------


@dataclass
class Draft:
    """One unit validated in Python: the problems found without the database, and the order."""

    unit: Unit
    problems: list[RowProblem]
    channel: str = ""
    external_id: str = ""  # as the importer reads it (messages quote this)
    store: Store | None = None
    ordered_at: dt.datetime | None = None
    lines: list[OrderLineInput | None] = field(default_factory=list)
    phone: str | None = None
    phone_index: str = ""
    card: str = ""
    name: str = ""
    note: str = ""

    @property
    def rows(self) -> list[Row]:
        return self.unit.rows


class BulkOrderImporter(OrderImporter):
    """``OrderImporter`` without per-unit queries: stores and products are loaded once, parsers
    are memoised; ``draft`` runs the standard checks that need no customer or order look-up."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        stores = _KnownStores()
        for store in Store.objects.order_by("pk"):
            stores.setdefault(store.code.upper(), store)
        self._stores = stores
        self._phones: dict[str, str] = {}
        self.products: dict[str, Product] = {
            product.sku: product
            for product in Product.objects.only("pk", "sku", "price", "is_power_tool")
        }

    def parse(
        self, row: Row, name: str, parser: Callable[[Any], T], problems: list[RowProblem]
    ) -> T | None:
        if parser is parse_phone:
            return super().parse(row, name, self._parse_phone, problems)  # type: ignore[return-value]
        return super().parse(row, name, _PARSERS.get(parser, parser), problems)

    def _parse_phone(self, value: Any) -> str:
        """``parse_phone``, remembered per phone as ``normalise_phone`` sees it (separators and
        full-width forms gone), so that ``138 1234 5678`` and ``138-1234-5678`` are parsed once.
        Only successes are remembered; an error is raised by ``parse_phone`` itself, quoting
        the cell as written."""
        if not isinstance(value, str):
            return parse_phone(value)
        text = clean_text(value)
        key = _PHONE_SEPARATORS.sub("", to_halfwidth(text)).strip()
        if key.startswith("00"):
            key = "+" + key[2:]
        if _CN_MOBILE_E164.fullmatch(key):
            key = key[3:]  # +86 1xx xxxx xxxx is the national 1xx xxxx xxxx to phonenumbers
        known = self._phones.get(key)
        if known is not None and not _SCIENTIFIC.fullmatch(text):
            return known
        self._phones[key] = phone = parse_phone(value)
        return phone

    def _check_skus(
        self,
        rows: Sequence[Row],
        lines: Sequence[OrderLineInput | None],
        problems: list[RowProblem],
    ) -> None:
        for row, line in zip(rows, lines, strict=True):
            if line is not None and line.sku not in self.products:
                problems.append(self.problem(row, "sku", line.sku, "unknown_sku", UNKNOWN_SKU))

    def draft(self, unit: Unit) -> Draft:
        """``import_unit`` up to its customer look-up, in the same order of checks."""
        rows = unit.rows
        first = rows[0]
        problems: list[RowProblem] = []
        draft = Draft(unit=unit, problems=problems)
        draft.channel = self.choice(first, "channel", _CHANNELS, problems) or "pos"
        draft.external_id = self.text(first, "external_id", problems, limit=64)
        self.require(first, "external_id", draft.external_id, problems)
        draft.store = self.store(first, "store", problems)
        draft.ordered_at = self.parse(first, "ordered_at", parse_datetime, problems)
        draft.lines = [self._line(row, problems) for row in rows]
        self._check_skus(rows, draft.lines, problems)
        # _customer's first step: the phone cell (its problem comes after the SKU problems).
        draft.phone = self.parse(first, "customer_phone", parse_phone, problems)
        draft.phone_index = _phone_index(draft.phone) if draft.phone else ""
        draft.card = to_halfwidth(clean_text(self.raw(first, "member_card_no"))).upper()
        draft.name = clean_text(self.raw(first, "customer_name"))
        draft.note = clean_text(self.raw(first, "note"))[:200].strip()
        return draft

    def customer_problem(self, draft: Draft, name: str, code: str) -> RowProblem:
        first = draft.rows[0]
        if code == "unknown_card":
            return self.problem(first, name, draft.card, code, UNKNOWN_CARD)
        return self.problem(first, name, self.raw(first, name), code, CUSTOMER_NOT_YOURS)

    def conflict_problem(self, draft: Draft) -> RowProblem:
        return self.problem(
            draft.rows[0],
            "external_id",
            draft.external_id,
            "conflict",
            CONFLICT,
            external_id=draft.external_id,
        )

    def order_checks(self, draft: Draft) -> tuple[list[ResolvedLine], OrderErrors, dt.datetime]:
        """``create_order``'s checks of an order the importer found no problem with."""
        errors = OrderErrors()
        external_id = to_halfwidth(draft.external_id).strip()
        if not external_id or len(external_id) > EXTERNAL_ID_MAX_LENGTH:
            errors.add("external_id", translation.gettext(_EXTERNAL_ID_MESSAGE))
        ordered_at = resolve_ordered_at(draft.ordered_at, errors)
        items = [line for line in draft.lines if line is not None]
        lines: list[ResolvedLine] = []
        if not items or len(items) > MAX_LINES:
            resolve_lines(items, errors)  # answers before it would query
        else:
            for index, item in enumerate(items):
                product = self.products.get(to_halfwidth(str(item.sku or "")).strip())
                line = resolve_line(index, item, product, errors)
                if line is not None:
                    lines.append(line)
        return lines, errors, ordered_at


# --- SQL helpers ----------------------------------------------------------------------------


def _qn(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _db_row(obj: models.Model, fields: Sequence[models.Field[Any, Any]]) -> tuple[Any, ...]:
    """The values ``obj.save()`` would insert (defaults, auto_now_add, encryption, indexes)."""
    return tuple(f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields)


class _Columns:
    """The insert columns of a model: the ``given`` ones (attribute names, values supplied per
    row), then every other column with its default, computed once (so a column added to the
    model later is filled the way ``Model.save`` would fill it)."""

    def __init__(self, model: type[models.Model], given: Sequence[str]) -> None:
        fields = _insert_fields(model)
        by_attname = {f.attname: f for f in fields}
        others = [f for f in fields if f.attname not in given]
        self.names = [by_attname[name].column for name in given] + [f.column for f in others]
        self.tail = tuple(f.get_db_prep_save(f.get_default(), connection) for f in others)

    def row(self, *values: Any) -> tuple[Any, ...]:
        return values + self.tail


def _copy(cursor: CursorWrapper, table: str, columns: Sequence[str], rows: Iterable[Any]) -> None:
    names = ", ".join(_qn(c) for c in columns)
    with cursor.cursor.copy(f"COPY {_qn(table)} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _staging_table(
    cursor: CursorWrapper, name: str, model: type[models.Model], columns: Sequence[str]
) -> None:
    """A temporary table with these columns of the model's table (types copied, no
    constraints)."""
    cursor.execute(f"DROP TABLE IF EXISTS {_qn(name)}")
    cursor.execute(
        f"CREATE TEMP TABLE {_qn(name)} AS SELECT {', '.join(_qn(c) for c in columns)} "
        f"FROM {_qn(model._meta.db_table)} WITH NO DATA"
    )


def _insert_from_staging(
    cursor: CursorWrapper,
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    returning: Sequence[str],
    on_conflict: str = "",
) -> list[tuple[Any, ...]]:
    stage = f"bulk_stage_{model._meta.db_table}"
    _staging_table(cursor, stage, model, columns)
    _copy(cursor, stage, columns, rows)
    names = ", ".join(_qn(c) for c in columns)
    cursor.execute(
        f"INSERT INTO {_qn(model._meta.db_table)} ({names}) SELECT {names} FROM {_qn(stage)} "
        f"{on_conflict} RETURNING {', '.join(_qn(c) for c in ['id', *returning])}"
    )
    found = list(cursor.fetchall())
    cursor.execute(f"DROP TABLE {_qn(stage)}")
    return found


def _visible_ids(cursor: CursorWrapper, ids: Iterable[int], queryset: Any) -> set[int]:
    """Which of ``ids`` the scoped queryset (``…_visible_to(user)``) contains: one query."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    sql, params = queryset.values("pk").query.sql_with_params()
    cursor.execute(
        f"SELECT t.id FROM unnest(%s::bigint[]) AS t(id) WHERE t.id IN ({sql})",
        [wanted, *params],
    )
    return {row[0] for row in cursor.fetchall()}


@dataclass
class _StoredOrder:
    pk: int
    store_id: int
    customer_id: int | None
    total: Decimal
    lines: list[tuple[str, int, Decimal, Decimal]] = field(default_factory=list)


@dataclass
class _Lookups:
    by_phone: dict[str, int]
    by_card: dict[str, int]
    visible_customers: set[int]
    orders: dict[tuple[str, str], _StoredOrder]
    visible_orders: set[int]


def _look_up(cursor: CursorWrapper, user: Any, drafts: Sequence[Draft]) -> _Lookups:
    """Customers by phone index and card, stored orders by key: the chunk's keys COPYed into a
    temporary table and joined, one query per kind of key."""
    keys: set[tuple[str, str, str]] = set()
    for draft in drafts:
        if draft.phone_index:
            keys.add(("p", draft.phone_index, ""))
        if draft.card:
            keys.add(("c", draft.card, ""))
        if not draft.problems and draft.external_id:
            keys.add(("o", draft.channel, to_halfwidth(draft.external_id).strip()))
    cursor.execute("DROP TABLE IF EXISTS bulk_keys")
    cursor.execute("CREATE TEMP TABLE bulk_keys (kind char(1), key text, key2 text)")
    _copy(cursor, "bulk_keys", ["kind", "key", "key2"], keys)
    cursor.execute("ANALYZE bulk_keys")
    customers = _qn(Customer._meta.db_table)
    by_phone: dict[str, int] = {}
    for column in ("phone_index", "phone_secondary_index"):
        cursor.execute(
            f"SELECT k.key, min(c.id) FROM bulk_keys k JOIN {customers} c "
            f"ON c.{_qn(column)} = k.key WHERE k.kind = 'p' AND c.is_active GROUP BY k.key"
        )
        for key, pk in cursor.fetchall():
            by_phone[key] = min(pk, by_phone.get(key, pk))
    cursor.execute(
        f"SELECT k.key, min(c.id) FROM bulk_keys k JOIN {customers} c "
        f"ON c.member_card_no = k.key WHERE k.kind = 'c' AND c.is_active GROUP BY k.key"
    )
    by_card = dict(cursor.fetchall())
    visible = _visible_ids(
        cursor, [*by_phone.values(), *by_card.values()], customers_visible_to(user)
    )
    orders = _qn(Order._meta.db_table)
    cursor.execute(
        f"SELECT o.id, o.channel, o.external_id, o.store_id, o.customer_id, o.total "
        f"FROM bulk_keys k JOIN {orders} o ON o.channel = k.key AND o.external_id = k.key2 "
        f"WHERE k.kind = 'o'"
    )
    stored = {
        (channel, external_id): _StoredOrder(pk, store_id, customer_id, total)
        for pk, channel, external_id, store_id, customer_id, total in cursor.fetchall()
    }
    by_pk = {order.pk: order for order in stored.values()}
    if by_pk:
        cursor.execute(
            f"SELECT l.order_id, p.sku, l.quantity, l.discount, l.unit_price "
            f"FROM {_qn(OrderLine._meta.db_table)} l "
            f"JOIN {_qn(Product._meta.db_table)} p ON p.id = l.product_id "
            f"WHERE l.order_id = ANY(%s)",
            [sorted(by_pk)],
        )
        for order_id, sku, quantity, discount, unit_price in cursor.fetchall():
            by_pk[order_id].lines.append((sku, quantity, discount, unit_price))
    visible_orders = _visible_ids(cursor, by_pk, orders_visible_to(user))
    cursor.execute("DROP TABLE bulk_keys")
    return _Lookups(by_phone, by_card, visible, stored, visible_orders)


def _replay_matches(
    stored: _StoredOrder, *, store_id: int, customer_id: Any, lines: Sequence[ResolvedLine]
) -> bool:
    """``sales.services._matches`` on the stored order's prefetched lines."""
    if stored.store_id != store_id or stored.customer_id != customer_id:
        return False
    if Counter((sku, qty, discount) for sku, qty, discount, _price in stored.lines) != Counter(
        (x.product.sku, x.quantity, x.discount) for x in lines
    ):
        return False
    given = Counter(
        (x.product.sku, x.quantity, x.discount, x.unit_price) for x in lines if x.is_price_given
    )
    if given - Counter(stored.lines):
        return False
    return not (
        all(x.is_price_given for x in lines) and sum(x.line_total for x in lines) != stored.total
    )


# --- one chunk ------------------------------------------------------------------------------


@dataclass
class _Accepted:
    draft: Draft
    lines: list[ResolvedLine]
    ordered_at: dt.datetime
    customer_id: int | None = None
    new_customer: str = ""  # phone index of the provisional customer this order gets


@dataclass
class _Decision:
    outcome: Outcome | None = None
    problems: list[RowProblem] = field(default_factory=list)
    fallback: bool = False


class _Chunk:
    """Decide every unit of a chunk in file order, then write the accepted ones set-based."""

    def __init__(self, importer: BulkOrderImporter, pending: Sequence[Unit]) -> None:
        self.importer = importer
        self.user = importer.user
        self.units = pending
        self.decisions: list[_Decision] = [_Decision() for _unit in pending]
        self.accepted: list[tuple[int, _Accepted]] = []
        self.new_customers: dict[str, Draft] = {}

    def run(self) -> Tally:
        importer = self.importer
        drafts = {i: importer.draft(unit) for i, unit in enumerate(self.units) if unit.rows}
        with connection.cursor() as cursor:
            lookups = _look_up(cursor, self.user, list(drafts.values()))
            for index, draft in drafts.items():
                self._decide(index, draft, lookups)
            self._write(cursor)
        standard = OrderImporter(
            user=self.user, mapping=importer.mapping, default_store=importer.default_store
        )
        tally = Tally()
        for index, unit in enumerate(self.units):
            decision = self.decisions[index]
            # After the chunk's bulk writes, in its transaction: see the module docstring.
            tally.add(
                process_unit(standard, unit)
                if decision.fallback
                else unit_tally(unit, decision.outcome, decision.problems)
            )
        return tally

    def _store_visible(self, store_id: int) -> bool:
        allowed = self.importer._store_ids
        return allowed is ALL_STORES or store_id in (allowed or ())

    def _decide(self, index: int, draft: Draft, lookups: _Lookups) -> None:
        importer, decision = self.importer, self.decisions[index]
        problems = list(draft.problems)
        found: int | str | None = None  # a customer id, or the phone index of a new one
        name = "customer_phone"
        if draft.phone:
            found = lookups.by_phone.get(draft.phone_index)
            if found is None and draft.phone_index in self.new_customers:
                found = draft.phone_index
        if found is None and draft.card:
            name = "member_card_no"
            found = lookups.by_card.get(draft.card)
            if found is None and not draft.phone:
                problems.append(importer.customer_problem(draft, name, "unknown_card"))
        if found is not None:
            if isinstance(found, str):
                visible = self._store_visible(self.new_customers[found].store.pk)  # type: ignore[union-attr]
            else:
                visible = found in lookups.visible_customers
            if not visible:
                problems.append(importer.customer_problem(draft, name, "not_yours"))
                found = None
        if problems:
            decision.problems = _with_whole_order(draft.rows, problems, draft.external_id)
            return
        lines, errors, ordered_at = importer.order_checks(draft)
        if errors.by_field:
            found_problems = importer._order_problems(draft.rows, ValidationError(errors.by_field))
            decision.problems = _with_whole_order(draft.rows, found_problems, draft.external_id)
            return
        if sum((x.quantity * x.unit_price for x in lines), Decimal(0)) >= _MONEY_LIMIT:
            decision.fallback = True
            return
        assert draft.store is not None  # no problems: the store resolved
        key = (draft.channel, to_halfwidth(draft.external_id).strip())
        stored = lookups.orders.get(key)
        if stored is not None:
            # The standard path would make a provisional customer (a new id) and then find that
            # the stored order has another customer: a conflict, like any other difference.
            matches = (
                not isinstance(found, str)
                and not (found is None and draft.phone)
                and stored.pk in lookups.visible_orders
                and _replay_matches(stored, store_id=draft.store.pk, customer_id=found, lines=lines)
            )
            if matches:
                decision.outcome = Outcome.SKIPPED
            else:
                problem = importer.conflict_problem(draft)
                decision.problems = _with_whole_order(draft.rows, [problem], draft.external_id)
            return
        accepted = _Accepted(draft=draft, lines=lines, ordered_at=ordered_at)
        if isinstance(found, str):
            accepted.new_customer = found
        elif found is not None:
            accepted.customer_id = found
        elif draft.phone:
            self.new_customers[draft.phone_index] = draft
            accepted.new_customer = draft.phone_index
        decision.outcome = Outcome.CREATED
        self.accepted.append((index, accepted))

    # -- writes ----------------------------------------------------------------------------

    def _write(self, cursor: CursorWrapper) -> None:
        new_ids = self._write_customers(cursor)
        if not self.accepted:
            return
        user = self.user
        staff_id = user.pk if getattr(user, "is_authenticated", False) else None
        now = timezone.now()
        zero = Decimal("0.00")
        columns = _Columns(Order, _ORDER_COLUMNS)
        rows = []
        for _index, item in self.accepted:
            draft, lines = item.draft, item.lines
            if item.new_customer:
                item.customer_id = new_ids[item.new_customer]
            rows.append(
                columns.row(
                    draft.channel,
                    to_halfwidth(draft.external_id).strip(),
                    draft.store.pk,  # type: ignore[union-attr]
                    item.customer_id,
                    staff_id,
                    OrderStatus.COMPLETED.value,
                    item.ordered_at,
                    sum((x.quantity * x.unit_price for x in lines), zero),
                    sum((x.discount for x in lines), zero),
                    sum((x.line_total for x in lines), zero),
                    draft.note,
                    now,
                )
            )
        returned = _insert_from_staging(
            cursor,
            Order,
            columns.names,
            rows,
            returning=["channel", "external_id"],
            on_conflict="ON CONFLICT (channel, external_id) DO NOTHING",
        )
        order_ids = {(channel, external_id): pk for pk, channel, external_id in returned}
        line_columns = _Columns(OrderLine, _LINE_COLUMNS)
        line_rows: list[tuple[Any, ...]] = []
        announced: list[tuple[int, int]] = []
        for index, item in self.accepted:
            key = (item.draft.channel, to_halfwidth(item.draft.external_id).strip())
            order_id = order_ids.get(key)
            if order_id is None:
                # Written meanwhile by someone else (the API): a replay, as create_order says.
                self.decisions[index].outcome = Outcome.SKIPPED
                continue
            if item.customer_id is not None:
                announced.append((order_id, item.customer_id))
            line_rows.extend(
                line_columns.row(
                    order_id, x.product.pk, x.quantity, x.unit_price, x.discount, x.line_total
                )
                for x in item.lines
            )
        _copy(cursor, OrderLine._meta.db_table, line_columns.names, line_rows)
        announce_orders_recorded(announced)

    def _write_customers(self, cursor: CursorWrapper) -> dict[str, int]:
        """The provisional customers of the chunk in one INSERT … SELECT; {phone index: id}."""
        specs = [
            ProvisionalSpec(
                phone_index=phone_index,
                phone=draft.phone or "",
                name=draft.name,
                store=draft.store,
                channel=draft.channel,
                external_id=draft.external_id,
            )
            for phone_index, draft in self.new_customers.items()
        ]
        return insert_provisional_customers(cursor, self.user, specs)


@dataclass
class ProvisionalSpec:
    """A provisional customer to write: the first accepted order with an unknown phone."""

    phone_index: str
    phone: str
    name: str
    store: Store | None
    channel: str
    external_id: str


def insert_provisional_customers(
    cursor: CursorWrapper, user: Any, specs: Sequence[ProvisionalSpec]
) -> dict[str, int]:
    """Provisional customers (``create_provisional_customer``'s rows, their audit-log entries)
    in one INSERT … SELECT; {phone index: id}."""
    if not specs:
        return {}
    fields = _insert_fields(Customer)
    objects: dict[str, Customer] = {}
    for spec in specs:
        data = provisional_customer_data(
            phone=spec.phone,
            name=spec.name,
            store=spec.store,
            channel=spec.channel,
            external_id=spec.external_id,
        )
        customer = Customer(created_by=user if user.is_authenticated else None)
        for name in customer_services.EDITABLE_FIELDS:
            if data.get(name) is not None:
                setattr(customer, name, data[name])
        customer.member_card_no = None
        objects[spec.phone_index] = customer
    rows = [_db_row(customer, fields) for customer in objects.values()]
    columns = [f.column for f in fields]
    returned = _insert_from_staging(cursor, Customer, columns, rows, returning=["phone_index"])
    ids = {phone_index: pk for pk, phone_index in returned}
    for phone_index, customer in objects.items():
        customer.pk = ids[phone_index]
        customer._state.adding = False
    _audit_created(list(objects.values()))
    return ids


def _audit_created(customers: Sequence[Customer]) -> None:
    """The audit-log entries ``Customer.save()`` would have written (auditlog's create entry,
    encrypted fields excluded as registered), in one batch.

    auditlog's diff of a whole customer costs milliseconds (a manager per reverse relation), so
    it is computed once, on the first customer; per customer only the fields in which
    provisional customers differ from one another are diffed and laid over it."""
    if not customers or not auditlog.contains(Customer):
        return
    from auditlog.diff import model_instance_diff

    as_json = getattr(settings, "AUDITLOG_STORE_JSON_CHANGES", False)
    # Not the reverse one-to-one relations: each costs a query, and on a new customer they are
    # empty, which auditlog leaves out of the changes anyway.
    every = [f.name for f in Customer._meta.get_fields() if not (f.one_to_one and f.auto_created)]
    template = (
        model_instance_diff(None, customers[0], fields_to_check=every, use_json_for_changes=as_json)
        or {}
    )
    varying = [name for name in _PROVISIONAL_VARYING if name in every]
    common = {key: value for key, value in template.items() if key not in varying}
    content_type = ContentType.objects.get_for_model(Customer)
    cid = get_cid()
    entries = []
    for customer in customers:
        own = model_instance_diff(
            None, customer, fields_to_check=varying, use_json_for_changes=as_json
        )
        entries.append(
            LogEntry(
                content_type=content_type,
                object_pk=str(customer.pk),
                object_id=customer.pk,
                object_repr=smart_str(customer),
                action=LogEntry.Action.CREATE,
                changes={**common, **(own or {})},
                serialized_data=LogEntry.objects._get_serialized_data_or_none(customer),
                cid=cid,
            )
        )
    fields = _insert_fields(LogEntry)
    with connection.cursor() as cursor:
        rows = (_db_row(entry, fields) for entry in entries)
        _copy(cursor, LogEntry._meta.db_table, [f.column for f in fields], rows)


# --- the run --------------------------------------------------------------------------------


def process(
    importer: BulkOrderImporter,
    table: Table,
    *,
    chunk_size: int,
    skip_rows: int = 0,
    on_chunk: Callable[[Tally], None] | None = None,
) -> Tally:
    """``runner.process`` for the bulk path: the units after ``skip_rows`` rows, ``chunk_size``
    rows per transaction, ``on_chunk`` inside each chunk's transaction (the job's progress).
    A CSV file goes through ``bulk_fastpath`` (fast accept for the rows that are certainly
    good, this module for the others); a workbook's typed cells always take this path."""
    if table.file_format == "csv":
        from toolcrm.integrations import bulk_fastpath

        done = bulk_fastpath.process(
            importer, table, chunk_size=chunk_size, skip_rows=skip_rows, on_chunk=on_chunk
        )
        if done is not None:
            return done
    total = Tally()
    try:
        with translation.override("zh-hans"):
            for pending in chunks(importer, table, chunk_size=chunk_size, skip_rows=skip_rows):
                with batched_order_signals(), transaction.atomic():
                    tally = _Chunk(importer, pending).run()
                    if on_chunk is not None:
                        on_chunk(tally)
                total.add(tally)
    finally:
        for clear in _CACHE_CLEARERS:
            clear()
    return total
