"""The personal dashboard: panels from every app that offers one (`<app>/dashboard.py` → `panel(request)`).

Two cached copies per reader, each for a minute at most, under keys that carry every version number the content
depends on (`_versions`): the rendered panels (`panels_html`) and the whole rendered page (`cached_page`). A copy is
retired at once when the reader writes anything or is notified of anything (their user generation: a leave decision,
a shared document, a published payslip all notify, and marking notifications read is a write); when news, policies
or any page is published, unpublished or deleted, or a view restriction changes (content generations); when who is
where changes — units, employees, scopes, roles, a directory sync (organisation generation); and with the day or the
language. The page copy also follows the alert banner and the reader's CSRF cookie (its forms carry a
token for that cookie), and is never used while a message waits to be shown. What changes without any of these (a
yearly allocation run, a delegation starting) shows within the minute."""

from __future__ import annotations

import importlib
import logging

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from intranet.core.caching import cache_get, cache_set, digest, generations, user_generation_key

log = logging.getLogger(__name__)

PANEL_APPS = ["cms.news", "cms.training", "cms.policies", "hr.leave", "hr.payslips", "hr.documents"]


def _modules():
    for name in PANEL_APPS:
        try:
            yield importlib.import_module(f"{name}.dashboard")
        except ModuleNotFoundError as exc:
            if exc.name not in (f"{name}.dashboard", name):
                raise


def collect_panels(request) -> list[dict]:
    panels = []
    for module in _modules():
        fn = getattr(module, "panel", None)
        if fn is None:
            continue
        result = fn(request)
        if result:
            panels.append(result)
    panels.sort(key=lambda p: p.get("order", 100))
    return panels


PAGES_GENERATION_KEY = "cms:pages:generation"  # bumped on any page publish, unpublish or delete (`signals`)
CACHE_SECONDS = 60


def _versions(request) -> str:
    """Reader, language, day and every version number the dashboard depends on (one cache round trip a request)."""
    cached = getattr(request, "_serambi_dashboard_versions", None)
    if cached is None:
        from cms.news.dashboard import GENERATION_KEY as NEWS
        from cms.policies.dashboard import GENERATION_KEY as POLICIES
        from hr.org.signals import ORG_GENERATION_KEY

        from .privacy import PRIVACY_GENERATION_KEY

        user = request.user
        # the organisation generation: an account linked to another employee never sees the previous person's panels
        keys = (
            user_generation_key(user.pk), NEWS, POLICIES, PRIVACY_GENERATION_KEY, PAGES_GENERATION_KEY, ORG_GENERATION_KEY
        )
        gens = ".".join(str(g) for g in generations(*keys))
        cached = f"{user.pk}:{get_language()}:{timezone.localdate().isoformat()}:{gens}"
        request._serambi_dashboard_versions = cached
    return cached


def _page_key(request) -> str | None:
    """None when the page must be rendered afresh: no CSRF cookie yet (the forms' token would set one), or a message
    waiting to be shown (a cached page would not show it, nor mark it shown)."""
    from .context_processors import site_alert

    csrf_secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    storage = getattr(request, "_messages", None)
    if not csrf_secret or (storage is not None and len(storage)):  # len() loads, does not mark them shown
        return None
    alert = digest(repr(sorted(site_alert(request).get("site_alert", {}).items())))
    # the cookie only by digest: keys can show up in monitoring, the secret must not
    path = digest(request.get_full_path())
    return f"cms:dashboard:page:{_versions(request)}:{digest(csrf_secret)}:{alert}:{path}"


def cached_page(request) -> tuple[str | None, bytes | None]:
    """(key, the reader's rendered dashboard or None). The key is None when the page may not be cached."""
    key = _page_key(request)
    return key, (cache_get(key) if key else None)


def keep_page(key: str, content: bytes) -> None:
    cache_set(key, content, CACHE_SECONDS)


def panels_html(request, render) -> str:
    """The reader's rendered panels: from the cache, else collected and rendered with `render(panel)`."""
    key = f"cms:dashboard:panels:{_versions(request)}"
    html = cache_get(key)
    if html is None:
        html = "".join(render(panel) for panel in collect_panels(request))
        cache_set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own templates' output, escaped when it was rendered
