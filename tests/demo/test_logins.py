"""The demo logins: one per role (and a second store's clerk), printed by ``demo_logins`` as a
terminal table and as the Markdown table that README.md carries."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from toolcrm.core.roles import Role
from toolcrm.demo.logins import DEMO_LOGINS, DEMO_PASSWORD, demo_login
from toolcrm.demo.tables import display_width

README = Path(__file__).resolve().parents[2] / "README.md"


def _readme_table() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- demo-logins -->") + len("<!-- demo-logins -->")
    return text[start : text.index("<!-- /demo-logins -->")].strip()


def test_every_role_has_a_login_and_store_roles_have_a_store() -> None:
    assert {login.role for login in DEMO_LOGINS} == set(Role)
    assert len({login.username for login in DEMO_LOGINS}) == len(DEMO_LOGINS)
    for login in DEMO_LOGINS:
        needs_store = login.role in {Role.CLERK, Role.STORE_MANAGER, Role.TECHNICIAN}
        assert bool(login.store_code) == needs_store
        assert bool(login.region_code) == (login.role == Role.REGIONAL_MANAGER)
    clerks = [login.store_code for login in DEMO_LOGINS if login.role == Role.CLERK]
    assert len(set(clerks)) == 2
    assert demo_login("admin").is_admin


def test_demo_logins_prints_an_aligned_table_of_every_login() -> None:
    out = StringIO()

    call_command("demo_logins", stdout=out)

    lines = out.getvalue().splitlines()
    assert DEMO_PASSWORD in lines[0]
    assert lines[1].split()[:3] == ["角色", "用户名", "密码"]
    rows = lines[3:]
    assert len(rows) == len(DEMO_LOGINS)
    for row, login in zip(rows, DEMO_LOGINS, strict=True):
        assert login.username in row and str(login.sees) in row
    username_column = display_width(lines[1].split("用户名")[0])
    assert all(display_width(row[: row.index(" ")]) <= username_column for row in rows)
    assert "上海浦东店 SH01" in rows[0] and "广州天河店 GZ01" in rows[2]


def test_demo_logins_in_english() -> None:
    out = StringIO()

    call_command("demo_logins", language="en", stdout=out)

    text = out.getvalue()
    assert "Role" in text and "Username" in text
    assert "clerk_gz" in text and "store scoping" in text


def test_readme_table_is_the_markdown_output_in_english() -> None:
    out = StringIO()

    call_command("demo_logins", markdown=True, language="en", stdout=out)

    assert _readme_table() == out.getvalue().strip(), (
        "README.md is out of date: paste `manage.py demo_logins --markdown --language en` "
        "between its demo-logins markers"
    )
    assert _readme_table().startswith("| role | username | password | sees |")
