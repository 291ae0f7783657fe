"""Staff roles and what each may do: the one permission table of ToolCRM.

Views, API handlers and selectors ask ``has_capability(user, Capability.X)``; nothing else in the
code base compares role names. Store/region scoping of *which* rows a role sees is in
``core.scoping``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CLERK = "clerk", _("店员")
    STORE_MANAGER = "store_manager", _("店长")
    REGIONAL_MANAGER = "regional_manager", _("区域经理")
    HQ_MARKETING = "hq_marketing", _("总部市场")
    TECHNICIAN = "technician", _("维修技师")
    B2B_MANAGER = "b2b_manager", _("大客户经理")
    ADMIN = "admin", _("管理员")


class Capability(models.TextChoices):
    VIEW_CUSTOMERS = "customers.view", _("查看客户")
    EDIT_CUSTOMERS = "customers.edit", _("新建/编辑客户")
    REVEAL_PII = "customers.reveal_pii", _("查看完整手机号/证件号（需填写原因）")
    RECORD_INTERACTION = "customers.record_interaction", _("记录互动")
    RECORD_CONSENT = "customers.record_consent", _("记录授权")
    VIEW_SALES = "sales.view", _("查看订单")
    CREATE_ORDERS = "sales.create", _("录入订单")
    VIEW_CATALOG = "catalog.view", _("查看商品")
    VIEW_STORE_DASHBOARD = "stores.dashboard", _("门店看板")
    VIEW_AUDIT_LOG = "core.audit", _("查看审计日志")
    MANAGE_STAFF = "accounts.manage", _("管理员工与权限")
    IMPORT_DATA = "integrations.import", _("导入数据")
    IMPORT_CATALOG = "integrations.import_catalog", _("导入商品资料（含新建品牌、品类）")
    MERGE_CUSTOMERS = "customers.merge", _("合并客户")
    EXPORT_CUSTOMERS = "customers.export", _("导出客户名单（手机号打码）")
    EXPORT_ORDERS = "sales.export", _("导出订单")
    MANAGE_TAGS = "tags.manage", _("定义规则标签")
    VIEW_TAG_REPORT = "tags.report", _("查看标签统计")
    VIEW_MODELS = "insights.models", _("查看预测模型与评估")
    REDEEM_COUPONS = "loyalty.redeem", _("核销优惠券、积分抵扣")
    ISSUE_COUPONS = "loyalty.issue", _("发放优惠券、调整积分")
    MANAGE_LOYALTY = "loyalty.manage", _("设置会员等级、券模板与推荐奖励")
    MANAGE_RENTALS = "rentals.manage", _("工具租借与试用")


_ALL = frozenset(Capability)
_FRONT_DESK = frozenset(
    {
        Capability.VIEW_CUSTOMERS,
        Capability.EDIT_CUSTOMERS,
        Capability.RECORD_INTERACTION,
        Capability.RECORD_CONSENT,
        Capability.VIEW_SALES,
        Capability.CREATE_ORDERS,
        Capability.VIEW_CATALOG,
        Capability.VIEW_STORE_DASHBOARD,
        Capability.REDEEM_COUPONS,
        Capability.MANAGE_RENTALS,
    }
)
_MANAGERS = frozenset(
    {
        Capability.REVEAL_PII,
        Capability.IMPORT_DATA,
        Capability.MERGE_CUSTOMERS,
        Capability.EXPORT_CUSTOMERS,
        Capability.EXPORT_ORDERS,
        Capability.MANAGE_TAGS,
        Capability.VIEW_TAG_REPORT,
        Capability.ISSUE_COUPONS,
    }
)

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.CLERK: _FRONT_DESK,
    Role.STORE_MANAGER: _FRONT_DESK | _MANAGERS,
    Role.REGIONAL_MANAGER: _FRONT_DESK | _MANAGERS,
    Role.HQ_MARKETING: frozenset(
        {
            Capability.VIEW_CUSTOMERS,
            Capability.VIEW_SALES,
            Capability.VIEW_CATALOG,
            Capability.EXPORT_CUSTOMERS,
            Capability.EXPORT_ORDERS,
            Capability.MANAGE_TAGS,
            Capability.VIEW_TAG_REPORT,
            Capability.VIEW_MODELS,
            Capability.ISSUE_COUPONS,
            Capability.MANAGE_LOYALTY,
        }
    ),
    Role.TECHNICIAN: frozenset(
        {
            Capability.VIEW_CUSTOMERS,
            Capability.RECORD_INTERACTION,
            Capability.VIEW_SALES,
            Capability.VIEW_CATALOG,
        }
    ),
    Role.B2B_MANAGER: _FRONT_DESK
    | {
        Capability.REVEAL_PII,
        Capability.EXPORT_CUSTOMERS,
        Capability.EXPORT_ORDERS,
        Capability.ISSUE_COUPONS,
    },
    Role.ADMIN: _ALL,
}


def has_capability(user: Any, capability: Capability) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return capability in ROLE_CAPABILITIES.get(getattr(user, "role", ""), frozenset())


def require_capability(user: Any, capability: Capability) -> None:
    """The one permission check of views, API handlers and services: 403 without it."""
    if not has_capability(user, capability):
        raise PermissionDenied(capability.value)
