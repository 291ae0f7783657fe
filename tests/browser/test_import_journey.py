"""A store manager's import in a real browser: upload the member list with bad rows, check the
guessed column mapping, see the problems in the preview, import, and download the error report.
Saves screenshots under artifacts/."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import screenshot
from tests.factories import UserFactory
from toolcrm.core.roles import Role
from toolcrm.customers.models import Customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[1] / "data"


def test_manager_uploads_maps_previews_imports_and_downloads_the_report(
    page, live_server, store_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    manager = UserFactory(username="manager_demo", role=Role.STORE_MANAGER, store=store_a)
    manager.set_password("toolcrm2026")
    manager.save()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_test_id("login-username").fill("manager_demo")
    page.get_by_test_id("login-password").fill("toolcrm2026")
    page.get_by_test_id("login-submit").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("link", name="导入").first.click()
    page.get_by_test_id("new-import").click()
    page.locator("select[name=kind]").select_option("customers")
    page.locator("input[name=file]").set_input_files(str(DATA / "customers_bad_rows.csv"))
    screenshot(page, "10-import-upload")
    page.get_by_test_id("upload-form").locator("button[type=submit]").click()

    page.get_by_test_id("mapping-form").wait_for()
    assert page.locator("select[name=map_phone]").input_value() == "手机号"
    page.locator("input[name=save_as]").fill("会员卡系统")
    screenshot(page, "11-import-mapping")
    page.get_by_test_id("mapping-form").locator("button[type=submit]").click()

    page.get_by_test_id("preview-table").wait_for()
    assert page.get_by_test_id("preview-problem-row").count() == 15
    assert "电话号码被 Excel 存成了科学计数法" in page.get_by_test_id("preview-table").inner_text()
    screenshot(page, "12-import-preview")
    page.get_by_test_id("start-import").click()

    page.get_by_test_id("job-progress").wait_for()
    page.get_by_text("已完成").first.wait_for()
    assert page.get_by_test_id("created-count").inner_text() == "6"  # the not-yours row is new here
    assert page.get_by_test_id("error-count").inner_text() == "21"
    screenshot(page, "13-import-done")
    with page.expect_download() as download_info:
        page.get_by_test_id("error-report").click()
    report = Path(download_info.value.path()).read_bytes()
    assert report.startswith(b"\xef\xbb\xbf") and "原始行号/row".encode() in report
    assert Customer.objects.count() == 6
