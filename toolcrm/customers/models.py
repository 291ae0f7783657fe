"""Customer records: one per real person or company, with contacts, consents and interactions.

Phones and ID numbers are ``EncryptedTextField`` columns with blind indexes; never filter on the
ciphertext, filter on ``phone_index`` / ``phone_secondary_index`` (see ``core.pii.phone_index``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from toolcrm.core.fields import EncryptedTextField
from toolcrm.core.pii import safe_id_card_normaliser, safe_phone_normaliser
from toolcrm.customers.choices import (
    AgeBand,
    CompanyType,
    ConsentChannel,
    ConsentPurpose,
    CustomerKind,
    Gender,
    InteractionKind,
    SourceChannel,
)


class Customer(models.Model):
    kind = models.CharField(
        _("类型"), max_length=10, choices=CustomerKind.choices, default=CustomerKind.PERSON
    )
    name = models.CharField(_("姓名/企业名称"), max_length=100)
    member_card_no = models.CharField(
        _("会员卡号"), max_length=20, unique=True, null=True, blank=True
    )
    phone = EncryptedTextField(
        _("手机号"),
        index_field="phone_index",
        index_purpose="phone",
        normaliser=safe_phone_normaliser,
    )
    phone_index = models.CharField(max_length=40, blank=True, default="", editable=False)
    phone_secondary = EncryptedTextField(
        _("备用电话"),
        index_field="phone_secondary_index",
        index_purpose="phone",
        normaliser=safe_phone_normaliser,
    )
    phone_secondary_index = models.CharField(max_length=40, blank=True, default="", editable=False)
    id_card_no = EncryptedTextField(
        _("身份证号"),
        index_field="id_card_index",
        index_purpose="id_card",
        normaliser=safe_id_card_normaliser,
    )
    id_card_index = models.CharField(max_length=40, blank=True, default="", editable=False)
    email = models.EmailField(_("邮箱"), blank=True)
    wechat_openid = models.CharField(_("微信 OpenID"), max_length=64, blank=True)
    wechat_unionid = models.CharField(_("微信 UnionID"), max_length=64, blank=True)
    birthday = models.DateField(_("生日"), null=True, blank=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("年龄段"), max_length=6, choices=AgeBand.choices, blank=True)
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    company_type = models.CharField(
        _("企业类型"), max_length=30, choices=CompanyType.choices, blank=True
    )
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    home_store = models.ForeignKey(
        "stores.Store",
        verbose_name=_("归属门店"),
        on_delete=models.PROTECT,
        related_name="customers",
    )
    account_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("大客户经理"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_accounts",
    )
    province = models.CharField(_("省"), max_length=20, blank=True)
    city = models.CharField(_("市"), max_length=30, blank=True)
    district = models.CharField(_("区/县"), max_length=30, blank=True)
    street = models.CharField(_("街道/详细地址"), max_length=200, blank=True)
    adcode = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    source_channel = models.CharField(
        _("来源渠道"), max_length=20, choices=SourceChannel.choices, default=SourceChannel.STORE
    )
    notes = models.TextField(_("备注"), blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    is_anonymised = models.BooleanField(_("已匿名化"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        indexes = [
            models.Index(fields=["phone_index"], name="customer_phone_idx"),
            models.Index(fields=["phone_secondary_index"], name="customer_phone2_idx"),
            models.Index(fields=["id_card_index"], name="customer_id_card_idx"),
            # Prefix search on names: on PostgreSQL the pattern opclass serves LIKE 'x%' under
            # any collation; SQLite ignores opclasses and is served by a range scan (selectors).
            models.Index(
                fields=["name"], name="customer_name_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["name"], name="customer_name_idx"),
            models.Index(fields=["home_store", "-created_at"], name="customer_store_created_idx"),
            models.Index(fields=["wechat_unionid"], name="customer_unionid_idx"),
            models.Index(Upper("email"), name="customer_email_upper_idx"),
            models.Index(fields=["account_manager"], name="customer_account_mgr_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["person", "company"]), name="customer_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("workspace:customer_360", args=[self.pk])

    @property
    def is_company(self) -> bool:
        return self.kind == CustomerKind.COMPANY


class CompanyContact(models.Model):
    company = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("联系人"), max_length=50)
    title = models.CharField(_("职务"), max_length=50, blank=True)
    phone = EncryptedTextField(
        _("电话"),
        index_field="phone_index",
        index_purpose="phone",
        normaliser=safe_phone_normaliser,
    )
    phone_index = models.CharField(max_length=40, blank=True, default="", editable=False)
    email = models.EmailField(_("邮箱"), blank=True)
    is_primary = models.BooleanField(_("主联系人"), default=False)

    class Meta:
        verbose_name = _("企业联系人")
        verbose_name_plural = _("企业联系人")
        indexes = [models.Index(fields=["phone_index"], name="contact_phone_idx")]

    def __str__(self) -> str:
        return self.name


class Consent(models.Model):
    """One consent event (append-only): the current state of a channel × purpose is its latest
    row. Withdrawal is a new row with ``is_granted=False``, never an update."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(_("渠道"), max_length=10, choices=ConsentChannel.choices)
    purpose = models.CharField(_("用途"), max_length=12, choices=ConsentPurpose.choices)
    is_granted = models.BooleanField(_("同意"))
    source = models.CharField(_("来源"), max_length=50)
    recorded_at = models.DateTimeField(_("时间"), db_index=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    store = models.ForeignKey(
        "stores.Store", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("授权记录")
        verbose_name_plural = _("授权记录")
        indexes = [
            models.Index(
                fields=["customer", "channel", "purpose", "-recorded_at"],
                name="consent_current_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel}/{self.purpose}={self.is_granted}"


class Interaction(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions")
    kind = models.CharField(_("类型"), max_length=15, choices=InteractionKind.choices)
    summary = models.TextField(_("内容"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    store = models.ForeignKey(
        "stores.Store", on_delete=models.SET_NULL, null=True, related_name="interactions"
    )
    occurred_at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("互动记录")
        verbose_name_plural = _("互动记录")
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="interaction_customer_idx"),
            models.Index(fields=["store", "-occurred_at"], name="interaction_store_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_at:%Y-%m-%d}"
