"""/api/v1/… : the versioned API (every data route through the token gate), its OpenAPI document and docs page;
/api/ekspor/cuti/ : the leave export for HR officers (a normal logged-in view)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, include, path

from . import views
from .api import api
from .auth import gate


def _v1_patterns() -> list:
    patterns, _app_name, _namespace = api.urls
    result = [path("docs", views.docs, name="docs")]
    for p in patterns:
        if not isinstance(p, URLPattern):
            continue
        route = str(p.pattern)
        if p.name == "openapi-json":
            view = login_not_required(p.callback)  # the schema describes the API; it holds no data
        else:
            view = gate(p.callback, endpoint=route.split("/", 1)[0])
        result.append(path(route, view, name=p.name))
    return result


app_name = "api"
urlpatterns = [
    path("v1/", include((_v1_patterns(), "v1"))),
    path("ekspor/cuti/", views.leave_export, name="leave_export"),
]
