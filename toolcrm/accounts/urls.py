"""URLs of the staff account pages: login/logout, the second factor and the audit log."""

from django.urls import path

from toolcrm.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.StaffLoginView.as_view(), name="login"),
    path("logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("2fa/", views.otp_verify, name="otp_verify"),
    path("2fa/setup/", views.otp_setup, name="otp_setup"),
    path("audit-log/", views.audit_log, name="audit_log"),
]
