"""Duplicates planted in the demo data, so that the duplicate review queue and the merge screen
have real cases to show: the same person arriving again from the online shop with a mistyped
phone (two adjacent digits swapped), a family member registered on the same phone, and a company
entered again with a different legal-form suffix (有限公司 / 有限责任公司).

The demo's customers are otherwise unique by construction; these few rows (about 1.5 % of the
customers) are written one by one through the model so that encryption and blind indexes apply.
"""

from __future__ import annotations

import random

from toolcrm.core.pii import phone_index
from toolcrm.customers.choices import CustomerKind, SourceChannel
from toolcrm.customers.models import Customer
from toolcrm.demo.data.people import FEMALE_GIVEN, MALE_GIVEN
from toolcrm.integrations.identity import transposed_phones

# Marks the planted copies (shown on their 360 page, so nobody mistakes them for real records).
PLANTED_NOTE = "演示数据：重复录入样例，可在“重复客户”中合并"
# Per 1,000 customers: online re-registrations, family phones, re-entered companies.
PER_THOUSAND = {"online": 6, "family": 5, "company": 4}
_GIVEN_CHARACTERS = [entry[0] for entry in (MALE_GIVEN + " " + FEMALE_GIVEN).split()]
_SUFFIX_VARIANTS = (("有限公司", "有限责任公司"), ("有限责任公司", "有限公司"))


def _copy(original: Customer, **changes: object) -> Customer:
    fields = (
        "kind", "name", "email", "birthday", "gender", "age_band", "occupation", "company_type",
        "home_store_id", "province", "city", "district", "street", "adcode",
    )  # fmt: skip
    copy = Customer(**{name: getattr(original, name) for name in fields}, notes=PLANTED_NOTE)
    for name, value in changes.items():
        setattr(copy, name, value)
    copy.save()
    return copy


def _free_phone(variants: list[str]) -> str | None:
    for variant in variants:
        index = phone_index(variant)
        if index and not Customer.objects.filter(phone_index=index).exists():
            return variant
    return None


def plant_duplicates(*, rng: random.Random, customers: int) -> list[int]:
    """Write the planted duplicates; returns the ids of every customer involved (both sides)."""
    involved: list[int] = []
    people = list(
        Customer.objects.filter(kind=CustomerKind.PERSON).exclude(phone="").order_by("pk")[:2000]
    )
    companies = list(
        Customer.objects.filter(kind=CustomerKind.COMPANY, name__endswith="公司").order_by("pk")
    )
    wanted = {kind: max(1, customers * share // 1000) for kind, share in PER_THOUSAND.items()}
    for original in rng.sample(people, min(len(people), wanted["online"])):
        variants = transposed_phones(original.phone)
        rng.shuffle(variants)
        phone = _free_phone(variants)
        if phone is None:
            continue
        copy = _copy(original, phone=phone, source_channel=SourceChannel.ECOMMERCE, street="")
        involved += [original.pk, copy.pk]
    for original in rng.sample(people, min(len(people), wanted["family"])):
        relative = original.name[0] + "".join(rng.sample(_GIVEN_CHARACTERS, 2))
        copy = _copy(original, name=relative, phone=original.phone, email="", birthday=None)
        involved += [original.pk, copy.pk]
    for original in rng.sample(companies, min(len(companies), wanted["company"])):
        for old, new in _SUFFIX_VARIANTS:
            if original.name.endswith(old):
                name = original.name[: -len(old)] + new
                break
        else:
            continue
        variants = transposed_phones(original.phone) if original.phone else []
        copy = _copy(
            original, name=name, phone=_free_phone(variants) or "", source_channel=SourceChannel.B2B
        )
        involved += [original.pk, copy.pk]
    return involved
