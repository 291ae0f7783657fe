"""Model fields that keep PII encrypted at rest.

``EncryptedTextField`` stores AES-256-GCM ciphertext (see ``core.crypto``) and gives Python code the
plaintext. When declared with ``index_field`` and ``normaliser`` it also fills the companion
blind-index column on save, from the normalised value, so lookups are indexed exact matches:
``Customer.objects.filter(phone_index=phone_index_for("138 1234 5678"))``. Only ``isnull`` and
``exact`` against ``None``/"" make sense on the ciphertext column itself; search through the index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.db.models import Model

from toolcrm.core import crypto


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    description = "Text encrypted with AES-256-GCM (key id stored with the value)"

    def __init__(
        self,
        *args: Any,
        index_field: str | None = None,
        index_purpose: str = "",
        normaliser: Callable[[str], str] | None = None,
        **kwargs: Any,
    ) -> None:
        self.index_field = index_field
        self.index_purpose = index_purpose
        self.normaliser = normaliser
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.index_field:
            kwargs["index_field"] = self.index_field
            kwargs["index_purpose"] = self.index_purpose
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        if isinstance(value, str) and value.startswith(crypto.PREFIX):
            return value  # already a ciphertext (e.g. written back unchanged by rotation)
        return crypto.encrypt(str(value))

    def pre_save(self, model_instance: Model, add: bool) -> Any:
        value = super().pre_save(model_instance, add)
        if self.index_field:
            setattr(model_instance, self.index_field, self.index_value(value))
        return value

    def index_value(self, value: str | None) -> str:
        if not value:
            return ""
        normalised = self.normaliser(value) if self.normaliser else value
        return crypto.blind_index(normalised, purpose=self.index_purpose or self.name)


def encrypted_fields(model: type[Model]) -> list[EncryptedTextField]:
    return [f for f in model._meta.get_fields() if isinstance(f, EncryptedTextField)]
