"""Identity resolution: which customers may be the same person or company, and why.

Deterministic keys (one real person or company): the normalised phone (main or secondary, via
the blind index), the ID-card number (blind index), e-mail (case-insensitive), WeChat unionid and
company credit code. A shared phone with different names is *not* deterministic: families share
a phone, so that pair goes to review. Probable evidence: same name in the same district, company
names equal once legal-form suffixes are stripped, and phones one adjacent transposition apart
(found by indexing each transposed variant of the customer's phone and looking the indexes up, so
no other phone is ever decrypted).

``find_candidates`` matches one customer (after an edit or an import); ``scan_duplicates``
compares every active customer on the keys that can be grouped in the database and stores
``MatchCandidate`` rows for the review queue; ``dismiss_pair`` records "not the same person".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from toolcrm.core.pii import phone_index, to_halfwidth, try_normalise_phone
from toolcrm.core.roles import Capability, has_capability
from toolcrm.customers.choices import CustomerKind
from toolcrm.customers.models import Customer
from toolcrm.integrations.choices import MatchKind, MatchStatus
from toolcrm.integrations.models import MatchCandidate

EVIDENCE_LABELS: dict[str, Any] = {
    "phone": _("手机号相同"),
    "phone_other_name": _("手机号相同但姓名不同（可能是家人共用）"),
    "id_card": _("身份证号相同"),
    "email": _("邮箱相同"),
    "unionid": _("微信 UnionID 相同"),
    "credit_code": _("统一社会信用代码相同"),
    "name_district": _("同名且同区（%(detail)s）"),
    "company_suffix": _("公司名称仅后缀不同（%(detail)s）"),
    "phone_transposed": _("手机号相邻两位颠倒"),
}
# Evidence codes that on their own make a pair the same customer.
DETERMINISTIC_CODES = frozenset({"phone", "id_card", "email", "unionid", "credit_code"})
_WEIGHTS = {
    "phone_other_name": 50,
    "name_district": 40,
    "company_suffix": 50,
    "phone_transposed": 40,
}
_COMPANY_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "(集团)")
_SPACES = re.compile(r"\s+")


def evidence_text(item: dict[str, str]) -> str:
    label = EVIDENCE_LABELS.get(item.get("code", ""), item.get("code", ""))
    return str(label) % {"detail": item.get("detail", "")} if "%(" in str(label) else str(label)


def company_core_name(name: str) -> tuple[str, str]:
    """The company name without spaces, full-width forms and legal-form suffixes, and the
    suffix that was removed (``沪建装饰（集团）有限公司`` → ``("沪建装饰", "(集团)有限公司")``)."""
    text = _SPACES.sub("", to_halfwidth(name or ""))
    removed = ""
    changed = True
    while changed:
        changed = False
        for suffix in _COMPANY_SUFFIXES:
            if text.endswith(suffix) and len(text) > len(suffix):
                text, removed = text[: -len(suffix)], suffix + removed
                changed = True
    return text, removed


def transposed_phones(e164: str) -> list[str]:
    """Every valid phone that differs from ``e164`` by swapping two adjacent national digits."""
    if not e164.startswith("+86"):
        return []
    national = e164[3:]
    variants = []
    for i in range(len(national) - 1):
        if national[i] == national[i + 1]:
            continue
        swapped = national[:i] + national[i + 1] + national[i] + national[i + 2 :]
        if normalised := try_normalise_phone(swapped):
            variants.append(normalised)
    return variants


@dataclass
class Match:
    """A customer that may be the same as the one matched, with the evidence."""

    other: Customer
    evidence: list[dict[str, str]] = field(default_factory=list)

    @property
    def codes(self) -> set[str]:
        return {item["code"] for item in self.evidence}

    @property
    def kind(self) -> str:
        return MatchKind.DETERMINISTIC if self.codes & DETERMINISTIC_CODES else MatchKind.PROBABLE

    @property
    def score(self) -> int:
        if self.kind == MatchKind.DETERMINISTIC:
            return 100
        return min(95, sum(_WEIGHTS.get(code, 30) for code in self.codes))

    def add(self, code: str, detail: str = "") -> None:
        if code not in self.codes:
            self.evidence.append({"code": code, "detail": detail})


def _same_person_phone(customer: Customer, other: Customer) -> bool:
    """A shared phone identifies one person only when the names agree and birthdays do not
    contradict each other."""
    names_agree = _SPACES.sub("", customer.name) == _SPACES.sub("", other.name)
    birthdays_agree = not (customer.birthday and other.birthday) or (
        customer.birthday == other.birthday
    )
    return names_agree and birthdays_agree


def _district(customer: Customer) -> str:
    city = "" if customer.city == customer.province else customer.city
    return f"{customer.province}{city}{customer.district}"


def find_candidates(*, customer: Customer) -> list[Match]:
    """Active customers (any store) that may be ``customer``, strongest first. One indexed query
    per key; the caller shows only those in the user's scope."""
    matches: dict[int, Match] = {}
    active = Customer.objects.filter(is_active=True).exclude(pk=customer.pk)

    def found(rows: Iterable[Customer], code: str, detail: str = "") -> None:
        for row in rows:
            matches.setdefault(row.pk, Match(other=row)).add(code, detail)

    phones = {i for i in (customer.phone_index, customer.phone_secondary_index) if i}
    if phones:
        for row in active.filter(Q(phone_index__in=phones) | Q(phone_secondary_index__in=phones)):
            found([row], "phone" if _same_person_phone(customer, row) else "phone_other_name")
    if customer.id_card_index:
        found(active.filter(id_card_index=customer.id_card_index), "id_card")
    if customer.email:
        found(active.annotate(e=Upper("email")).filter(e=customer.email.upper()), "email")
    if customer.wechat_unionid:
        found(active.filter(wechat_unionid=customer.wechat_unionid), "unionid")
    if customer.kind == CustomerKind.COMPANY:
        if customer.credit_code:
            found(active.filter(credit_code__iexact=customer.credit_code), "credit_code")
        _company_variants(customer, active, found)
    elif customer.district:
        same = active.filter(name=customer.name, district=customer.district, city=customer.city)
        found(same, "name_district", _district(customer))
    if customer.phone and (normalised := try_normalise_phone(customer.phone)):
        indexes = [i for i in (phone_index(v) for v in transposed_phones(normalised)) if i]
        if indexes:
            found(active.filter(phone_index__in=indexes), "phone_transposed")
    return sorted(matches.values(), key=lambda m: (-m.score, m.other.pk))


def _company_variants(customer: Customer, active: Any, found: Any) -> None:
    core, suffix = company_core_name(customer.name)
    if len(core) < 2:
        return
    for row in active.filter(kind=CustomerKind.COMPANY, name__startswith=core):
        other_core, other_suffix = company_core_name(row.name)
        if other_core != core or row.name == customer.name:
            continue
        if customer.credit_code and row.credit_code:
            continue  # both carry a credit code: that key alone decides
        detail = "/".join(s for s in (suffix, other_suffix) if s) or "—"
        found([row], "company_suffix", detail)


# --- the set-based scan ---------------------------------------------------------------------


def _grouped_pairs(rows: Iterable[tuple[Any, int]]) -> Iterator[tuple[int, int]]:
    """Pairs of ids that share a key, from ``(key, id)`` rows ordered by key."""
    groups: dict[Any, list[int]] = defaultdict(list)
    for key, pk in rows:
        if key:
            groups[key].append(pk)
    for members in groups.values():
        ids = sorted(set(members))
        for i, low in enumerate(ids):
            for high in ids[i + 1 :]:
                yield low, high


def _scan_pairs() -> dict[tuple[int, int], Match]:
    active = Customer.objects.filter(is_active=True)
    pairs: dict[tuple[int, int], Match] = {}
    customers: dict[int, Customer] = {}

    def customer(pk: int) -> Customer:
        if pk not in customers:
            customers[pk] = Customer(pk=pk)
        return customers[pk]

    def add(rows: Iterable[tuple[Any, int]], code: str, detail: Any = None) -> None:
        for low, high in _grouped_pairs(rows):
            pair = pairs.setdefault((low, high), Match(other=customer(high)))
            pair.add(code, detail(low) if detail else "")

    phone_rows = [
        *active.exclude(phone_index="").values_list("phone_index", "pk"),
        *active.exclude(phone_secondary_index="").values_list("phone_secondary_index", "pk"),
    ]
    people = {
        pk: (name, birthday)
        for pk, name, birthday in active.values_list("pk", "name", "birthday").iterator()
    }
    for low, high in set(_grouped_pairs(phone_rows)):
        same = people[low][0] == people[high][0] and (
            not (people[low][1] and people[high][1]) or people[low][1] == people[high][1]
        )
        pairs.setdefault((low, high), Match(other=customer(high))).add(
            "phone" if same else "phone_other_name"
        )
    add(active.exclude(id_card_index="").values_list("id_card_index", "pk"), "id_card")
    add(active.exclude(email="").annotate(e=Upper("email")).values_list("e", "pk"), "email")
    add(active.exclude(wechat_unionid="").values_list("wechat_unionid", "pk"), "unionid")
    companies = active.filter(kind=CustomerKind.COMPANY)
    add(
        companies.exclude(credit_code="").annotate(c=Upper("credit_code")).values_list("c", "pk"),
        "credit_code",
    )
    places = {}
    person_rows = []
    for pk, name, province, city, district in (
        active.filter(kind=CustomerKind.PERSON)
        .exclude(district="")
        .values_list("pk", "name", "province", "city", "district")
        .iterator()
    ):
        places[pk] = _district(Customer(province=province, city=city, district=district))
        person_rows.append(((name, city, district), pk))
    add(person_rows, "name_district", places.__getitem__)
    company_rows = list(companies.values_list("pk", "name", "credit_code"))
    cores = {pk: company_core_name(name) for pk, name, _code in company_rows}
    codes = {pk: code for pk, _name, code in company_rows}
    for low, high in _grouped_pairs((cores[pk][0], pk) for pk, _n, _c in company_rows):
        if len(cores[low][0]) < 2 or cores[low][1] == cores[high][1]:
            continue
        if codes[low] and codes[high]:
            continue
        detail = "/".join(s for s in (cores[low][1], cores[high][1]) if s)
        pairs.setdefault((low, high), Match(other=customer(high))).add("company_suffix", detail)
    return pairs


@transaction.atomic
def record_candidates(*, pairs: dict[tuple[int, int], Match]) -> int:
    """Store the pairs: new ones open, open ones refreshed; reviewed pairs are left as they are.
    Returns how many pairs were created or changed."""
    written = 0
    now = timezone.now()
    keys = list(pairs)
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        low_ids = sorted({low for low, _high in chunk})
        existing = {
            (c.customer_id, c.other_id): c
            for c in MatchCandidate.objects.filter(customer_id__in=low_ids)
        }
        new = []
        for key in chunk:
            match = pairs[key]
            candidate = existing.get(key)
            if candidate is None:
                new.append(
                    MatchCandidate(
                        customer_id=key[0],
                        other_id=key[1],
                        kind=match.kind,
                        evidence=match.evidence,
                        score=match.score,
                        found_at=now,
                    )
                )
            elif candidate.status == MatchStatus.OPEN and (
                candidate.evidence != match.evidence or candidate.score != match.score
            ):
                candidate.kind, candidate.evidence = match.kind, match.evidence
                candidate.score, candidate.found_at = match.score, now
                candidate.save(update_fields=["kind", "evidence", "score", "found_at"])
                written += 1
        MatchCandidate.objects.bulk_create(new)
        written += len(new)
    return written


def scan_duplicates(*, customer_ids: Iterable[int] | None = None) -> int:
    """Store candidates for the given customers (``find_candidates``, transpositions included)
    or, with ``None``, for every active customer on the keys the database can group."""
    if customer_ids is None:
        return record_candidates(pairs=_scan_pairs())
    pairs: dict[tuple[int, int], Match] = {}
    for customer in Customer.objects.filter(pk__in=list(customer_ids), is_active=True):
        for match in find_candidates(customer=customer):
            key = (min(customer.pk, match.other.pk), max(customer.pk, match.other.pk))
            pairs.setdefault(key, match)
    return record_candidates(pairs=pairs)


def _pair(first: Customer, second: Customer) -> tuple[int, int]:
    return (min(first.pk, second.pk), max(first.pk, second.pk))


@transaction.atomic
def dismiss_pair(*, user: Any, customer: Customer, other: Customer) -> MatchCandidate:
    """Record that two customers are not the same (the queue and later scans skip the pair)."""
    if not has_capability(user, Capability.MERGE_CUSTOMERS):
        raise PermissionDenied(Capability.MERGE_CUSTOMERS.value)
    low, high = _pair(customer, other)
    candidate, _created = MatchCandidate.objects.get_or_create(
        customer_id=low,
        other_id=high,
        defaults={"kind": MatchKind.PROBABLE, "score": 0, "found_at": timezone.now()},
    )
    candidate.status = MatchStatus.DISMISSED
    candidate.reviewed_by = user
    candidate.reviewed_at = timezone.now()
    candidate.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    return candidate


def set_pair_status(*, user: Any, customer: Customer, other: Customer, status: str) -> None:
    """Mark the pair's candidate (if any) merged, or open again after an undo; called inside the
    merge services' transactions."""
    low, high = _pair(customer, other)
    MatchCandidate.objects.filter(customer_id=low, other_id=high).update(
        status=status, reviewed_by=user, reviewed_at=timezone.now()
    )
