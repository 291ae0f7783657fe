"""Phone cells → E.164. The parsing itself is ``core.pii.normalise_phone`` (phonenumbers: ``+86``,
``0086``, ``86``, spaces, dashes, brackets, full-width digits, landlines with area codes), so that
an imported phone and a phone typed at the counter give the same blind index; this module only
adapts spreadsheet values to it and turns its ValidationError into a CellError."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from toolcrm.core.pii import normalise_phone
from toolcrm.integrations.parsing.errors import CellError
from toolcrm.integrations.parsing.text import clean_text

# Excel shows a long number typed into a General cell as 1.38123E+10: the last digits are gone.
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+\d+", re.IGNORECASE)

_SCIENTIFIC_NOTATION = _(
    "电话号码被 Excel 存成了科学计数法，后几位已丢失：%(value)s（请把该列设为文本后重新导出）"
)


def parse_phone(value: object) -> str:
    """The E.164 form (``+8613812345678``) of a phone cell, or CellError with the reason."""
    text = clean_text(value)  # also turns Excel's float 13812345678.0 into "13812345678"
    if _SCIENTIFIC.fullmatch(text):
        raise CellError(_SCIENTIFIC_NOTATION, code="phone_scientific", value=value)
    try:
        return normalise_phone(text)
    except ValidationError as error:
        raise CellError(
            error.message, code=error.code or "invalid_phone", value=value, params=error.params
        ) from None
