"""Forms for the clerk UI: they parse and show errors; validation rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from toolcrm.core.scoping import ALL_STORES, store_ids_for
from toolcrm.customers.choices import (
    ConsentChannel,
    ConsentPurpose,
    InteractionKind,
)
from toolcrm.customers.models import Customer
from toolcrm.stores.models import Store


class CustomerForm(forms.ModelForm):  # type: ignore[type-arg]
    phone = forms.CharField(
        label=_("手机号"),
        required=False,
        max_length=30,
        help_text=_("可带 +86、空格或横线"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    phone_secondary = forms.CharField(
        label=_("备用电话"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    id_card_no = forms.CharField(label=_("身份证号"), required=False, max_length=20)

    class Meta:
        model = Customer
        fields = [
            "kind",
            "name",
            "phone",
            "phone_secondary",
            "member_card_no",
            "email",
            "home_store",
            "gender",
            "birthday",
            "age_band",
            "occupation",
            "company_type",
            "credit_code",
            "id_card_no",
            "wechat_openid",
            "wechat_unionid",
            "province",
            "city",
            "district",
            "street",
            "source_channel",
            "notes",
        ]
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        store_ids = store_ids_for(user)
        stores = Store.objects.filter(is_active=True)
        if store_ids is not ALL_STORES:
            stores = stores.filter(pk__in=sorted(store_ids or ()))
        self.fields["home_store"].queryset = stores  # type: ignore[attr-defined]
        if user.store_id and not self.instance.pk:
            self.fields["home_store"].initial = user.store_id
        if self.instance.pk:
            # Encrypted values are shown masked elsewhere; the edit form never pre-fills them so
            # that opening it is not a way around the reveal log. Blank means "keep".
            for name in ("phone", "phone_secondary", "id_card_no"):
                self.initial[name] = ""
                self.fields[name].help_text = _("留空表示不修改")
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def _post_clean(self) -> None:
        # Model validation runs in the service (create_customer / update_customer), which also
        # normalises phones and checks duplicates; skip ModelForm's instance construction.
        return

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if self.instance.pk:
            for name in ("phone", "phone_secondary", "id_card_no"):
                if not data.get(name):
                    data.pop(name, None)
        return data


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=InteractionKind.choices)
    summary = forms.CharField(
        label=_("内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        self.fields["summary"].widget.attrs["class"] = "form-control"


class ConsentForm(forms.Form):
    channel = forms.ChoiceField(label=_("渠道"), choices=ConsentChannel.choices)
    purpose = forms.ChoiceField(label=_("用途"), choices=ConsentPurpose.choices)
    is_granted = forms.TypedChoiceField(
        label=_("状态"),
        choices=[("1", _("同意")), ("0", _("撤回"))],
        coerce=lambda value: value == "1",
    )
    source = forms.CharField(
        label=_("来源"),
        max_length=50,
        initial=_("门店口头确认"),
        help_text=_("如：纸质登记表、门店口头确认"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("channel", "purpose", "is_granted"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["source"].widget.attrs["class"] = "form-control"


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        choices=[
            ("phone", _("手机号")),
            ("phone_secondary", _("备用电话")),
            ("id_card_no", _("身份证号")),
        ]
    )
    reason = forms.CharField(label=_("查看原因"), max_length=500)
