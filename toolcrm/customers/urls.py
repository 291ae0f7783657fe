"""URLs of the customer pages (the 360 page itself is ``workspace:customer_360``)."""

from django.urls import path

from toolcrm.customers import views

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("<int:customer_id>/edit/", views.customer_edit, name="edit"),
    path("<int:customer_id>/interactions/", views.interaction_create, name="interaction_create"),
    path("<int:customer_id>/consents/", views.consent_create, name="consent_create"),
    path("<int:customer_id>/reveal/", views.reveal, name="reveal"),
]
