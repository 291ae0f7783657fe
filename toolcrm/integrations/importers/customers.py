"""Customer rows → customers, through ``customers.services`` (so normalisation, duplicate checks
and audit are the same as in the UI).

Natural key: the phone (blind index) or, without a phone, the member card number. A row whose
customer exists is an update of the fields the row fills and that differ (blank cells never
erase); a row that changes nothing is "unchanged". The address (``region`` + ``address``
columns, joined) is split by ``addresses.normalise_address``; addresses it cannot place keep
the raw text as the street, and the customer gets a review note."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from toolcrm.core.pii import mask_phone
from toolcrm.customers import services as customer_services
from toolcrm.customers.choices import CompanyType, CustomerKind, Gender, SourceChannel
from toolcrm.customers.models import Customer
from toolcrm.customers.selectors import customers_visible_to
from toolcrm.integrations.addresses import normalise_address
from toolcrm.integrations.importers.base import (
    CUSTOMER_NOT_YOURS,
    FieldSpec,
    Importer,
    Outcome,
    RowProblem,
    RowRejected,
    lower_choices,
)
from toolcrm.integrations.parsing import Row, clean_text, parse_date, parse_phone
from toolcrm.integrations.parsing.errors import CellError

BAD_EMAIL = _("邮箱格式不正确：%(value)s")
PHONE_OR_CARD = _("手机号和会员卡号至少填写一项")

FIELDS = (
    FieldSpec(
        "name",
        _("姓名/企业名称"),
        True,
        ("姓名", "客户姓名", "会员姓名", "名称", "客户名称", "name"),
    ),
    FieldSpec(
        "phone",
        _("手机号"),
        False,
        (
            "手机号",
            "手机",
            "手机号码",
            "电话",
            "联系电话",
            "会员手机",
            "买家手机",
            "phone",
            "mobile",
        ),
    ),
    FieldSpec(
        "member_card_no", _("会员卡号"), False, ("会员卡号", "会员号", "卡号", "member card")
    ),
    FieldSpec("email", _("邮箱"), False, ("邮箱", "电子邮箱", "email", "e-mail")),
    FieldSpec("kind", _("类型"), False, ("客户类型", "类型", "kind")),
    FieldSpec("company_type", _("企业类型"), False, ("企业类型", "company type")),
    FieldSpec("credit_code", _("统一社会信用代码"), False, ("统一社会信用代码", "信用代码")),
    FieldSpec("birthday", _("生日"), False, ("生日", "出生日期", "birthday")),
    FieldSpec("gender", _("性别"), False, ("性别", "gender")),
    FieldSpec("region", _("所在地区"), False, ("所在地区", "地区", "省市区")),
    FieldSpec("address", _("地址"), False, ("地址", "详细地址", "联系地址", "收货地址", "address")),
    FieldSpec("home_store", _("归属门店编码"), False, ("门店编码", "归属门店", "门店", "store")),
    FieldSpec("source_channel", _("来源渠道"), False, ("来源渠道", "来源", "渠道", "source")),
    FieldSpec("notes", _("备注"), False, ("备注", "notes")),
)

_KINDS = lower_choices(
    {"个人客户": CustomerKind.PERSON, "公司": CustomerKind.COMPANY}, dict(CustomerKind.choices)
)
_GENDERS = lower_choices({"male": Gender.MALE, "female": Gender.FEMALE}, dict(Gender.choices))
_COMPANY_TYPES = lower_choices({}, dict(CompanyType.choices))
_SOURCES = lower_choices({"pos": SourceChannel.STORE}, dict(SourceChannel.choices))
_REVIEW_NOTE = "地址待核对：%s"


class CustomerImporter(Importer):
    kind = "customers"
    fields = FIELDS

    def duplicate_key(self, row: Row) -> str | None:
        try:
            phone = parse_phone(self.raw(row, "phone")) if self.raw(row, "phone") else ""
        except CellError:
            phone = ""
        card = clean_text(self.raw(row, "member_card_no")).upper()
        return f"phone:{phone}" if phone else (f"card:{card}" if card else None)

    def describe_key(self, key: str) -> str:
        kind, _sep, value = key.partition(":")
        return mask_phone(value) if kind == "phone" else value

    def import_unit(self, rows: Sequence[Row]) -> Outcome:
        (row,) = rows
        problems: list[RowProblem] = []
        data = self._read(row, problems)
        if problems:
            raise RowRejected(problems)
        existing = self._existing(row, data, problems)
        if problems:
            raise RowRejected(problems)
        try:
            if existing is None:
                customer_services.create_customer(user=self.user, data=data)
                return Outcome.CREATED
            changes = {k: v for k, v in data.items() if _differs(getattr(existing, k), v)}
            if not changes:
                return Outcome.SKIPPED
            customer_services.update_customer(user=self.user, customer=existing, data=changes)
            return Outcome.UPDATED
        except ValidationError as error:
            raise RowRejected(self.validation_problems(row, error, {})) from None

    def _read(self, row: Row, problems: list[RowProblem]) -> dict[str, Any]:
        data: dict[str, Any] = {"name": self.text(row, "name", problems, limit=100)}
        self.require(row, "name", data["name"], problems)
        data["phone"] = self.parse(row, "phone", parse_phone, problems) or ""
        data["member_card_no"] = self.text(row, "member_card_no", problems, limit=20).upper()
        if not data["phone"] and not data["member_card_no"] and not problems:
            problems.append(self.problem(row, "phone", "", "phone_or_card", PHONE_OR_CARD))
        email = self.text(row, "email", problems, limit=254).lower()
        if email and ("@" not in email or " " in email):
            problems.append(self.problem(row, "email", email, "bad_email", BAD_EMAIL))
        data["email"] = email
        data["kind"] = self.choice(row, "kind", _KINDS, problems) or CustomerKind.PERSON
        data["company_type"] = self.choice(row, "company_type", _COMPANY_TYPES, problems) or ""
        data["credit_code"] = self.text(row, "credit_code", problems, limit=18).upper()
        data["birthday"] = self.parse(row, "birthday", parse_date, problems)
        data["gender"] = self.choice(row, "gender", _GENDERS, problems) or ""
        data["source_channel"] = self.choice(row, "source_channel", _SOURCES, problems)
        data["notes"] = clean_text(self.raw(row, "notes"), keep_line_breaks=True)
        data["home_store"] = self.store(row, "home_store", problems)
        self._address(row, data)
        return {k: v for k, v in data.items() if v not in (None, "")}

    def _address(self, row: Row, data: dict[str, Any]) -> None:
        text = " ".join(
            part for part in (clean_text(self.raw(row, n)) for n in ("region", "address")) if part
        )
        if not text:
            return
        store = data.get("home_store")
        address = normalise_address(text, near_adcode=getattr(store, "adcode", "") or "")
        data.update(
            province=address.province,
            city=address.city,
            district=address.district,
            street=address.street[:200],
        )
        if address.needs_review:
            note = _REVIEW_NOTE % (address.review_reason.label if address.review_reason else "")
            data["notes"] = "\n".join(n for n in (data.get("notes", ""), note) if n)

    def _existing(
        self, row: Row, data: dict[str, Any], problems: list[RowProblem]
    ) -> Customer | None:
        found: Customer | None = None
        if data.get("phone"):
            found = customer_services.find_by_phone(data["phone"])
        if found is None and data.get("member_card_no"):
            found = Customer.objects.filter(member_card_no=data["member_card_no"]).first()
        if found is None:
            return None
        if not customers_visible_to(self.user).filter(pk=found.pk).exists():
            key = "phone" if data.get("phone") else "member_card_no"
            problems.append(
                self.problem(row, key, self.raw(row, key), "not_yours", CUSTOMER_NOT_YOURS)
            )
            return None
        if not clean_text(self.raw(row, "home_store")):
            data.pop("home_store", None)  # an update keeps the home store unless the row names one
        return found


def _differs(current: Any, new: Any) -> bool:
    if isinstance(current, date) or isinstance(new, date):
        return current != new
    return (current or "") != (new or "")
