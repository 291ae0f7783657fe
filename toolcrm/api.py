"""The HTTP API root (django-ninja), mounted at ``/api/`` by ``toolcrm.urls``."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="ToolCRM API", version="1", urls_namespace="api")
