"""The personal dashboard: the panels the apps register (`intranet.core.panels`, from their AppConfig.ready).

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

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from cms.base.privacy import PRIVACY_GENERATION_KEY
from cms.base.routing import PAGES_GENERATION_KEY
from intranet.core.caching import cache_get, cache_set, digest, generations, user_generation_key
from intranet.core.panels import panel_generations, registered_panels

from .context_processors import site_alert

log = logging.getLogger(__name__)

CACHE_SECONDS = 60


def collect_panels(request) -> list[dict]:
    panels = [result for panel in registered_panels() if (result := panel(request))]
    panels.sort(key=lambda p: p.get("order", 100))
    return panels


def _versions(request) -> str:
    """Reader, language, day and every version number the dashboard depends on (one cache round trip a request)."""
    cached = getattr(request, "_serambi_dashboard_versions", None)
    if cached is None:
        user = request.user
        # the panels' own generations include the organisation's (the HR panels register it): an account linked to
        # another employee never sees the previous person's panels
        keys = (user_generation_key(user.pk), PRIVACY_GENERATION_KEY, PAGES_GENERATION_KEY, *panel_generations())
        gens = ".".join(str(g) for g in generations(*keys))
        cached = f"{user.pk}:{get_language()}:{timezone.localdate().isoformat()}:{gens}"
        request._serambi_dashboard_versions = cached
    return cached


def _page_key(request) -> str | None:
    """None when the page must be rendered afresh: no CSRF cookie yet (the forms' token would set one), or a message
    waiting to be shown (a cached page would not show it, nor mark it shown)."""
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
