"""Bench-only URLconf (selected by tests/perf/load/settings.py, never by production): the project's URLs plus the
authenticated baseline (b), a fixed short response behind the full middleware stack and session store."""

from django.http import HttpResponse
from django.urls import include, path


def auth_baseline(request):
    """Logged-in users only (LoginRequiredMiddleware, as for every Serambi page); the floor cost of any page."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("_bench/auth", auth_baseline, name="bench_auth"),
    path("", include("intranet.urls")),
]
