"""Every write to customer data: create, update, record an interaction or a consent, reveal PII.

Each service is keyword-only, validates (``full_clean`` plus business checks), writes in one
transaction and is audit-logged (django-auditlog for changes; ``core.audit`` for reveals).
Callers have already fetched the customer through ``selectors.get_customer_for``, so scope is
enforced before a service runs; permission to act is checked here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from toolcrm.core.audit import log_pii_access
from toolcrm.core.pii import (
    mask_id_card,
    mask_phone,
    normalise_id_card,
    normalise_phone,
    phone_index,
)
from toolcrm.core.roles import Capability, require_capability
from toolcrm.core.scoping import ALL_STORES, store_ids_for
from toolcrm.customers.choices import CustomerKind
from toolcrm.customers.models import Consent, Customer, Interaction

EDITABLE_FIELDS = (
    "kind",
    "name",
    "member_card_no",
    "phone",
    "phone_secondary",
    "id_card_no",
    "email",
    "wechat_openid",
    "wechat_unionid",
    "birthday",
    "gender",
    "age_band",
    "occupation",
    "company_type",
    "credit_code",
    "home_store",
    "province",
    "city",
    "district",
    "street",
    "source_channel",
    "notes",
)
# Saving an encrypted column must also save its blind index (computed in the field's pre_save).
_INDEX_COMPANIONS = {
    "phone": "phone_index",
    "phone_secondary": "phone_secondary_index",
    "id_card_no": "id_card_index",
}


class DuplicatePhoneError(ValidationError):
    """The phone already belongs to another customer; ``existing`` is that customer."""

    def __init__(self, existing: Customer, field: str) -> None:
        self.existing = existing
        super().__init__({field: _("该手机号已被其他客户使用，请勿重复建档。")})


def _check_store_in_scope(user: Any, store_id: int | None) -> None:
    allowed = store_ids_for(user)
    if allowed is not ALL_STORES and store_id not in (allowed or ()):
        raise ValidationError({"home_store": _("只能选择您有权限的门店。")})


def find_by_phone(phone: str, *, exclude_id: int | None = None) -> Customer | None:
    """Any active customer (in any store) holding this phone — for duplicate detection only;
    callers show it to the user only if it is in their scope."""
    index = phone_index(phone)
    if not index:
        return None
    queryset = Customer.objects.filter(Q(phone_index=index) | Q(phone_secondary_index=index))
    if exclude_id:
        queryset = queryset.exclude(pk=exclude_id)
    return queryset.filter(is_active=True).first()


def _normalise(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    for field in ("phone", "phone_secondary"):
        if clean.get(field):
            try:
                clean[field] = normalise_phone(str(clean[field]))
            except ValidationError as exc:
                errors[field] = exc.messages
    if clean.get("id_card_no"):
        try:
            clean["id_card_no"] = normalise_id_card(str(clean["id_card_no"]))
        except ValidationError as exc:
            errors["id_card_no"] = exc.messages
    if clean.get("member_card_no"):
        clean["member_card_no"] = str(clean["member_card_no"]).strip().upper()
    if clean.get("email"):
        clean["email"] = str(clean["email"]).strip().lower()
    kind = clean.get("kind", CustomerKind.PERSON)
    if kind == CustomerKind.PERSON and not clean.get("phone"):
        errors.setdefault("phone", []).append(_("个人客户必须填写手机号。"))
    if kind == CustomerKind.COMPANY and not clean.get("phone") and not clean.get("credit_code"):
        errors.setdefault("phone", []).append(_("企业客户需填写电话或统一社会信用代码。"))
    if errors:
        raise ValidationError(errors)
    return clean


def _check_duplicates(customer: Customer) -> None:
    for field in ("phone", "phone_secondary"):
        value = getattr(customer, field)
        if value and (existing := find_by_phone(value, exclude_id=customer.pk)):
            raise DuplicatePhoneError(existing, field)
    if customer.phone and customer.phone == customer.phone_secondary:
        raise ValidationError({"phone_secondary": _("备用电话与手机号相同。")})


@transaction.atomic
def create_customer(
    *, user: Any, data: dict[str, Any], allow_duplicate_phone: bool = False
) -> Customer:
    """``allow_duplicate_phone``: only for provisional customers created by integrations when the
    phone belongs to a customer outside the user's scope; the duplicate scan pairs them later."""
    require_capability(user, Capability.EDIT_CUSTOMERS)
    clean = _normalise(data)
    customer = Customer(created_by=user if user.is_authenticated else None)
    for name in EDITABLE_FIELDS:
        if name in clean and clean[name] is not None:
            setattr(customer, name, clean[name])
    if customer.member_card_no == "":
        customer.member_card_no = None
    customer.full_clean()
    _check_store_in_scope(user, customer.home_store_id)
    if not allow_duplicate_phone:
        _check_duplicates(customer)
    customer.save()
    return customer


@transaction.atomic
def update_customer(*, user: Any, customer: Customer, data: dict[str, Any]) -> Customer:
    require_capability(user, Capability.EDIT_CUSTOMERS)
    clean = _normalise({**{n: getattr(customer, n) for n in ("kind", "phone")}, **data})
    changed: list[str] = []
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        attr = "home_store" if name == "home_store" else name
        value = clean[name]
        if name == "member_card_no" and value == "":
            value = None
        if getattr(customer, attr) != value:
            setattr(customer, attr, value)
            changed.append(attr)
            if name in _INDEX_COMPANIONS:
                changed.append(_INDEX_COMPANIONS[name])
    if not changed:
        return customer
    customer.full_clean()
    if "home_store" in changed:
        _check_store_in_scope(user, customer.home_store_id)
    _check_duplicates(customer)
    customer.save(update_fields=[*changed, "updated_at"])
    return customer


@transaction.atomic
def record_interaction(
    *,
    user: Any,
    customer: Customer,
    kind: str,
    summary: str,
    occurred_at: datetime | None = None,
) -> Interaction:
    require_capability(user, Capability.RECORD_INTERACTION)
    interaction = Interaction(
        customer=customer,
        kind=kind,
        summary=(summary or "").strip(),
        staff=user,
        store_id=user.store_id or customer.home_store_id,
        occurred_at=occurred_at or timezone.now(),
    )
    if occurred_at and occurred_at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"occurred_at": _("互动时间不能晚于现在。")})
    interaction.full_clean()
    interaction.save()
    return interaction


@transaction.atomic
def record_consent(
    *,
    user: Any,
    customer: Customer,
    channel: str,
    purpose: str,
    is_granted: bool,
    source: str,
) -> Consent:
    """Append a consent event; the latest event per channel × purpose is the current state."""
    require_capability(user, Capability.RECORD_CONSENT)
    consent = Consent(
        customer=customer,
        channel=channel,
        purpose=purpose,
        is_granted=is_granted,
        source=(source or "").strip(),
        recorded_at=timezone.now(),
        recorded_by=user,
        store_id=user.store_id or customer.home_store_id,
    )
    consent.full_clean()
    consent.save()
    return consent


@dataclass(frozen=True)
class RevealedValue:
    field: str
    value: str


REVEALABLE_FIELDS = ("phone", "phone_secondary", "id_card_no")


@transaction.atomic
def reveal_pii(
    *, user: Any, customer: Customer, field: str, reason: str, ip: str = ""
) -> RevealedValue:
    """Return an unmasked value for a permitted role; the reason is mandatory and audit-logged."""
    require_capability(user, Capability.REVEAL_PII)
    if field not in REVEALABLE_FIELDS:
        raise ValidationError({"field": _("该字段不可查看。")})
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("请填写查看原因（至少 4 个字）。")})
    log_pii_access(actor=user, obj=customer, field_name=field, reason=reason[:500], ip=ip)
    return RevealedValue(field=field, value=getattr(customer, field))


def masked(customer: Customer, field: str) -> str:
    value = getattr(customer, field)
    return mask_id_card(value) if field == "id_card_no" else mask_phone(value)
