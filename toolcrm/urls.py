"""The site's URL map: each app's pages, the API, health check and language switch."""

from django.contrib import admin
from django.urls import include, path

from toolcrm.api import api
from toolcrm.core.health import healthz

urlpatterns = [
    path("", include("toolcrm.workspace.urls")),
    path("accounts/", include("toolcrm.accounts.urls")),
    path("customers/", include("toolcrm.customers.urls")),
    path("catalog/", include("toolcrm.catalog.urls")),
    path("orders/", include("toolcrm.sales.urls")),
    path("imports/", include("toolcrm.integrations.urls")),
    path("rentals/", include("toolcrm.rentals.urls")),
    path("integrations/", include("toolcrm.integrations.merge_urls")),
    path("recommendations/", include("toolcrm.recommendations.urls")),
    path("notifications/", include("toolcrm.core.notification_urls")),
    path("insights/", include("toolcrm.insights.urls")),
    path("loyalty/", include("toolcrm.loyalty.urls")),
    path("tags/", include("toolcrm.tags.urls")),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
