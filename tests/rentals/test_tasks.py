"""The daily overdue task: scheduled, marks past-due loans, and is safe to run twice."""

from __future__ import annotations

from django.conf import settings

from tests.rentals.conftest import backdate
from toolcrm.rentals.choices import AgreementStatus
from toolcrm.rentals.tasks import mark_overdue_agreements


def test_the_task_is_in_the_daily_schedule():
    paths = {path for _name, path, _time in settings.SCHEDULE}
    assert "toolcrm.rentals.tasks.mark_overdue_agreements" in paths


def test_the_task_marks_overdue_loans_once(lend_now):
    agreement = backdate(lend_now(), days=4)
    first = mark_overdue_agreements.enqueue()
    second = mark_overdue_agreements.enqueue()
    assert first.return_value == {"marked": 1}
    assert second.return_value == {"marked": 0}
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.OVERDUE
