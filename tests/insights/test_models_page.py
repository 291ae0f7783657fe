"""The churn model page: VIEW_MODELS only (HQ marketing, admin); lists every version with its
figures, the active one marked; an empty state before the first training."""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime

import pytest
from django.urls import reverse

from toolcrm.core.roles import Role
from toolcrm.insights.models import ChurnModel

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


def stored(version: int, *, active: bool, auc: float) -> ChurnModel:
    return ChurnModel.objects.create(
        version=version,
        trained_at=NOW,
        cutoff_on=date(2026, 4, 1),
        algorithm="StandardScaler + LogisticRegression",
        features=["recency_days"],
        metrics={
            "evaluation": {
                "customers": 1200,
                "positives": 600,
                "base_rate": 0.5,
                "model": {"roc_auc": auc, "precision_top_decile": 0.81},
                "rule": {"roc_auc": 0.7123, "precision_top_decile": 0.9},
            },
            "coefficients": {"recency_days": 1.25},
        },
        sklearn_version="0",
        model_blob=b"",
        is_active=active,
    )


@pytest.mark.django_db
def test_hq_marketing_sees_every_version(make_user, client_for, django_assert_max_num_queries):
    stored(1, active=False, auc=0.8111)
    stored(2, active=True, auc=0.8222)
    client = client_for(make_user(Role.HQ_MARKETING, username="hq"))

    with django_assert_max_num_queries(6):
        body = client.get(reverse("insights:models")).content.decode()

    assert body.count('data-testid="model-row"') == 2
    assert "0.811" in body and "0.822" in body and "0.712" in body
    # Newest first (searched as table cells: a random CSRF token may contain "v1" or "v2").
    assert body.index("<td>v2</td>") < body.index("<td>v1</td>")
    assert "启用中" in body and "历史版本" in body
    assert "距最近购买天数" in body  # the active version's weights


@pytest.mark.django_db
def test_empty_before_the_first_training(admin_user, client_for):
    body = client_for(admin_user).get(reverse("insights:models")).content.decode()
    assert "manage.py train_churn" in body


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CLERK, Role.STORE_MANAGER, Role.B2B_MANAGER])
def test_roles_without_view_models_get_403(role, make_user, client_for):
    response = client_for(make_user(role, username="u")).get(reverse("insights:models"))
    assert response.status_code == 403


@pytest.mark.django_db
def test_anonymous_goes_to_login(client):  # type: ignore[no-untyped-def]
    response = client.get(reverse("insights:models"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


@pytest.mark.django_db
def test_navigation_link_only_with_view_models(make_user, client_for):
    hq = client_for(make_user(Role.HQ_MARKETING, username="hq"))
    clerk = client_for(make_user(Role.CLERK, username="c"))
    url = reverse("insights:models")
    assert f'href="{url}"' in hq.get(reverse("notifications:list")).content.decode()
    assert f'href="{url}"' not in clerk.get(reverse("notifications:list")).content.decode()
