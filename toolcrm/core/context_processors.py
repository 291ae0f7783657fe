"""Template context shared by every page: the role-aware navigation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from toolcrm.core.roles import Capability, has_capability

NAVIGATION: list[tuple[str, Any, str, Capability | None]] = [
    ("workspace:home", _("今日门店"), "bi-speedometer2", None),
    ("customers:list", _("客户"), "bi-people", Capability.VIEW_CUSTOMERS),
    ("sales:order_list", _("订单"), "bi-receipt", Capability.VIEW_SALES),
    ("catalog:list", _("商品"), "bi-box-seam", Capability.VIEW_CATALOG),
    ("integrations:job_list", _("导入"), "bi-upload", Capability.IMPORT_DATA),
    ("identity:candidate_queue", _("重复客户"), "bi-intersect", Capability.MERGE_CUSTOMERS),
    ("tags:report", _("客户标签"), "bi-tags", Capability.VIEW_TAG_REPORT),
    ("recommendations:rules", _("关联规则"), "bi-diagram-3", Capability.VIEW_MODELS),
    ("rentals:fleet", _("租借"), "bi-tools", Capability.MANAGE_RENTALS),
    ("loyalty:counter", _("核销"), "bi-ticket-perforated", Capability.REDEEM_COUPONS),
    ("loyalty:settings", _("会员设置"), "bi-award", Capability.MANAGE_LOYALTY),
    ("insights:models", _("流失模型"), "bi-graph-down", Capability.VIEW_MODELS),
    ("accounts:audit_log", _("审计日志"), "bi-shield-lock", Capability.VIEW_AUDIT_LOG),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = [
        {"url_name": url_name, "label": label, "icon": icon}
        for url_name, label, icon, capability in NAVIGATION
        if capability is None or has_capability(user, capability)
    ]
    return {"nav_items": items}
