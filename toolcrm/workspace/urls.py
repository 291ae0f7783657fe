"""URLs of the workspace: home and the customer 360° page."""

from django.urls import path

from toolcrm.workspace import views

app_name = "workspace"

urlpatterns = [
    path("", views.home, name="home"),
    path("customers/<int:customer_id>/", views.customer_360, name="customer_360"),
    path("customers/<int:customer_id>/tools/", views.customer_tools, name="customer_tools"),
]
