"""The filter of the rules page."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from toolcrm.catalog.models import Category
from toolcrm.recommendations.choices import BasketScope, RuleLevel
from toolcrm.recommendations.selectors import RuleFilter


class CategoryChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Category) -> str:
        return f"{obj.parent.name} / {obj.name}" if obj.parent else obj.name


class RuleFilterForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("购物篮"),
        choices=BasketScope.choices,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    level = forms.ChoiceField(
        label=_("粒度"),
        choices=RuleLevel.choices,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    category = CategoryChoiceField(
        label=_("品类"),
        queryset=Category.objects.select_related("parent").order_by("code"),
        required=False,
        empty_label=_("全部品类"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def rule_filter(self) -> RuleFilter:
        data = self.cleaned_data
        category = data.get("category")
        return RuleFilter(
            scope=data.get("scope") or BasketScope.ORDER,
            level=data.get("level") or RuleLevel.CATEGORY,
            category_id=category.pk if category else None,
        )
