"""Merging two customer records into one, and undoing a merge.

``merge_customers`` moves every row that points at the merged-away customer (orders,
interactions, consents, company contacts) to the survivor, applies the field values the user
picked, deactivates the merged record (kept, so the merge can be undone) and records a
``MergeRecord`` with both records' previous values and the ids of the moved rows.
``undo_merge`` restores both records and moves exactly those rows back, or refuses when that can
no longer be done cleanly. ``auto_merge_deterministic`` merges the open candidates that only
deterministic keys support. Each merge and undo is one transaction, audit-logged
(django-auditlog records the field changes; ``core.audit.log_event`` records the merge itself),
and rescoring of both customers is announced after commit
(``customers.signals.customers_merged``).

Snapshots hold no plaintext PII: encrypted fields are stored re-encrypted with the active key
(``core.crypto.encrypt``) and decrypted on undo, so the record is as safe as the customer table
(an older key must stay in the key ring while undoable merges are encrypted with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from toolcrm.core import crypto
from toolcrm.core.audit import log_event
from toolcrm.core.roles import Capability, require_capability
from toolcrm.customers.choices import CustomerKind
from toolcrm.customers.models import CompanyContact, Consent, Customer, Interaction
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.customers.signals import customers_merged
from toolcrm.integrations.choices import MatchKind, MatchStatus
from toolcrm.integrations.identity import DETERMINISTIC_CODES, set_pair_status
from toolcrm.integrations.models import MatchCandidate, MergeRecord
from toolcrm.sales.models import Order

FieldSource = Literal["survivor", "other"]

# The fields a user picks between on the merge screen, with their labels.
MERGEABLE_FIELDS: dict[str, Any] = {
    "name": gettext_lazy("姓名/企业名称"),
    "phone": gettext_lazy("手机号"),
    "phone_secondary": gettext_lazy("备用电话"),
    "member_card_no": gettext_lazy("会员卡号"),
    "email": gettext_lazy("邮箱"),
    "wechat_openid": gettext_lazy("微信 OpenID"),
    "wechat_unionid": gettext_lazy("微信 UnionID"),
    "id_card_no": gettext_lazy("身份证号"),
    "birthday": gettext_lazy("生日"),
    "gender": gettext_lazy("性别"),
    "age_band": gettext_lazy("年龄段"),
    "occupation": gettext_lazy("职业"),
    "company_type": gettext_lazy("企业类型"),
    "credit_code": gettext_lazy("统一社会信用代码"),
    "home_store": gettext_lazy("归属门店"),
    "province": gettext_lazy("省"),
    "city": gettext_lazy("市"),
    "district": gettext_lazy("区/县"),
    "street": gettext_lazy("街道/详细地址"),
    "adcode": gettext_lazy("行政区划代码"),
    "source_channel": gettext_lazy("来源渠道"),
}
ENCRYPTED_FIELDS = ("phone", "phone_secondary", "id_card_no")
# Restored on undo: every mergeable field plus what the merge itself changes on the loser.
SNAPSHOT_FIELDS = (*MERGEABLE_FIELDS, "notes", "is_active")
_SNAPSHOT_ATTRS = {"home_store": "home_store_id"}


@dataclass(frozen=True)
class MovedTable:
    """One kind of row that points at a customer and moves with a merge."""

    key: str
    label: Any
    model: type[Any]
    field: str

    def rows_of(self, customer: Customer) -> QuerySet[Any]:
        return self.model.objects.filter(**{self.field: customer})


MOVED_TABLES = (
    MovedTable("orders", gettext_lazy("订单"), Order, "customer"),
    MovedTable("interactions", gettext_lazy("互动记录"), Interaction, "customer"),
    MovedTable("consents", gettext_lazy("授权记录"), Consent, "customer"),
    MovedTable("contacts", gettext_lazy("企业联系人"), CompanyContact, "company"),
)


def _snapshot(customer: Customer) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in SNAPSHOT_FIELDS:
        value = getattr(customer, _SNAPSHOT_ATTRS.get(name, name))
        if name in ENCRYPTED_FIELDS and value:
            value = crypto.encrypt(value)
        elif isinstance(value, date):
            value = value.isoformat()
        values[name] = value
    return values


def _restore(customer: Customer, snapshot: dict[str, Any]) -> None:
    for name in SNAPSHOT_FIELDS:
        value = snapshot.get(name)
        if name in ENCRYPTED_FIELDS and value:
            value = crypto.decrypt(value)
        elif name == "birthday" and value:
            value = date.fromisoformat(value)
        setattr(customer, _SNAPSHOT_ATTRS.get(name, name), value)


def check_mergeable(*, survivor: Customer, other: Customer) -> None:
    """Business rules that forbid a merge whatever the user picks (raises ValidationError)."""
    if survivor.pk == other.pk:
        raise ValidationError(_("不能把客户与自己合并。"))
    if not (survivor.is_active and other.is_active):
        raise ValidationError(_("只能合并有效客户。"))
    if survivor.kind != other.kind:
        raise ValidationError(_("个人客户与企业客户不能合并。"))
    if (
        survivor.kind == CustomerKind.COMPANY
        and survivor.credit_code
        and other.credit_code
        and survivor.credit_code.upper() != other.credit_code.upper()
    ):
        raise ValidationError(_("两家企业的统一社会信用代码不同，不能合并。"))


def _check_choices(field_choices: dict[str, str]) -> None:
    unknown = sorted(set(field_choices) - set(MERGEABLE_FIELDS))
    invalid = sorted(k for k, v in field_choices.items() if v not in ("survivor", "other"))
    if unknown or invalid:
        raise ValidationError(
            _("字段选择无效：%(fields)s") % {"fields": ", ".join(unknown + invalid)}
        )


def _lock(*customers: Customer) -> None:
    ids = sorted(customer.pk for customer in customers)
    list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _announce(*customer_ids: int) -> None:
    transaction.on_commit(
        lambda: customers_merged.send(sender=MergeRecord, customer_ids=list(customer_ids))
    )


@transaction.atomic
def merge_customers(
    *,
    user: Any,
    survivor: Customer,
    other: Customer,
    field_choices: dict[str, FieldSource],
) -> MergeRecord:
    """Merge ``other`` into ``survivor``; fields not in ``field_choices`` keep the survivor's
    value. Both customers must already have been fetched through ``get_customer_for``."""
    require_capability(user, Capability.MERGE_CUSTOMERS)
    if customers_visible_to(user).filter(pk__in=[survivor.pk, other.pk]).count() != 2:
        raise PermissionDenied("customer outside scope")
    _lock(survivor, other)
    survivor.refresh_from_db()
    other.refresh_from_db()
    check_mergeable(survivor=survivor, other=other)
    _check_choices(dict(field_choices))
    record = MergeRecord(
        survivor=survivor,
        merged=other,
        performed_by=user,
        performed_at=timezone.now(),
        field_choices=dict(field_choices),
        survivor_snapshot=_snapshot(survivor),
        merged_snapshot=_snapshot(other),
    )
    moved: dict[str, list[int]] = {}
    for table in MOVED_TABLES:
        rows = table.rows_of(other)
        moved[table.key] = sorted(rows.values_list("pk", flat=True))
        rows.update(**{table.field: survivor})
    record.moved_rows = moved

    taken = {name for name, source in field_choices.items() if source == "other"}
    values = {name: getattr(other, _SNAPSHOT_ATTRS.get(name, name)) for name in taken}
    # The loser gives up what the survivor takes (a member card is unique) and is kept inactive.
    if "member_card_no" in taken:
        other.member_card_no = None
    other.is_active = False
    other.notes = "\n".join(filter(None, [other.notes, f"已合并到 #{survivor.pk}"]))
    other.save(update_fields=["member_card_no", "is_active", "notes", "updated_at"])
    for name, value in values.items():
        setattr(survivor, _SNAPSHOT_ATTRS.get(name, name), value)
    survivor.full_clean()
    survivor.save()  # a full save, so the blind indexes of taken PII fields are recomputed
    record.full_clean()
    record.save()
    log_event(
        actor=user,
        obj=survivor,
        event="merge_customers",
        data={
            "merge_id": record.pk,
            "merged_id": other.pk,
            "fields_from_merged": sorted(taken),
            "moved": {key: len(ids) for key, ids in moved.items()},
        },
    )
    set_pair_status(user=user, customer=survivor, other=other, status=MatchStatus.MERGED)
    _announce(survivor.pk, other.pk)
    return record


def undo_blocker(merge: MergeRecord) -> str:
    """Why ``merge`` can no longer be undone cleanly, or "" when it can."""
    if merge.is_undone:
        return _("该合并已撤销。")
    involved = [merge.survivor_id, merge.merged_id]
    later = MergeRecord.objects.filter(undone_at__isnull=True, pk__gt=merge.pk).filter(
        Q(survivor_id__in=involved) | Q(merged_id__in=involved)
    )
    if later.exists():
        return _("之后又有涉及这两位客户的合并，请先撤销之后的合并。")
    for table in MOVED_TABLES:
        ids = merge.moved_rows.get(table.key, [])
        still_there = table.model.objects.filter(
            pk__in=ids, **{f"{table.field}_id": merge.survivor_id}
        ).count()
        if still_there != len(ids):
            return _("合并后转移的%(table)s已被改动或删除，无法撤销。") % {"table": table.label}
    for snapshot in (merge.survivor_snapshot, merge.merged_snapshot):
        card = snapshot.get("member_card_no")
        holders = Customer.objects.filter(member_card_no=card).exclude(pk__in=involved)
        if card and holders.exists():
            return _("会员卡号 %(card)s 已被其他客户使用，无法撤销。") % {"card": card}
    return ""


@transaction.atomic
def undo_merge(*, user: Any, merge: MergeRecord) -> MergeRecord:
    """Restore both customers as they were and move the moved rows back to the merged one."""
    require_capability(user, Capability.MERGE_CUSTOMERS)
    merge = MergeRecord.objects.select_for_update().get(pk=merge.pk)
    survivor, merged = merge.survivor, merge.merged
    _lock(survivor, merged)
    if blocker := undo_blocker(merge):
        raise ValidationError(blocker)
    for table in MOVED_TABLES:
        table.model.objects.filter(pk__in=merge.moved_rows.get(table.key, [])).update(
            **{table.field: merged}
        )
    # The survivor first: it may hold the merged customer's member card, which the merged
    # customer can only take back once the survivor has returned to its own.
    _restore(survivor, merge.survivor_snapshot)
    survivor.save()
    _restore(merged, merge.merged_snapshot)
    merged.save()
    merge.undone_at = timezone.now()
    merge.undone_by = user
    merge.save(update_fields=["undone_at", "undone_by"])
    log_event(
        actor=user,
        obj=survivor,
        event="undo_merge",
        data={"merge_id": merge.pk, "merged_id": merged.pk},
    )
    set_pair_status(user=user, customer=survivor, other=merged, status=MatchStatus.OPEN)
    _announce(survivor.pk, merged.pk)
    return merge


def _gap_filling_choices(survivor: Customer, other: Customer) -> dict[str, FieldSource]:
    """Keep the survivor's values and take the other's only where the survivor has none."""
    choices: dict[str, FieldSource] = {}
    for name in MERGEABLE_FIELDS:
        attr = _SNAPSHOT_ATTRS.get(name, name)
        if not getattr(survivor, attr) and getattr(other, attr):
            choices[name] = "other"
    return choices


def auto_merge_deterministic(*, user: Any) -> list[MergeRecord]:
    """Merge the open candidates whose evidence is only deterministic keys (never a shared phone
    with different names) into the older record, filling its blanks from the newer one. Two
    company records are merged only on the same credit code. Each merge is its own transaction
    and is undoable like a manual one; a pair refused by the rules stays in the queue.

    The customers of every eligible candidate are read in one query up front, so a pair the
    rules skip costs nothing and a merged pair costs only ``merge_customers``' own queries.
    ``merge_customers`` updates the instances it is given (the merged one ends inactive), so
    later pairs that involve them see the earlier merges; after a refused merge both are
    re-read, as the refusal rolled back whatever the service had already changed."""
    require_capability(user, Capability.MERGE_CUSTOMERS)
    candidates = MatchCandidate.objects.filter(
        status=MatchStatus.OPEN, kind=MatchKind.DETERMINISTIC
    ).order_by("customer_id", "other_id")
    eligible: list[tuple[MatchCandidate, set[str]]] = []
    for candidate in candidates:
        codes = {item["code"] for item in candidate.evidence}
        if codes and codes <= DETERMINISTIC_CODES:
            eligible.append((candidate, codes))
    ids = {
        pk for candidate, _codes in eligible for pk in (candidate.customer_id, candidate.other_id)
    }
    customers = Customer.objects.in_bulk(ids) if ids else {}
    records = []
    for candidate, codes in eligible:
        survivor = customers[candidate.customer_id]
        other = customers[candidate.other_id]
        if not (survivor.is_active and other.is_active):
            continue
        if survivor.kind == CustomerKind.COMPANY and "credit_code" not in codes:
            continue
        try:
            records.append(
                merge_customers(
                    user=user,
                    survivor=survivor,
                    other=other,
                    field_choices=_gap_filling_choices(survivor, other),
                )
            )
        except (ValidationError, PermissionDenied):
            survivor.refresh_from_db()
            other.refresh_from_db()
            continue
    return records
