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
    path("imports/", include("toolcrm.integrations.urls")),
    path("integrations/", include("toolcrm.integrations.merge_urls")),
    path("api/", api.urls),
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
