"""URLs of the insights pages (included at /insights/)."""

from django.urls import path

from toolcrm.insights import views

app_name = "insights"

urlpatterns = [
    path("models/", views.model_list, name="models"),
]
