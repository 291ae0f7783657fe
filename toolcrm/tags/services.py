"""Writes of the tags app: define, change and switch off rule tags; compute every tag for every
customer (nightly) or for a few customers (after a sale or a batch of orders).

Computing is set-based: one grouped aggregate per rule tag (``compiler``: the database picks the
members, among every customer nightly or among a few after a sale or an import chunk), two
queries for all behaviour tags (``behaviour``) and two for all predictive tags (``predictive``).
Writing compares what should be with what is and touches only the difference (insert new, delete
gone, replace changed), so a rerun on unchanged data writes nothing and ``computed_at`` keeps the
time a tag last changed for that customer.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from toolcrm.catalog.models import Brand, Category
from toolcrm.core.audit import log_event
from toolcrm.core.db import batch_statements
from toolcrm.core.roles import Capability, require_capability
from toolcrm.stores.models import Store
from toolcrm.tags.behaviour import compute_behaviour
from toolcrm.tags.choices import TagKind
from toolcrm.tags.compiler import (
    CompiledRule,
    Lookups,
    compile_rule,
    judge,
    load_lookups,
    window_end,
)
from toolcrm.tags.conf import thresholds
from toolcrm.tags.models import CustomerTag, TagDefinition
from toolcrm.tags.predictive import compute_predictive
from toolcrm.tags.registry import Reason, system_tags
from toolcrm.tags.schema import (
    DefinitionErrors,
    ProfileCondition,
    PurchaseCondition,
    RuleDefinition,
    parse_definition,
)

logger = logging.getLogger(__name__)
CHUNK_SIZE = 1000
NAME_MAX_LENGTH = 40
DESCRIPTION_MAX_LENGTH = 200
Item = TypeVar("Item")
Desired = dict[tuple[int, int], Reason]  # (customer id, tag id) → reason


@dataclass(frozen=True)
class TagWriteResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    seconds: float = 0.0

    def __add__(self, other: TagWriteResult) -> TagWriteResult:
        return TagWriteResult(
            created=self.created + other.created,
            updated=self.updated + other.updated,
            deleted=self.deleted + other.deleted,
            unchanged=self.unchanged + other.unchanged,
            seconds=self.seconds + other.seconds,
        )


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


# --- rule tag definitions -------------------------------------------------------------------


def _check_references(definition: RuleDefinition, errors: DefinitionErrors) -> None:
    """Every category, brand and store a condition names must exist (three queries at most)."""
    wanted: dict[str, set[int]] = {"category": set(), "brand": set(), "store": set()}
    for condition in definition.conditions:
        if isinstance(condition, PurchaseCondition):
            for key, value in (
                ("category", condition.category_id),
                ("brand", condition.brand_id),
                ("store", condition.store_id),
            ):
                if value is not None:
                    wanted[key].add(value)
        elif isinstance(condition, ProfileCondition) and condition.field == "home_store":
            wanted["store"].update(int(value) for value in condition.values)
    # An empty ``pk__in`` runs no query, so a definition without references costs none.
    found = {
        "category": set(
            Category.objects.filter(pk__in=wanted["category"]).values_list("pk", flat=True)
        ),
        "brand": set(Brand.objects.filter(pk__in=wanted["brand"]).values_list("pk", flat=True)),
        "store": set(Store.objects.filter(pk__in=wanted["store"]).values_list("pk", flat=True)),
    }
    for row, condition in enumerate(definition.conditions):
        if isinstance(condition, PurchaseCondition):
            if condition.category_id is not None and condition.category_id not in found["category"]:
                errors.add(row, _("品类：不存在。"))
            if condition.brand_id is not None and condition.brand_id not in found["brand"]:
                errors.add(row, _("品牌：不存在。"))
            if condition.store_id is not None and condition.store_id not in found["store"]:
                errors.add(row, _("门店：不存在。"))
        elif (
            isinstance(condition, ProfileCondition)
            and condition.field == "home_store"
            and any(int(value) not in found["store"] for value in condition.values)
        ):
            errors.add(row, _("门店：不存在。"))


def validate_rule(
    *, name: str, description: str, definition: Any, exclude_tag_id: int | None = None
) -> RuleDefinition:
    """The whole check of a rule tag: name, description and conditions; raises
    ``DefinitionErrors`` with every problem (per condition row where it has one)."""
    errors = DefinitionErrors()
    name = name.strip()
    if not name:
        errors.add(None, _("请填写标签名称。"))
    elif len(name) > NAME_MAX_LENGTH:
        errors.add(None, _("标签名称最多 %(count)s 个字。") % {"count": NAME_MAX_LENGTH})
    else:
        taken = TagDefinition.objects.filter(kind=TagKind.RULE, name=name)
        if exclude_tag_id is not None:
            taken = taken.exclude(pk=exclude_tag_id)
        if taken.exists():
            errors.add(None, _("已有同名的规则标签。"))
    if len(description) > DESCRIPTION_MAX_LENGTH:
        errors.add(None, _("说明最多 %(count)s 个字。") % {"count": DESCRIPTION_MAX_LENGTH})
    parsed: RuleDefinition | None = None
    try:
        parsed = parse_definition(definition)
    except DefinitionErrors as problems:
        errors.general += problems.general
        for row, messages in problems.rows.items():
            for message in messages:
                errors.add(row, message)
    if parsed is not None:
        _check_references(parsed, errors)
    if errors or parsed is None:
        raise errors
    return parsed


@transaction.atomic
def save_rule_tag(
    *,
    user: Any,
    name: str,
    description: str,
    definition: Any,
    tag_id: int | None = None,
    recompute: bool = True,
) -> TagDefinition:
    """Create (``tag_id=None``) or change a rule tag; its members are recomputed after commit
    (``recompute=False``: by the caller, who defines several and then recomputes all at once)."""
    require_capability(user, Capability.MANAGE_TAGS)
    tag: TagDefinition | None = None
    if tag_id is not None:
        tag = TagDefinition.objects.select_for_update().get(pk=tag_id, kind=TagKind.RULE)
    parsed = validate_rule(
        name=name, description=description, definition=definition, exclude_tag_id=tag_id
    )
    stored = parsed.model_dump(mode="json")
    if tag is None:
        tag = TagDefinition.objects.create(
            kind=TagKind.RULE,
            name=name.strip(),
            description=description.strip(),
            definition=stored,
            created_by=user,
        )
        event = "create_rule_tag"
    else:
        tag.name, tag.description, tag.definition = name.strip(), description.strip(), stored
        tag.save(update_fields=["name", "description", "definition", "updated_at"])
        event = "change_rule_tag"
    log_event(actor=user, obj=tag, event=event, data={"name": tag.name, "definition": stored})
    if recompute:
        _recompute_after_commit(tag.pk)
    return tag


def _recompute_after_commit(tag_id: int) -> None:
    from toolcrm.tags.tasks import recompute_tag

    transaction.on_commit(lambda: recompute_tag.enqueue(tag_id))


@transaction.atomic
def set_tag_active(*, user: Any, tag_id: int, is_active: bool) -> TagDefinition:
    """Switch a tag off (its customers lose it at once) or on again (recomputed after commit)."""
    require_capability(user, Capability.MANAGE_TAGS)
    tag = TagDefinition.objects.select_for_update().get(pk=tag_id)
    if tag.is_active == is_active:
        return tag
    tag.is_active = is_active
    tag.save(update_fields=["is_active", "updated_at"])
    if is_active:
        _recompute_after_commit(tag.pk)
    else:
        CustomerTag.objects.filter(tag=tag).delete()
    log_event(
        actor=user,
        obj=tag,
        event="activate_tag" if is_active else "deactivate_tag",
        data={"name": tag.name},
    )
    return tag


# --- computing ------------------------------------------------------------------------------


def ensure_system_tags(
    definitions: Sequence[TagDefinition] | None = None,
) -> dict[str, TagDefinition]:
    """The ``TagDefinition`` of every registered computed tag, created when missing
    (``definitions``: every definition, when the caller has already read them)."""
    registered = system_tags()
    if definitions is None:
        definitions = list(TagDefinition.objects.exclude(kind=TagKind.RULE))
    existing = {tag.system_code: tag for tag in definitions if tag.kind != TagKind.RULE}
    missing = [code for code in registered if code not in existing]
    if missing:
        with translation.override("zh-hans"):
            TagDefinition.objects.bulk_create(
                [
                    TagDefinition(
                        kind=registered[code].kind,
                        name=str(registered[code].name),
                        system_code=code,
                    )
                    for code in missing
                ],
                ignore_conflicts=True,
            )
        existing = {
            tag.system_code: tag for tag in TagDefinition.objects.exclude(kind=TagKind.RULE)
        }
    return {code: tag for code, tag in existing.items() if code in registered}


def _parsed(tags: Sequence[TagDefinition]) -> list[tuple[TagDefinition, RuleDefinition]]:
    parsed = []
    for tag in tags:
        try:
            parsed.append((tag, parse_definition(tag.definition)))
        except DefinitionErrors:
            logger.warning("rule tag %s has a definition that no longer validates", tag.pk)
    return parsed


def _rule_members(
    tags: Sequence[TagDefinition], now: datetime, customer_ids: Sequence[int] | None = None
) -> Desired:
    """The members of rule tags among every active customer (nightly) or a few (a sale, an
    import chunk), picked by the database in one statement for all the rules (``compiler``)."""
    parsed = _parsed(tags)
    if not parsed:
        return {}
    lookups = load_lookups([definition for _tag, definition in parsed])
    compiled = {_compiled(tag, definition, lookups, now): tag for tag, definition in parsed}
    desired: Desired = {}
    for customer_id, rule, row in judge(list(compiled), customer_ids):
        params, evidence = rule.explain(row)
        desired[(customer_id, compiled[rule].pk)] = ("rule", params, evidence)
    return desired


_COMPILED: dict[tuple[Any, ...], CompiledRule] = {}
_COMPILED_LIMIT = 500


def _compiled(
    tag: TagDefinition, definition: RuleDefinition, lookups: Lookups, now: datetime
) -> CompiledRule:
    """Compiled rules are reused by later refreshes in the same process until the tag, the day
    (the windows), the database (table quoting) or a referenced name or the category tree
    changes."""
    key = (tag.pk, tag.updated_at, window_end(now), lookups.fingerprint, connection.alias)
    rule = _COMPILED.get(key)
    if rule is None:
        if len(_COMPILED) >= _COMPILED_LIMIT:
            _COMPILED.clear()
        rule = compile_rule(definition, lookups=lookups, now=now, prefix=f"t{tag.pk}_")
        _COMPILED[key] = rule
    return rule


def _computed_members(
    system: dict[str, TagDefinition], customer_ids: Sequence[int] | None, now: datetime
) -> Desired:
    limits = thresholds()
    found = compute_behaviour(customer_ids, now=now, limits=limits)
    found.update(compute_predictive(customer_ids, limits=limits))
    desired: Desired = {}
    for code, members in found.items():
        tag = system.get(code)
        if tag is None or not tag.is_active:
            continue
        for customer_id, reason in members.items():
            desired[(customer_id, tag.pk)] = reason
    return desired


# For every customer (or from this many rows on), PostgreSQL compares in the database: the
# wanted rows go by COPY into a temporary table and two set statements delete what differs and
# insert what is missing. Writing a first full set of rows through the ORM took 23.5 s at
# 287,000 rows, by COPY 6.1 s; an unchanged rerun costs about the same either way.
COPY_SYNC_MIN = 2000


def _sync_by_copy(
    desired: Desired, *, tag_ids: Sequence[int], customer_ids: Sequence[int] | None, now: datetime
) -> TagWriteResult:
    """PostgreSQL: the outcome of ``_sync`` (equal rows untouched, changed rows replaced, gone
    rows deleted, new rows inserted) with the comparison done by the database (``jsonb``
    equality, which ignores key order as Python's ``dict`` equality does)."""
    from psycopg.types.json import Jsonb

    table = connection.ops.quote_name(CustomerTag._meta.db_table)
    narrow = "t.tag_id = ANY(%s)"
    params: list[Any] = [list(tag_ids)]
    if customer_ids is not None:
        narrow += " AND t.customer_id = ANY(%s)"
        params.append(list(customer_ids))
    else:
        # Nightly: a row a refresh wrote after this run read the orders is newer; keep it.
        narrow += " AND t.computed_at <= %s"
        params.append(now)
    same = (
        "s.customer_id = t.customer_id AND s.tag_id = t.tag_id AND s.reason_key = t.reason_key"
        " AND s.reason_params = t.reason_params AND s.evidence = t.evidence"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE tag_stage (customer_id bigint, tag_id bigint,"
            " reason_key varchar(40), reason_params jsonb, evidence jsonb) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY tag_stage FROM STDIN") as copy:
            for (customer_id, tag_id), (key, reason_params, evidence) in desired.items():
                copy.write_row((customer_id, tag_id, key, Jsonb(reason_params), Jsonb(evidence)))
        cursor.execute("ANALYZE tag_stage")
        cursor.execute(
            f"WITH gone AS (DELETE FROM {table} t WHERE {narrow}"
            f" AND NOT EXISTS (SELECT 1 FROM tag_stage s WHERE {same})"
            " RETURNING t.customer_id, t.tag_id)"
            " SELECT COUNT(*), COUNT(*) FILTER (WHERE EXISTS (SELECT 1 FROM tag_stage s"
            " WHERE s.customer_id = gone.customer_id AND s.tag_id = gone.tag_id)) FROM gone",
            params,
        )
        deleted, changed = cursor.fetchone()
        # After the delete, a wanted row either is stored exactly or not at all. A refresh
        # running beside may have inserted the same (customer, tag) meanwhile: keep its row.
        cursor.execute(
            f"INSERT INTO {table} (customer_id, tag_id, reason_key, reason_params, evidence,"
            " computed_at) SELECT s.customer_id, s.tag_id, s.reason_key, s.reason_params,"
            f" s.evidence, %s FROM tag_stage s WHERE NOT EXISTS (SELECT 1 FROM {table} t"
            " WHERE t.customer_id = s.customer_id AND t.tag_id = s.tag_id)"
            " ON CONFLICT (customer_id, tag_id) DO NOTHING",
            [now],
        )
        inserted = cursor.rowcount
        cursor.execute("DROP TABLE tag_stage")
    return TagWriteResult(
        created=inserted - changed,
        updated=changed,
        deleted=deleted - changed,
        unchanged=len(desired) - inserted,
    )


def _sync(
    desired: Desired, *, tag_ids: Sequence[int], customer_ids: Sequence[int] | None, now: datetime
) -> TagWriteResult:
    """Make the stored rows of these tags (for these customers) equal ``desired``."""
    if connection.vendor == "postgresql" and (
        customer_ids is None or len(desired) >= COPY_SYNC_MIN
    ):
        return _sync_by_copy(desired, tag_ids=tag_ids, customer_ids=customer_ids, now=now)
    return _sync_in_python(desired, tag_ids=tag_ids, customer_ids=customer_ids, now=now)


def _sync_in_python(
    desired: Desired, *, tag_ids: Sequence[int], customer_ids: Sequence[int] | None, now: datetime
) -> TagWriteResult:
    existing = CustomerTag.objects.filter(tag_id__in=list(tag_ids))
    if customer_ids is not None:
        existing = existing.filter(customer_id__in=list(customer_ids))
    stale: list[int] = []
    unchanged: set[tuple[int, int]] = set()
    changed = 0
    for pk, customer_id, tag_id, key, params, evidence, computed_at in existing.values_list(
        "pk", "customer_id", "tag_id", "reason_key", "reason_params", "evidence", "computed_at"
    ).iterator(chunk_size=5000):
        wanted = desired.get((customer_id, tag_id))
        if wanted == (key, params, evidence) or (customer_ids is None and computed_at > now):
            # equal, or (nightly) written by a refresh after this run read the orders: newer
            unchanged.add((customer_id, tag_id))
            continue
        stale.append(pk)
        if wanted is not None:
            changed += 1
    for stale_chunk in _chunks(stale, CHUNK_SIZE):
        CustomerTag.objects.filter(pk__in=stale_chunk).delete()
    new_rows = (
        CustomerTag(
            customer_id=customer_id,
            tag_id=tag_id,
            reason_key=key,
            reason_params=params,
            evidence=evidence,
            computed_at=now,
        )
        for (customer_id, tag_id), (key, params, evidence) in desired.items()
        if (customer_id, tag_id) not in unchanged
    )
    inserted = 0
    for chunk in _chunks(new_rows, CHUNK_SIZE):
        # A refresh running beside the nightly run may have inserted the same (customer, tag)
        # meanwhile: its row is as fresh as ours, so keep it rather than fail.
        CustomerTag.objects.bulk_create(chunk, ignore_conflicts=True)
        inserted += len(chunk)
    return TagWriteResult(
        created=inserted - changed,
        updated=changed,
        deleted=len(stale) - changed,
        unchanged=len(unchanged),
    )


@transaction.atomic
def recompute_tag(*, tag_id: int, now: datetime | None = None) -> TagWriteResult:
    """One rule tag for every customer (after it was defined or changed)."""
    now = now or timezone.now()
    tag = TagDefinition.objects.filter(pk=tag_id, kind=TagKind.RULE, is_active=True).first()
    if tag is None:
        return TagWriteResult()
    with batch_statements():
        desired = _rule_members([tag], now)
    return _sync(desired, tag_ids=[tag.pk], customer_ids=None, now=now)


def recompute_all_tags(*, now: datetime | None = None) -> TagWriteResult:
    """Nightly: every active tag for every active customer. The rule tags' members come from
    one statement for all of them; they are then written tag by tag (one transaction per tag,
    so the 360 pages never wait for the whole run). Last, the rows of switched-off tags and
    inactive customers are removed."""
    started = time.perf_counter()
    now = now or timezone.now()
    system = ensure_system_tags()
    result = TagWriteResult()
    rule_tags = list(TagDefinition.objects.filter(kind=TagKind.RULE, is_active=True))
    with batch_statements():
        members = _rule_members(rule_tags, now)
    by_tag: dict[int, Desired] = {tag.pk: {} for tag in rule_tags}
    for key, reason in members.items():
        by_tag[key[1]][key] = reason
    for tag in rule_tags:
        with transaction.atomic():
            result += _sync(by_tag[tag.pk], tag_ids=[tag.pk], customer_ids=None, now=now)
    active_system = [tag.pk for tag in system.values() if tag.is_active]
    with batch_statements():
        desired = _computed_members(system, None, now)
        result += _sync(desired, tag_ids=active_system, customer_ids=None, now=now)
    deleted, _counts = CustomerTag.objects.filter(
        Q(tag__is_active=False) | Q(customer__is_active=False)
    ).delete()
    return result + TagWriteResult(deleted=deleted, seconds=time.perf_counter() - started)


def refresh_customer_tags(*, customer_id: int, now: datetime | None = None) -> TagWriteResult:
    """Every tag of one customer, as the nightly run would compute it (an inactive or unknown
    customer loses every tag)."""
    return refresh_customers_tags(customer_ids=[customer_id], now=now)


@transaction.atomic
def refresh_customers_tags(
    *, customer_ids: Sequence[int], now: datetime | None = None
) -> TagWriteResult:
    """Every tag of a few customers (one sale, or one import chunk), the same queries as the
    nightly run narrowed to these customers."""
    now = now or timezone.now()
    ids = sorted(set(customer_ids))
    if not ids:
        return TagWriteResult()
    definitions = list(TagDefinition.objects.all())
    system = ensure_system_tags(definitions)
    rule_tags = [tag for tag in definitions if tag.kind == TagKind.RULE and tag.is_active]
    desired = _rule_members(rule_tags, now, ids)
    desired.update(_computed_members(system, ids, now))
    tag_ids = [tag.pk for tag in rule_tags] + [tag.pk for tag in system.values()]
    return _sync(desired, tag_ids=tag_ids, customer_ids=ids, now=now)
