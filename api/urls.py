"""/api/v1/… : the versioned API (every data route through the token gate), its OpenAPI document and docs page;
/api/ekspor/cuti/ : the leave export for HR officers (a normal logged-in view)."""

from django.urls import URLPattern, include, path, re_path

from . import views
from .api import api
from .auth import gate


def _v1_patterns() -> list:
    patterns, _app_name, _namespace = api.urls
    # The OpenAPI document and the docs page describe the API and hold no data: public, like a published standard.
    result = [path("docs", views.docs, name="docs"), path("openapi.json", views.openapi_json, name="openapi-json")]
    for p in patterns:
        if not isinstance(p, URLPattern) or p.name in ("openapi-json", "api-root"):
            continue
        route = str(p.pattern)
        result.append(path(route, gate(p.callback, endpoint=route.split("/", 1)[0], api=api), name=p.name))
    # Anything else under /api/v1/ is a JSON 404 (not the site's login redirect or HTML page).
    result.append(re_path(r"^(?P<rest>.*)$", views.api_not_found, name="not_found"))
    return result


app_name = "api"
urlpatterns = [
    path("v1/", include((_v1_patterns(), "v1"))),
    path("ekspor/cuti/", views.leave_export, name="leave_export"),
]
