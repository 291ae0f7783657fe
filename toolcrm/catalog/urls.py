"""URLs of the catalog pages."""

from django.urls import path

from toolcrm.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list, name="list"),
]
