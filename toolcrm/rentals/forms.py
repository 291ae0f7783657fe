"""Forms of the rental pages: they parse input only; every rule is checked by the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from toolcrm.rentals.choices import AgreementKind, DepositMethod, UnitCondition, UnitStatus
from toolcrm.rentals.services import MANUAL_UNIT_STATUSES


class DateInput(forms.DateInput):
    input_type = "date"


class LendForm(forms.Form):
    customer_id = forms.IntegerField(
        label=_("客户"), error_messages={"required": _("请先搜索并选择客户。")}
    )
    unit_id = forms.TypedChoiceField(label=_("工具"), coerce=int)
    kind = forms.ChoiceField(label=_("类型"), choices=AgreementKind.choices)
    due_on = forms.DateField(label=_("应还日期"), widget=DateInput)
    deposit_amount = forms.DecimalField(
        label=_("押金（元）"), max_digits=14, decimal_places=2, min_value=0
    )
    deposit_method = forms.ChoiceField(label=_("押金方式"), choices=DepositMethod.choices)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    def __init__(self, *args: Any, unit_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit_id"].choices = [("", _("请选择可出借的工具")), *unit_choices]  # type: ignore[attr-defined]


class ReturnForm(forms.Form):
    condition = forms.ChoiceField(label=_("归还成色"), choices=UnitCondition.choices)
    damage_charge = forms.DecimalField(
        label=_("损坏赔偿（元）"), max_digits=14, decimal_places=2, min_value=0, required=False
    )


class ExtendForm(forms.Form):
    due_on = forms.DateField(label=_("新的应还日期"), widget=DateInput)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class AddUnitForm(forms.Form):
    sku = forms.CharField(label=_("商品 SKU"), max_length=40)
    asset_tag = forms.CharField(label=_("资产编号"), max_length=30)
    serial = forms.CharField(label=_("序列号"), max_length=40, required=False)
    store_id = forms.TypedChoiceField(label=_("门店"), coerce=int)
    condition = forms.ChoiceField(
        label=_("成色"),
        choices=[(c.value, c.label) for c in UnitCondition if c != UnitCondition.DAMAGED],
    )

    def __init__(self, *args: Any, store_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store_id"].choices = store_choices  # type: ignore[attr-defined]


class UnitStatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in UnitStatus if s in MANUAL_UNIT_STATUSES]
    )
