"""URLs of the order pages, mounted at ``/orders/``."""

from django.urls import path

from toolcrm.sales import views

app_name = "sales"

urlpatterns = [
    path("", views.order_list, name="order_list"),
]
