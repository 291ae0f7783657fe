"""The admin shows merge records and duplicate candidates read-only: listed and viewable, but no
add, change or delete (a merge is undone only through the audited undo service)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import CustomerFactory
from toolcrm.integrations.merge import merge_customers
from toolcrm.integrations.models import MatchCandidate, MergeRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(manager, store_a):  # type: ignore[no-untyped-def]
    survivor = CustomerFactory(name="李四", phone="13800003333", home_store=store_a)
    other = CustomerFactory(name="李四", phone="13900004444", home_store=store_a)
    merge = merge_customers(user=manager, survivor=survivor, other=other, field_choices={})
    pair = sorted([CustomerFactory(home_store=store_a).pk, CustomerFactory().pk])
    candidate = MatchCandidate.objects.create(
        customer_id=pair[0],
        other_id=pair[1],
        kind="probable",
        evidence=[{"code": "same_name_district", "detail": ""}],
        score=60,
        found_at=timezone.now(),
    )
    return merge, candidate


@pytest.mark.parametrize("model", [MergeRecord, MatchCandidate])
def test_admin_lists_and_shows_but_never_edits(admin_user, client_for, history, model):
    merge, candidate = history
    obj = merge if model is MergeRecord else candidate
    meta = model._meta
    client = client_for(admin_user)

    changelist = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
    detail = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk]))
    add = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
    delete = client.post(
        reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk]), {"post": "yes"}
    )

    assert changelist.status_code == 200
    assert f"/{obj.pk}/change/" in changelist.content.decode()
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert add.status_code == 403
    assert delete.status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_merge_record_snapshot_shows_no_plaintext_phone(admin_user, client_for, history):
    merge, _candidate = history

    page = client_for(admin_user).get(
        reverse("admin:integrations_mergerecord_change", args=[merge.pk])
    )

    body = page.content.decode()
    assert "13900004444" not in body and "13800003333" not in body
    assert "enc:v1:" in body
