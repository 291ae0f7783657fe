"""URLs of the order pages, mounted at ``/orders/``: the list, one order, its 退货 form."""

from django.urls import path

from toolcrm.sales import views

app_name = "sales"

urlpatterns = [
    path("", views.order_list, name="order_list"),
    path("<int:order_id>/", views.order_detail, name="order_detail"),
    path("<int:order_id>/return/", views.order_return, name="order_return"),
    path("<int:order_id>/return/quote/", views.return_quote, name="return_quote"),
]
