"""URLs of the recommendations pages: the mined rules, and one customer's printable list and
send action (the list itself is a panel on the 360 page)."""

from django.urls import path

from toolcrm.recommendations import views

app_name = "recommendations"

urlpatterns = [
    path("rules/", views.rule_list, name="rules"),
    path("customers/<int:customer_id>/print/", views.print_list, name="print"),
    path("customers/<int:customer_id>/send/", views.send_list, name="send"),
]
