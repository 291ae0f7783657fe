"""URLs of tool rental and trial loans, mounted at ``/rentals/``."""

from django.urls import path

from toolcrm.rentals import views

app_name = "rentals"

urlpatterns = [
    path("", views.fleet, name="fleet"),
    path("lend/", views.lend, name="lend"),
    path("lend/customers/", views.customer_picker, name="customer_picker"),
    path("loans/", views.loans, name="loans"),
    path("overdue/", views.overdue, name="overdue"),
    path("units/add/", views.unit_add, name="unit_add"),
    path("units/<int:unit_id>/status/", views.unit_status, name="unit_status"),
    path("<int:agreement_id>/", views.agreement_detail, name="agreement"),
    path("<int:agreement_id>/return/", views.agreement_return, name="return"),
    path("<int:agreement_id>/extend/", views.agreement_extend, name="extend"),
    path("<int:agreement_id>/convert/", views.agreement_convert, name="convert"),
    path("<int:agreement_id>/cancel/", views.agreement_cancel, name="cancel"),
    path("<int:agreement_id>/settle/", views.agreement_settle, name="settle"),
]
