"""Customer imports with real-shaped files: the GBK member list, the file with every kind of bad
row (each reported with its row, column and reason, every good row imported), a second run that
changes nothing, a corrected error report imported again, the dry run and the missing column."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tests.data.make_fixtures import CUSTOMERS_BAD_ROWS
from tests.factories import CustomerFactory
from tests.integrations.conftest import DATA
from toolcrm.customers.models import Customer
from toolcrm.integrations import selectors, services
from toolcrm.integrations.choices import ImportStatus
from toolcrm.integrations.models import ImportJob, MappingProfile
from toolcrm.integrations.parsing import TableError


def import_file(user, name: str, **kwargs) -> ImportJob:  # type: ignore[no-untyped-def]
    content = kwargs.pop("content", None) or (DATA / name).read_bytes()
    return services.import_file(
        user=user, kind="customers", content=content, filename=name, **kwargs
    )


def test_gbk_member_list_imports_good_rows_and_reports_the_broken_one(manager, store_a) -> None:
    job = import_file(manager, "customers_gbk.csv")

    assert job.status == ImportStatus.DONE
    assert (job.total_rows, job.processed_rows) == (4, 4)
    assert (job.created_count, job.updated_count, job.skipped_count, job.error_count) == (
        3,
        0,
        0,
        1,
    )
    zhang = Customer.objects.get(member_card_no="VIP000123")
    assert (zhang.name, zhang.phone, zhang.gender, zhang.birthday) == (
        "张伟", "+8613812345678", "M", dt.date(1985, 6, 12)
    )  # fmt: skip
    assert (zhang.province, zhang.city, zhang.district, zhang.street) == (
        "广东省", "深圳市", "南山区", "粤海街道科技园路1号"
    )  # fmt: skip
    assert zhang.home_store == store_a
    assert Customer.objects.get(member_card_no="VIP000124").phone == "+8613922334455"
    errors = list(job.row_errors.values_list("row_number", "column", "code"))
    assert errors == [(6, "手机号", "phone_scientific"), (6, "生日", "invalid_date")]
    first = job.row_errors.first()
    assert first is not None
    assert first.message_en.startswith("Excel stored this phone number in scientific notation")


def test_every_bad_row_is_reported_and_every_good_row_imported(manager, store_a, store_b) -> None:
    CustomerFactory(phone="+8613600000025", home_store=store_b, member_card_no="OTHER1")

    job = import_file(manager, "customers_bad_rows.csv")

    good = [cells for cells, code, _column in CUSTOMERS_BAD_ROWS if not code]
    expected = {
        (number, column, code)
        for number, (_cells, code, column) in enumerate(CUSTOMERS_BAD_ROWS, start=2)
        if code
    }
    reported = set(job.row_errors.values_list("row_number", "column", "code"))
    assert reported == expected
    assert job.error_count == len(expected) == 22
    assert job.created_count == len(good) == 5
    assert set(
        Customer.objects.exclude(member_card_no="OTHER1").values_list("name", flat=True)
    ) == {cells[1] for cells in good}
    for error in job.row_errors.all():
        assert error.message_zh and error.message_en and error.message_en != error.message_zh
    store_error = job.row_errors.get(code="store_out_of_scope", value="XX99")
    assert store_error.message_zh == "门店不存在或不在您的权限范围内：XX99"
    assert store_error.message_en == "The store does not exist or is outside your scope: XX99"
    mars = Customer.objects.get(name="赵敏")
    assert mars.street == "火星基地1号" and mars.province == ""
    assert "地址待核对" in mars.notes


def test_second_run_of_the_same_file_changes_nothing(manager, store_a) -> None:
    import_file(manager, "customers_gbk.csv")
    before = list(Customer.objects.order_by("pk").values())

    again = import_file(manager, "customers_gbk.csv")

    assert (again.created_count, again.updated_count, again.skipped_count) == (0, 0, 3)
    assert again.error_count == 1
    assert list(Customer.objects.order_by("pk").values()) == before


def test_changed_row_updates_only_what_it_fills(manager, store_a) -> None:
    import_file(manager, "customers_gbk.csv")
    content = "手机号,姓名,邮箱\r\n138 1234 5678,张伟,zw@example.com\r\n".encode()

    job = import_file(manager, "update.csv", content=content)

    assert (job.created_count, job.updated_count) == (0, 1)
    zhang = Customer.objects.get(member_card_no="VIP000123")
    assert zhang.email == "zw@example.com" and zhang.birthday == dt.date(1985, 6, 12)


def test_corrected_error_report_imports_the_fixed_rows(manager, store_a) -> None:
    job = import_file(manager, "customers_gbk.csv")
    report = selectors.error_report_csv(job)
    assert report.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(report.decode("utf-8-sig"))))
    assert rows[0] == [
        "会员卡号", "姓名", "手机号", "性别", "生日", "所在地区", "详细地址", "累计消费", "备注",
        "原始行号/row", "列/column", "值/value", "原因/reason (zh)", "reason (en)",
    ]  # fmt: skip
    assert rows[1][:9] == [
        "VIP000126", "赵敏", "1.38123E+10", "女", "2024/2/30", "朝阳区", "某某路", "abc",
        "手机号被Excel改坏",
    ]  # fmt: skip
    assert rows[1][9:12] == ["6", "手机号；生日", "1.38123E+10；2024/2/30"]
    assert rows[1][12].startswith("电话号码被 Excel 存成了科学计数法")
    assert rows[1][13].startswith("Excel stored this phone number")

    rows[1][2], rows[1][4] = "13611112222", "2000/2/29"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    fixed = import_file(manager, "fixed.csv", content=buffer.getvalue().encode("utf-8-sig"))

    assert (fixed.created_count, fixed.error_count) == (1, 0)
    zhao = Customer.objects.get(member_card_no="VIP000126")
    assert (zhao.phone, zhao.birthday) == ("+8613611112222", dt.date(2000, 2, 29))


def test_dry_run_validates_everything_and_writes_nothing(manager, store_a) -> None:
    job = import_file(manager, "customers_gbk.csv", is_dry_run=True)

    assert job.is_dry_run and job.status == ImportStatus.DONE
    assert (job.created_count, job.error_count) == (3, 1)
    assert not Customer.objects.exists()


def test_missing_required_column_stops_before_any_row_is_written(manager, store_a) -> None:
    profile = MappingProfile.objects.create(
        kind="customers", name="旧POS", mapping={"name": "客户名", "phone": "手机号"}
    )
    job = import_file(manager, "customers_gbk.csv", profile=profile)

    assert job.status == ImportStatus.FAILED
    assert job.failure_zh == "缺少必需的列：客户名（姓名/企业名称）。未导入任何数据。"
    assert job.failure_en != job.failure_zh
    assert job.processed_rows == 0 and not job.row_errors.exists()
    assert not Customer.objects.exists()


def test_check_columns_names_the_missing_column_in_both_languages() -> None:
    with pytest.raises(TableError) as excinfo:
        services.check_columns(
            kind="orders",
            mapping={"external_id": "订单号", "sku": "商品编码", "quantity": "件数"},
            header=("订单号", "商品编码", "数量"),
        )
    assert excinfo.value.code == "missing_column"
    assert "件数" in excinfo.value.message_in("zh-hans")
    assert "件数" in excinfo.value.message_in("en")


def test_guess_mapping_uses_aliases_and_merged_sub_headers() -> None:
    mapping = services.guess_mapping(
        "orders", ["小票号", "商品编码", "会员-手机", "会员-姓名", "数量"]
    )
    assert mapping == {
        "external_id": "小票号",
        "sku": "商品编码",
        "quantity": "数量",
        "customer_phone": "会员-手机",
        "customer_name": "会员-姓名",
    }
    assert services.guess_mapping("customers", ["联系电话", "客户姓名"]) == {
        "name": "客户姓名",
        "phone": "联系电话",
    }


def test_duplicate_phone_message_masks_the_number(manager, store_a) -> None:
    content = "姓名,手机号\r\n李娜,13922334455\r\n李娜娜,+86 139-2233-4455\r\n".encode()

    job = import_file(manager, "dup.csv", content=content)

    error = job.row_errors.get()
    assert (error.row_number, error.code) == (3, "duplicate_key")
    assert error.message_zh == "与第 2 行是同一条记录（139****4455），请合并为一行"
    assert "13922334455" not in error.message_en
