"""Form helpers shared by the apps' views."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import BaseForm


def add_service_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: each message on its field when the form
    has that field, otherwise (or for a plain error) at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
