"""The computed tags known to the code: their stable codes, kinds and translatable names.

Behaviour tags are computed by ``behaviour``; predictive tags by the functions listed in
``predictive.PREDICTIVE_TAGS`` (add a model's tag there with one line) and by
``predictive.overdue``. ``services`` creates a
``TagDefinition`` row for each code on first compute, so computed and rule tags are counted,
listed and switched off the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from toolcrm.tags.choices import TagKind

Reason = tuple[str, dict[str, Any], dict[str, Any]]  # (message key, params, evidence)


@dataclass(frozen=True)
class SystemTag:
    code: str
    kind: TagKind
    name: Promise


BEHAVIOUR_TAGS: tuple[SystemTag, ...] = (
    SystemTag("brand_preference", TagKind.BEHAVIOUR, _("品牌偏好")),
    SystemTag("preferred_channel", TagKind.BEHAVIOUR, _("偏好渠道")),
    SystemTag("price_sensitive", TagKind.BEHAVIOUR, _("价格敏感")),
    SystemTag("professional", TagKind.BEHAVIOUR, _("专业用户")),
    SystemTag("diy", TagKind.BEHAVIOUR, _("DIY 用户")),
    SystemTag("seasonal", TagKind.BEHAVIOUR, _("季节性购买")),
)


def system_tags() -> dict[str, SystemTag]:
    from toolcrm.tags.predictive import OVERDUE_TAG, PREDICTIVE_TAGS

    tags = {tag.code: tag for tag in BEHAVIOUR_TAGS}
    tags.update({spec.tag.code: spec.tag for spec in PREDICTIVE_TAGS})
    tags[OVERDUE_TAG.code] = OVERDUE_TAG
    return tags


def system_tag_name(code: str) -> str:
    tag = system_tags().get(code)
    return str(tag.name) if tag else ""
