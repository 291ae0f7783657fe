"""``manage.py import_data``: imports with a saved mapping profile, prints the counts and the
error report's path, dry-runs without writing, and stops on a missing column."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from tests.integrations.conftest import DATA
from toolcrm.customers.models import Customer
from toolcrm.integrations.models import MappingProfile


def test_import_with_profile_prints_counts_and_report(manager, store_a, settings) -> None:
    MappingProfile.objects.create(
        kind="customers",
        name="会员卡系统",
        mapping={
            "name": "姓名",
            "phone": "手机号",
            "member_card_no": "会员卡号",
            "birthday": "生日",
        },
    )
    out = StringIO()

    call_command(
        "import_data",
        "customers",
        str(DATA / "customers_gbk.csv"),
        "--mapping",
        "会员卡系统",
        "--user",
        manager.username,
        stdout=out,
    )

    text = out.getvalue()
    assert "created 3, updated 0, unchanged 0, rows with errors 1" in text
    report_line = next(line for line in text.splitlines() if line.startswith("error report: "))
    report = report_line.removeprefix("error report: ")
    assert report.startswith(str(settings.MEDIA_ROOT))
    assert Path(report).read_bytes().startswith(b"\xef\xbb\xbf")
    assert Customer.objects.count() == 3


def test_dry_run_writes_nothing(manager, store_a) -> None:
    out = StringIO()
    call_command(
        "import_data",
        "customers",
        str(DATA / "customers_gbk.csv"),
        "--dry-run",
        "--user",
        manager.username,
        stdout=out,
    )
    assert out.getvalue().startswith("DRY RUN (nothing written)")
    assert not Customer.objects.exists()


def test_unknown_profile_and_missing_column_are_errors(manager, store_a) -> None:
    with pytest.raises(CommandError, match="No customers mapping profile"):
        call_command(
            "import_data", "customers", str(DATA / "customers_gbk.csv"), "--mapping", "nope"
        )
    MappingProfile.objects.create(kind="customers", name="旧", mapping={"name": "客户名"})
    with pytest.raises(CommandError, match="客户名"):
        call_command(
            "import_data",
            "customers",
            str(DATA / "customers_gbk.csv"),
            "--mapping",
            "旧",
            "--user",
            manager.username,
        )
    assert not Customer.objects.exists()
