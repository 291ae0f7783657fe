"""URLs of the loyalty pages, mounted at ``/loyalty/``."""

from django.urls import path

from toolcrm.loyalty import views

app_name = "loyalty"

urlpatterns = [
    path("redeem/", views.counter, name="counter"),
    path("settings/", views.programme_settings, name="settings"),
    path("settings/tiers/<str:tier>/", views.benefit_edit, name="benefit_edit"),
    path("settings/templates/new/", views.template_edit, name="template_create"),
    path("settings/templates/<int:template_id>/", views.template_edit, name="template_edit"),
    path("customers/<int:customer_id>/", views.ledger_page, name="ledger"),
    path("customers/<int:customer_id>/panel/", views.panel, name="panel"),
    path("customers/<int:customer_id>/coupons/", views.issue_coupon, name="issue_coupon"),
    path(
        "customers/<int:customer_id>/coupons/redeem/",
        views.redeem_coupon_in_panel,
        name="redeem_coupon",
    ),
    path("customers/<int:customer_id>/points/redeem/", views.redeem_points, name="redeem_points"),
    path("customers/<int:customer_id>/points/adjust/", views.adjust_points, name="adjust_points"),
    path("customers/<int:customer_id>/account/", views.open_member_account, name="open_account"),
    path("customers/<int:customer_id>/referrer/", views.set_referrer, name="set_referrer"),
    path("customers/<int:customer_id>/pool/", views.set_pool, name="set_pool"),
]
