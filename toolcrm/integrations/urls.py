"""URLs of the import pages."""

from django.urls import path

from toolcrm.integrations import export_views, views

app_name = "integrations"

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("new/", views.upload, name="upload"),
    path("<int:job_id>/mapping/", views.mapping, name="mapping"),
    path("<int:job_id>/preview/", views.preview, name="preview"),
    path("<int:job_id>/start/", views.start, name="start"),
    path("<int:job_id>/", views.job_detail, name="job_detail"),
    path("<int:job_id>/errors.csv", views.error_report, name="error_report"),
    path("export/customers/", export_views.customer_export, name="customer_export"),
    path("export/orders/", export_views.order_export, name="order_export"),
]
