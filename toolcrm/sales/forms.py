"""The order list's filter form (GET): it parses the query string into ``OrderFilters`` and
shows what it could not read. The store choices are the user's stores only. ``ReturnForm`` is
the order page's 退货 form."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundWidget
from django.utils.translation import gettext_lazy as _

from toolcrm.customers.selectors import home_store_choices
from toolcrm.sales.choices import OrderChannel, OrderStatus
from toolcrm.sales.selectors import OrderFilters, ReturnableLine
from toolcrm.stores.models import Store

FILTER_NAMES = (
    "date_from",
    "date_to",
    "store",
    "channel",
    "status",
    "q",
    "amount_min",
    "amount_max",
)


class OrderFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    store: forms.ModelChoiceField[Store] = forms.ModelChoiceField(
        label=_("门店"), queryset=Store.objects.none(), required=False, empty_label=_("全部门店")
    )
    channel = forms.ChoiceField(
        label=_("渠道"), required=False, choices=[("", _("全部渠道")), *OrderChannel.choices]
    )
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部状态")), *OrderStatus.choices]
    )
    q = forms.CharField(
        label=_("客户"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("手机号 / 会员卡号 / 姓名")}),
    )
    amount_min = forms.DecimalField(
        label=_("最低金额"), required=False, min_value=Decimal("0"), decimal_places=2
    )
    amount_max = forms.DecimalField(
        label=_("最高金额"), required=False, min_value=Decimal("0"), decimal_places=2
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        store_field = self.fields["store"]
        assert isinstance(store_field, forms.ModelChoiceField)
        store_field.queryset = home_store_choices(user=user).order_by("code")
        for field in self.fields.values():
            is_select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else ("form-control form-control-sm")
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("截止日期不能早于起始日期。"))
        low, high = cleaned.get("amount_min"), cleaned.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("最高金额不能低于最低金额。"))
        return cleaned

    def filters(self) -> OrderFilters:
        """The filters that parsed (a field with an error filters nothing)."""
        data = getattr(self, "cleaned_data", {})
        store = data.get("store")
        return OrderFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            store_id=store.pk if store is not None else None,
            channel=data.get("channel") or "",
            status=data.get("status") or "",
            customer_query=(data.get("q") or "").strip(),
            amount_min=data.get("amount_min"),
            amount_max=data.get("amount_max"),
        )

    def query_string(self) -> str:
        """The given filters as a query string (for pagination and the export links)."""
        pairs = [(name, self.data.get(name, "")) for name in FILTER_NAMES]
        return urlencode([(name, value) for name, value in pairs if value])


class ReturnForm(forms.Form):
    """The order page's 退货 form: one quantity field per line that has units left to return
    (``line_<id>``), the serial numbers to take back, a reason and an optional refund (blank:
    the returned units' paid value). The service checks everything again under the order lock."""

    reason = forms.CharField(label=_("退货原因"), max_length=200)
    refund_amount = forms.DecimalField(
        label=_("退款金额"),
        required=False,
        min_value=Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text=_("留空则按所退商品的实付金额计算。"),
    )

    def __init__(self, *args: Any, returnable: list[ReturnableLine], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.returnable = [item for item in returnable if item.returnable]
        for item in self.returnable:
            self.fields[self.line_field(item.line.pk)] = forms.IntegerField(
                label=item.line.product.name,
                required=False,
                min_value=0,
                max_value=item.returnable,
                initial=0,
            )
        serials = [(s.serial, s.serial) for item in self.returnable for s in item.open_serials]
        if serials:
            self.fields["serials"] = forms.MultipleChoiceField(
                label=_("退回的序列号"),
                required=False,
                choices=serials,
                widget=forms.CheckboxSelectMultiple,
            )

    @staticmethod
    def line_field(line_id: int) -> str:
        return f"line_{line_id}"

    def rows(self) -> list[tuple[ReturnableLine, forms.BoundField, list[BoundWidget]]]:
        """Per line: the line, its quantity field and its serial checkboxes (for the template)."""
        checkboxes = (
            {box.data["value"]: box for box in self["serials"]} if "serials" in self.fields else {}
        )
        return [
            (
                item,
                self[self.line_field(item.line.pk)],
                [checkboxes[s.serial] for s in item.open_serials if s.serial in checkboxes],
            )
            for item in self.returnable
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not self.return_lines():
            raise forms.ValidationError(_("请至少填写一行的退货数量。"))
        return cleaned

    def return_lines(self) -> list[tuple[int, int]]:
        return [
            (item.line.pk, quantity)
            for item in self.returnable
            if (quantity := self.cleaned_data.get(self.line_field(item.line.pk)) or 0) > 0
        ]

    def add_service_errors(self, error: ValidationError) -> None:
        """Put the service's errors (``lines.0.quantity``, ``serials``…) beside their field."""
        lines = self.return_lines()
        messages = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        for name, texts in messages.items():
            parts = name.split(".")
            field: str | None = None
            if parts[0] == "lines" and len(parts) == 3 and parts[1].isdigit():
                index = int(parts[1])
                if index < len(lines):
                    field = self.line_field(lines[index][0])
            elif name in self.fields:
                field = name
            self.add_error(field, texts)
