"""URLs of the notification pages (included at /notifications/)."""

from django.urls import path

from toolcrm.core import notification_views as views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_list, name="list"),
    path("bell", views.bell, name="bell"),
    path("<int:pk>/open", views.open_notification, name="open"),
    path("read-all", views.mark_all_read, name="read_all"),
]
