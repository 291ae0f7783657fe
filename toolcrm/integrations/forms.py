"""Forms of the import pages: the upload (kind, file, default store, saved mapping) and the
mapping step (one select per field of the kind, listing the file's columns)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from toolcrm.core.scoping import ALL_STORES, store_ids_for
from toolcrm.integrations.choices import ImportKind
from toolcrm.integrations.importers import FieldSpec
from toolcrm.integrations.models import MappingProfile
from toolcrm.stores.models import Store

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入类型"))
    file = forms.FileField(
        label=_("文件"), help_text=_("CSV（UTF-8 或 GBK）或 Excel .xlsx，最大 50 MB")
    )
    store = forms.ModelChoiceField(
        label=_("默认门店"),
        queryset=Store.objects.none(),
        required=False,
        help_text=_("文件中没有门店编码列时，数据归入此门店"),
    )
    profile = forms.ModelChoiceField(
        label=_("已保存的列对应方案"), queryset=MappingProfile.objects.none(), required=False
    )
    is_dry_run = forms.BooleanField(label=_("仅校验（检查所有行，不写入任何数据）"), required=False)

    def __init__(self, *args: Any, user: Any, kinds: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ImportKind.choices)
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [(kind, labels[kind]) for kind in kinds]
        store_ids = store_ids_for(user)
        stores = Store.objects.filter(is_active=True).order_by("code")
        if store_ids is not ALL_STORES:
            stores = stores.filter(pk__in=sorted(store_ids or ()))
        store_field = self.fields["store"]
        assert isinstance(store_field, forms.ModelChoiceField)
        store_field.queryset = stores
        store_field.initial = getattr(user, "store_id", None)
        profile_field = self.fields["profile"]
        assert isinstance(profile_field, forms.ModelChoiceField)
        profile_field.queryset = MappingProfile.objects.filter(kind__in=kinds)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件超过 50 MB，请拆分后再导入。"))
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        profile = cleaned.get("profile")
        if profile is not None and profile.kind != cleaned.get("kind"):
            self.add_error("profile", _("该方案属于其他导入类型。"))
        return cleaned


class MappingForm(forms.Form):
    save_as = forms.CharField(label=_("另存为方案（可选）"), required=False, max_length=60)
    source_label = forms.CharField(
        label=_("数据来源"), required=False, max_length=60, help_text=_("例如：门店POS")
    )

    def __init__(
        self,
        *args: Any,
        specs: Sequence[FieldSpec],
        header: Sequence[str],
        mapping: dict[str, str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("（不导入）")), *[(column, column) for column in header]]
        self.specs = specs
        for spec in specs:
            self.fields[f"map_{spec.name}"] = forms.ChoiceField(
                label=str(spec.label),
                choices=choices,
                required=spec.is_required,
                initial=mapping.get(spec.name, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {
            spec.name: self.cleaned_data.get(f"map_{spec.name}", "")
            for spec in self.specs
            if self.cleaned_data.get(f"map_{spec.name}")
        }

    def field_rows(self) -> list[tuple[FieldSpec, forms.BoundField]]:
        return [(spec, self[f"map_{spec.name}"]) for spec in self.specs]
