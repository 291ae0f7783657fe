"""Insights pages: the churn model versions with their out-of-time evaluation (VIEW_MODELS)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from toolcrm.core.roles import Capability, require_capability
from toolcrm.insights import churn, selectors


@login_required
@require_GET
def model_list(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW_MODELS)
    models = list(selectors.churn_models())
    active = next((model for model in models if model.is_active), None)
    weights = active.metrics.get("coefficients", {}) if active else {}
    coefficients = [
        (churn.FEATURE_LABELS.get(name, name), value)
        for name, value in sorted(weights.items(), key=lambda item: -abs(item[1]))
    ]
    return render(
        request,
        "insights/models.html",
        {
            "models": models,
            "active": active,
            "coefficients": coefficients,
        },
    )
