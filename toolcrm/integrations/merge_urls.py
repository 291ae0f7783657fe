"""URLs of identity resolution (review queue, candidates of a customer, dismiss, merge screen,
merge history and undo), mounted at ``/integrations/``."""

from django.urls import path

from toolcrm.integrations import merge_views

app_name = "identity"

urlpatterns = [
    path(
        "merge/<int:survivor_id>/<int:other_id>/",
        merge_views.merge_screen,
        name="merge",
    ),
    path("duplicates/", merge_views.candidate_queue, name="candidate_queue"),
    path(
        "duplicates/customer/<int:customer_id>/",
        merge_views.customer_candidates,
        name="customer_candidates",
    ),
    path(
        "duplicates/<int:customer_id>/<int:other_id>/dismiss/",
        merge_views.dismiss_candidate,
        name="dismiss_candidate",
    ),
    path("merges/", merge_views.merge_history, name="merge_history"),
    path("merges/<int:merge_id>/undo/", merge_views.merge_undo, name="merge_undo"),
]
