"""The import pages: upload → mapping (guessed, saved as a profile) → preview with problems →
start (task queued on commit) → job page and its HTMX progress → error report; each page allowed
for importers and refused for others (403 without the capability, 404 for another store's job);
the job list's query count does not grow with the number of jobs."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.integrations.conftest import DATA
from toolcrm.core.roles import Role
from toolcrm.customers.models import Customer
from toolcrm.integrations import services
from toolcrm.integrations.choices import ImportStatus
from toolcrm.integrations.models import ImportJob, MappingProfile


@pytest.fixture
def draft_job(manager, store_a) -> ImportJob:  # type: ignore[no-untyped-def]
    return services.create_import_job(
        user=manager,
        kind="customers",
        content=(DATA / "customers_gbk.csv").read_bytes(),
        filename="customers_gbk.csv",
    )


@pytest.fixture
def done_job(manager, store_a) -> ImportJob:  # type: ignore[no-untyped-def]
    return services.import_file(
        user=manager,
        kind="customers",
        content=(DATA / "customers_gbk.csv").read_bytes(),
        filename="customers_gbk.csv",
    )


@pytest.fixture
def other_manager(make_user, store_b):  # type: ignore[no-untyped-def]
    return make_user(Role.STORE_MANAGER, store=store_b, username="manager_b")


def test_whole_journey_upload_map_preview_start_report(
    manager, store_a, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(manager)
    upload = SimpleUploadedFile("会员.csv", (DATA / "customers_gbk.csv").read_bytes())

    response = client.post(reverse("integrations:upload"), {"kind": "customers", "file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("integrations:mapping", args=[job.pk])
    assert (job.store, job.status, job.original_filename) == (store_a, "draft", "会员.csv")

    page = client.get(reverse("integrations:mapping", args=[job.pk]))
    assert page.status_code == 200
    assert '<option value="手机号" selected>' in page.content.decode()

    fields = {f"map_{k}": v for k, v in job.mapping.items()}
    response = client.post(
        reverse("integrations:mapping", args=[job.pk]),
        {**fields, "save_as": "会员卡系统", "source_label": "门店POS"},
    )
    assert response.status_code == 302
    profile = MappingProfile.objects.get(kind="customers", name="会员卡系统")
    assert profile.mapping["phone"] == "手机号" and profile.source_label == "门店POS"

    preview = client.get(reverse("integrations:preview", args=[job.pk]))
    body = preview.content.decode()
    assert preview.status_code == 200
    assert body.count('data-testid="preview-problem-row"') == 1
    assert "电话号码被 Excel 存成了科学计数法" in body
    assert not Customer.objects.exists()  # the preview keeps nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("integrations:start", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.created_count, job.error_count) == (ImportStatus.DONE, 3, 1)

    detail = client.get(reverse("integrations:job_detail", args=[job.pk]))
    assert detail.status_code == 200 and 'data-testid="error-report"' in detail.content.decode()
    partial = client.get(reverse("integrations:job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="job-progress"')
    report = client.get(reverse("integrations:error_report", args=[job.pk]))
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    assert report.content.startswith(b"\xef\xbb\xbf")


def test_running_job_page_polls_and_finished_one_does_not(manager, draft_job, client_for) -> None:
    ImportJob.objects.filter(pk=draft_job.pk).update(status=ImportStatus.RUNNING, total_rows=4)
    url = reverse("integrations:job_detail", args=[draft_job.pk])
    assert 'hx-trigger="every 2s"' in client_for(manager).get(url).content.decode()
    ImportJob.objects.filter(pk=draft_job.pk).update(status=ImportStatus.DONE)
    assert "hx-trigger" not in client_for(manager).get(url).content.decode()


def test_unreadable_upload_is_refused_on_the_form(manager, client_for) -> None:
    upload = SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    response = client_for(manager).post(
        reverse("integrations:upload"), {"kind": "customers", "file": upload}
    )
    assert response.status_code == 200
    assert "无法读取旧版 Excel" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_preview_names_a_missing_column(manager, draft_job, client_for) -> None:
    services.set_job_mapping(user=manager, job=draft_job, mapping={"phone": "手机号"})
    response = client_for(manager).get(reverse("integrations:preview", args=[draft_job.pk]))
    assert 'data-testid="column-error"' in response.content.decode()
    response = client_for(manager).post(reverse("integrations:start", args=[draft_job.pk]))
    draft_job.refresh_from_db()
    assert draft_job.status == ImportStatus.DRAFT


def job_urls(job: ImportJob) -> list[tuple[str, str]]:
    return [
        ("get", reverse("integrations:mapping", args=[job.pk])),
        ("get", reverse("integrations:preview", args=[job.pk])),
        ("post", reverse("integrations:start", args=[job.pk])),
        ("get", reverse("integrations:job_detail", args=[job.pk])),
        ("get", reverse("integrations:error_report", args=[job.pk])),
    ]


@pytest.mark.parametrize("role", [Role.STORE_MANAGER, Role.REGIONAL_MANAGER, Role.ADMIN])
def test_importers_may_open_the_list_and_upload_pages(role, make_user, client_for) -> None:
    client = client_for(make_user(role))
    assert client.get(reverse("integrations:job_list")).status_code == 200
    assert client.get(reverse("integrations:upload")).status_code == 200


@pytest.mark.parametrize("role", [Role.CLERK, Role.HQ_MARKETING, Role.TECHNICIAN, Role.B2B_MANAGER])
def test_other_roles_are_refused_every_page(role, make_user, draft_job, client_for) -> None:
    client = client_for(make_user(role))
    assert client.get(reverse("integrations:job_list")).status_code == 403
    assert client.get(reverse("integrations:upload")).status_code == 403
    for method, url in job_urls(draft_job):
        assert getattr(client, method)(url).status_code == 403, url


def test_job_pages_allowed_to_owner_and_region_not_to_another_store(
    manager, other_manager, make_user, draft_job, client_for
) -> None:
    regional = make_user(Role.REGIONAL_MANAGER, username="regional")
    for user in (manager, regional):
        client = client_for(user)
        for method, url in job_urls(draft_job)[:2] + job_urls(draft_job)[3:]:
            assert getattr(client, method)(url).status_code == 200, (user, url)
    outsider = client_for(other_manager)
    for method, url in job_urls(draft_job):
        assert getattr(outsider, method)(url).status_code == 404, url
    assert (
        draft_job.original_filename
        not in outsider.get(reverse("integrations:job_list")).content.decode()
    )


def test_anonymous_users_are_sent_to_login(client, draft_job) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("integrations:job_list"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_navigation_shows_import_only_to_importers(manager, clerk, client_for) -> None:
    url = reverse("integrations:job_list")
    assert url in client_for(manager).get(reverse("customers:list")).content.decode()
    assert url not in client_for(clerk).get(reverse("customers:list")).content.decode()


def test_job_list_query_count_does_not_grow(manager, store_a, client_for) -> None:
    client = client_for(manager)
    content = (DATA / "customers_gbk.csv").read_bytes()
    services.create_import_job(user=manager, kind="customers", content=content, filename="a.csv")
    client.get(reverse("integrations:job_list"))
    with CaptureQueriesContext(connection) as one:
        assert client.get(reverse("integrations:job_list")).status_code == 200
    for index in range(5):
        services.create_import_job(
            user=manager, kind="customers", content=content, filename=f"b{index}.csv"
        )
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("integrations:job_list"))
    assert response.content.decode().count("b4.csv") == 1
    assert len(six.captured_queries) == len(one.captured_queries) <= 8


def test_done_job_cannot_be_remapped(manager, done_job, client_for) -> None:
    response = client_for(manager).get(reverse("integrations:mapping", args=[done_job.pk]))
    assert response.status_code == 302
    assert response["Location"] == done_job.get_absolute_url()


def test_preview_warns_when_the_same_file_was_imported_before(
    manager, done_job, draft_job, client_for
) -> None:
    response = client_for(manager).get(reverse("integrations:preview", args=[draft_job.pk]))
    assert 'data-testid="same-file-warning"' in response.content.decode()


def test_dry_run_from_the_ui_writes_nothing(
    manager, store_a, client_for, django_capture_on_commit_callbacks
) -> None:
    client = client_for(manager)
    upload = SimpleUploadedFile("会员.csv", (DATA / "customers_gbk.csv").read_bytes())
    client.post(
        reverse("integrations:upload"), {"kind": "customers", "file": upload, "is_dry_run": "on"}
    )
    job = ImportJob.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:start", args=[job.pk]))
    job.refresh_from_db()
    assert (job.is_dry_run, job.status, job.created_count) == (True, ImportStatus.DONE, 3)
    assert not Customer.objects.exists()
    assert "仅校验，未写入数据" in client.get(job.get_absolute_url()).content.decode()
