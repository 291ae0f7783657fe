"""The demo logins: one source of truth for ``load_demo`` (which creates these users),
``demo_logins`` (which prints them) and the table in README.md (a test keeps it in step).

Every role of ``core.roles.Role`` has a login, plus a clerk of a second store so that store scoping
can be seen side by side. They share one password; it is a demo password for a local database and
is set with ``set_password`` like any other.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from toolcrm.core.roles import Role

DEMO_PASSWORD = "toolcrm-demo"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: Role
    display_name: str
    sees: Promise
    store_code: str = ""
    region_code: str = ""
    is_admin: bool = False  # Django admin access (is_staff + is_superuser)


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(
        username="clerk_sh",
        role=Role.CLERK,
        display_name="王晓燕",
        store_code="SH01",
        sees=_("本店客户（手机号打码）、录单与退货、核销优惠券、工具租借、推荐清单、本店今日销售"),
    ),
    DemoLogin(
        username="manager_sh",
        role=Role.STORE_MANAGER,
        display_name="陈建华",
        store_code="SH01",
        sees=_(
            "本店全部客户与订单、员工业绩、规则标签与标签统计、发券；填写原因后可查看完整手机号"
        ),
    ),
    DemoLogin(
        username="clerk_gz",
        role=Role.CLERK,
        display_name="黄嘉欣",
        store_code="GZ01",
        sees=_("只看到广州天河店的客户：与 clerk_sh 对比即可看到门店隔离"),
    ),
    DemoLogin(
        username="regional_east",
        role=Role.REGIONAL_MANAGER,
        display_name="徐志强",
        region_code="EAST",
        sees=_("华东区五家门店的客户、订单与门店看板；可查看完整手机号"),
    ),
    DemoLogin(
        username="marketing",
        role=Role.HQ_MARKETING,
        display_name="林思雨",
        sees=_("全部门店的客户与订单（手机号打码）、标签、会员与券模板设置、流失模型与关联规则"),
    ),
    DemoLogin(
        username="tech_sh",
        role=Role.TECHNICIAN,
        display_name="赵国庆",
        store_code="SH01",
        sees=_("本店客户、商品与保修信息；可记录互动"),
    ),
    DemoLogin(
        username="b2b",
        role=Role.B2B_MANAGER,
        display_name="周立新",
        sees=_("自己负责的企业客户：账户、联系人与订单"),
    ),
    DemoLogin(
        username="admin",
        role=Role.ADMIN,
        display_name="系统管理员",
        is_admin=True,
        sees=_("全部数据、员工与权限、审计日志，以及后台 /admin/"),
    ),
)


def demo_login(username: str) -> DemoLogin:
    """The demo login with this username (KeyError if there is none)."""
    for login in DEMO_LOGINS:
        if login.username == username:
            return login
    raise KeyError(username)
