"""Every URL pattern of the project (Django and Wagtail), walked from the root resolver, and the decisions that do not
need the access table: the public allow-list, the routes the admins' login pages shadow, and the token routes.

Shared by tests/intranet/test_login_required.py (anonymous users) and test_access_table.py (every role)."""

import re

from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

# Wagtail's own login forms and Django admin's login use the same Django authentication backends as ours.
# The admins' own login URLs only redirect to ours; the originals behind them are shadowed.
# The verification page of issued documents is for their recipients (a bank, another agency): no login by design,
# rate-limited and audited (tests/hr/leave/test_issued_documents.py).
PUBLIC = {
    "accounts:login", "healthz", "set_language", "django_admin_login", "wagtail_admin_login", "wagtail_frontend_login",
    "issued:verify",
}
SHADOWED = {"wagtailcore_login", "wagtailadmin_login", "admin:login", "wagtailadmin_logout"}

# Machine clients authenticate with a token, not a session: the agency API (bearer token) and the private iCal feed
# (an unguessable, revocable token in the URL). Anonymous requests there get 401/404, never data.
TOKEN_PREFIXES = ("api/v1/",)
TOKEN_NAMES = {"leave:feed"}
# The API's own documentation describes the interface, holds no data, and is public for integrators.
PUBLIC_DOCS = {"api:v1:docs", "api:v1:openapi-json", "api:v1:openapi"}

# The two staff admins are governed by their own permission systems (Django's is_staff + model permissions,
# Wagtail's access_admin + page/collection permissions). Their hundreds of routes are covered by one prefix rule:
# see test_access_table.py::test_admin_prefix_rule.
ADMIN_PREFIXES = (settings.DJANGO_ADMIN_PATH, settings.WAGTAIL_ADMIN_PATH)
# Under those prefixes, the only routes a signed-in account without admin access may fetch: translation catalogs and
# the icon sprite (static assets, no data) and the admin's logout (it only ends the caller's own session).
ADMIN_ASSETS = {
    "wagtailadmin_javascript_catalog",
    "wagtailadmin_sprite",
    "admin:jsi18n",
    "admin:javascript-catalog",
    "admin:logout",
    "wagtail_admin_logout",
}


def _walk(patterns, prefix="", namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), f"{namespace}{p.name}" if p.name else None


def all_routes() -> list[tuple[str, str | None]]:
    """(route, name) for every URL pattern, sorted by route."""
    return sorted({(route, name) for route, name in _walk(get_resolver().url_patterns)}, key=lambda r: r[0])


def sample_path(pattern: str) -> str:
    """Turn a route (or a regex, or a mix) into a concrete path with plausible values for its parameters."""
    path = pattern.replace("^", "").replace("$", "").replace("\\Z", "")
    path = path.replace(".*", "x")
    path = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000001", path)
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<(?:str|slug|path):?\w*>|<\w+>", "x", path)
    path = re.sub(r"\(\?P<\w+>(?:[^()]|\([^()]*\))*\)", "1", path)  # named regex groups
    path = re.sub(r"\((?:[^()]|\([^()]*\))*\)[*?]", "", path)  # optional groups
    path = re.sub(r"[()?*+\\]", "", path)
    return "/" + path


def is_token_route(route: str, name: str | None) -> bool:
    return name in TOKEN_NAMES or route.startswith(TOKEN_PREFIXES)


def is_admin_route(route: str) -> bool:
    return route.startswith(ADMIN_PREFIXES)
