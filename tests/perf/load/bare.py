"""Baseline (a): a bare Django view returning a fixed short response, no middleware, no apps, no database.
Served by its own gunicorn with the same deploy/gunicorn.conf.py: `gunicorn tests.perf.load.bare:application`."""

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-bare-baseline-no-secrets-here",  # noqa: S106 - signs nothing: no sessions, no cookies
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        DATABASES={},
        USE_I18N=False,
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def bare(request):
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [path("_bench/bare", bare)]
application = get_wsgi_application()
