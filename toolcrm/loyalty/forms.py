"""Forms of the loyalty pages: they parse input only; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from toolcrm.core.pii import to_halfwidth
from toolcrm.loyalty.choices import CouponKind
from toolcrm.loyalty.models import CouponTemplate, TierBenefit
from toolcrm.loyalty.services.configuration import BENEFIT_FIELDS, TEMPLATE_FIELDS
from toolcrm.loyalty.services.coupons import BasketLine, parse_amount

MAX_BASKET_LINES = 200
_INPUT = {"class": "form-control form-control-sm"}


class CouponRedeemForm(forms.Form):
    code = forms.CharField(
        label=_("券码"),
        max_length=30,
        widget=forms.TextInput(
            attrs={**_INPUT, "placeholder": "ABCD-EFGH-JKMN", "autocomplete": "off"}
        ),
    )
    amount = forms.CharField(
        label=_("订单金额（元）"),
        max_length=20,
        widget=forms.TextInput(attrs={**_INPUT, "inputmode": "decimal", "placeholder": "1299.00"}),
    )
    lines = forms.CharField(
        label=_("商品明细（可选，每行：SKU 金额）"),
        required=False,
        widget=forms.Textarea(attrs={**_INPUT, "rows": 3, "placeholder": "BSH-GSB18V 899.00"}),
    )
    order_reference = forms.CharField(
        label=_("关联单号（可选）"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs=_INPUT),
    )
    customer_id = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean_amount(self) -> Decimal:
        try:
            return parse_amount(self.cleaned_data["amount"], name="amount")
        except ValidationError as error:
            raise ValidationError(error.message_dict["amount"]) from error

    def clean_lines(self) -> list[BasketLine]:
        text = to_halfwidth(self.cleaned_data.get("lines") or "")
        rows = [row.strip() for row in text.splitlines() if row.strip()]
        if len(rows) > MAX_BASKET_LINES:
            raise ValidationError(_("商品明细最多 %(count)s 行。") % {"count": MAX_BASKET_LINES})
        lines = []
        for number, row in enumerate(rows, start=1):
            parts = row.replace(",", " ").replace("\t", " ").split()
            if len(parts) != 2:
                raise ValidationError(_("第 %(n)s 行应为“SKU 金额”。") % {"n": number})
            try:
                amount = parse_amount(parts[1], name="lines")
            except ValidationError as error:
                raise ValidationError(_("第 %(n)s 行金额不正确。") % {"n": number}) from error
            lines.append(BasketLine(sku=parts[0], amount=amount))
        return lines


class IssueCouponForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("券模板"),
        queryset=CouponTemplate.objects.none(),
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=_("备注"), max_length=200, required=False, widget=forms.TextInput(attrs=_INPUT)
    )

    def __init__(self, *args: Any, templates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if templates is not None:
            self.fields["template"].queryset = templates  # type: ignore[attr-defined]


class AdjustPointsForm(forms.Form):
    points = forms.IntegerField(
        label=_("调整积分（负数为扣减）"), widget=forms.NumberInput(attrs=_INPUT)
    )
    reason = forms.CharField(label=_("原因"), max_length=200, widget=forms.TextInput(attrs=_INPUT))


class RedeemPointsForm(forms.Form):
    points = forms.IntegerField(
        label=_("抵扣积分"), min_value=1, widget=forms.NumberInput(attrs=_INPUT)
    )
    reference = forms.CharField(
        label=_("关联单号（可选）"),
        max_length=64,
        required=False,
        widget=forms.TextInput(attrs=_INPUT),
    )


class ReferrerForm(forms.Form):
    code = forms.CharField(label=_("推荐码"), max_length=20, widget=forms.TextInput(attrs=_INPUT))


class PoolForm(forms.Form):
    company = forms.IntegerField(label=_("企业账户"), required=False)


class TierBenefitForm(forms.ModelForm[TierBenefit]):
    class Meta:
        model = TierBenefit
        fields = list(BENEFIT_FIELDS)
        widgets = {
            "points_multiplier": forms.NumberInput(attrs={**_INPUT, "step": "0.01"}),
            "discount_percent": forms.NumberInput(attrs={**_INPUT, "step": "0.1"}),
            "free_rental_days": forms.NumberInput(attrs=_INPUT),
            "has_priority_repair": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }


class CouponTemplateForm(forms.ModelForm[CouponTemplate]):
    class Meta:
        model = CouponTemplate
        fields = list(TEMPLATE_FIELDS)
        widgets = {
            "kind": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "category": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "brand": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "valid_from": forms.DateTimeInput(attrs={**_INPUT, "type": "datetime-local"}),
            "valid_until": forms.DateTimeInput(attrs={**_INPUT, "type": "datetime-local"}),
            "is_active": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, bound in self.fields.items():
            if name not in self.Meta.widgets:
                bound.widget.attrs.setdefault("class", "form-control form-control-sm")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == CouponKind.AMOUNT_OFF:
            if not data.get("amount_off") or data["amount_off"] <= 0:
                self.add_error("amount_off", _("满减券须填写大于 0 的减免金额。"))
            data["percent_off"] = None
        elif kind == CouponKind.PERCENT_OFF:
            percent = data.get("percent_off")
            if percent is None or not (0 < percent < 100):
                self.add_error("percent_off", _("折扣券的减免比例须在 0 到 100 之间。"))
            data["amount_off"] = None
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end <= start:
            self.add_error("valid_until", _("活动结束须晚于活动开始。"))
        if data.get("per_customer_limit") == 0:
            self.add_error("per_customer_limit", _("每人限领至少 1 张。"))
        if data.get("valid_days") == 0:
            self.add_error("valid_days", _("有效天数至少 1 天。"))
        return data
