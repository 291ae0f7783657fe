"""The demo logins as table rows, rendered for a terminal (columns aligned for Chinese text,
which takes two columns per character) or as the Markdown table of README.md."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from toolcrm.core.roles import Role
from toolcrm.demo.data.places import REGIONS, STORES
from toolcrm.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, DemoLogin


@dataclass(frozen=True)
class LoginRow:
    role: str
    role_code: str
    username: str
    password: str
    place: str
    sees: str


def _place(login: DemoLogin) -> str:
    if login.store_code:
        store = next(seed for seed in STORES if seed.code == login.store_code)
        return f"{store.name} {store.code}"
    if login.region_code:
        return dict(REGIONS)[login.region_code]
    return _("总部（全部门店）") if login.role != Role.B2B_MANAGER else _("总部")


def login_rows() -> list[LoginRow]:
    """One row per demo login, in the active language."""
    return [
        LoginRow(
            role=str(Role(login.role).label),
            role_code=login.role.value,
            username=login.username,
            password=DEMO_PASSWORD,
            place=_place(login),
            sees=str(login.sees),
        )
        for login in DEMO_LOGINS
    ]


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


def text_table(rows: list[LoginRow]) -> str:
    header = (_("角色"), _("用户名"), _("密码"), _("门店/区域"), _("可以看到"))
    cells = [header] + [(r.role, r.username, r.password, r.place, r.sees) for r in rows]
    widths = [max(display_width(row[column]) for row in cells) for column in range(4)]
    lines = []
    for number, row in enumerate(cells):
        lines.append(
            "  ".join(_pad(cell, width) for cell, width in zip(row, widths, strict=False))
            + "  "
            + row[4]
        )
        if number == 0:
            lines.append(
                "  ".join("-" * width for width in widths) + "  " + "-" * display_width(row[4])
            )
    title = _("演示账号（密码均为 %(password)s，仅用于本地演示）") % {"password": DEMO_PASSWORD}
    return "\n".join([title, *lines])


def markdown_table(rows: list[LoginRow]) -> str:
    lines = ["| role | username | password | sees |", "|---|---|---|---|"]
    for row in rows:
        lines.append(
            f"| {row.role} (`{row.role_code}`) | `{row.username}` | `{row.password}` "
            f"| {row.place} — {row.sees} |"
        )
    return "\n".join(lines)
