"""The HTTP API root (django-ninja), mounted at ``/api/`` by ``toolcrm.urls``.

It sets what every endpoint shares: authentication (a bearer token or the UI session, see
``core.api_auth``), the one JSON error format (``core.api_errors``), and the routers of the apps.
The schema is at ``/api/openapi.json``; the Swagger page at ``/api/docs`` is rendered from
django-ninja's bundled copy of swagger-ui (``ninja`` is an installed app, so its templates and
static files are served from our own ``/static/``: no CDN, and the page runs under the site's
Content-Security-Policy). Both need a logged-in staff session or a valid API token.
See ``docs/api.md``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger

from toolcrm.catalog.api import router as products_router
from toolcrm.core.api_auth import api_auth, user_for_token
from toolcrm.core.api_errors import register_error_handlers
from toolcrm.customers.api import router as customers_router
from toolcrm.integrations.api import router as integrations_router
from toolcrm.loyalty.api import router as loyalty_router
from toolcrm.recommendations.api import router as recommendations_router
from toolcrm.rentals.api import router as rentals_router
from toolcrm.sales.api import customer_orders_router
from toolcrm.sales.api import router as orders_router

DESCRIPTION = """\
ToolCRM's API for integrations (POS, e-commerce) and for the staff UI.

* **Authentication**: `Authorization: Bearer <token>` (tokens from
  `manage.py create_api_token USERNAME --name …`), or the logged-in session plus the
  `X-CSRFToken` header for unsafe methods. A token acts as its user: that user's role and
  store scope apply.
* **Scope**: rows outside your scope answer 404, exactly like rows that do not exist; a missing
  permission answers 403.
* **Errors**: `{"detail": …, "code": …}`; input errors list `{"field", "message"}` items with
  the field as a dotted path (`lines.0.sku`): 422 for schema errors, 400 for business rules.
* **Lists**: `?limit=` (default 50, at most 200) and `?offset=`; the answer is
  `{"items": […], "count": N}`.
* **Money** is a decimal string in CNY (`"849.00"`); times are ISO 8601 (Asia/Shanghai).
* **Phones** are always masked (`138****5678`).
"""


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The schema and its docs page are for staff and integrators: a logged-in session or a
    valid bearer token. A browser without either is sent to the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return view(request, *args, **kwargs)
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and user_for_token(token.strip()) is not None:
            return view(request, *args, **kwargs)
        if request.path.endswith(".json"):
            body = {"detail": _("请先登录或提供 API 令牌。"), "code": "unauthorized"}
            response = JsonResponse(body, status=401)
            response["WWW-Authenticate"] = 'Bearer realm="toolcrm"'
            return response
        return redirect_to_login(request.get_full_path())

    return wrapper


api = NinjaAPI(
    title="ToolCRM API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=api_auth(),
    # validatorUrl: swagger-ui would otherwise send the schema to validator.swagger.io.
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": False}),
    docs_decorator=docs_access,
)
register_error_handlers(api)
api.add_router("/customers/", customers_router)
api.add_router("/customers/", customer_orders_router)
api.add_router("/customers/", recommendations_router)
api.add_router("/orders/", orders_router)
api.add_router("/products/", products_router)
api.add_router("/integrations/", integrations_router)
api.add_router("/rentals/", rentals_router)
api.add_router("/loyalty/", loyalty_router)
