"""The personal dashboard: panels from every app that offers one (`<app>/dashboard.py` → `panel(request)`).

The rendered panels are kept in the shared cache per reader for a minute (`panels_html`). The key carries every
version number their content depends on, so the copy is retired at once when: the reader writes anything or is
notified of anything (their user generation: a leave decision, a shared document, a published payslip all notify);
news, policies or any page is published, unpublished or deleted, or a view restriction changes (content
generations); their unit or roles change (audience key); the day or the language changes. What changes without any of
these (a yearly allocation run, a delegation starting) shows within the minute."""

from __future__ import annotations

import importlib
import logging

from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from intranet.core.caching import cache_get, cache_set, generations, user_generation_key

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
PANELS_CACHE_SECONDS = 60


def _panels_key(user) -> str:
    from cms.news.dashboard import GENERATION_KEY as NEWS
    from cms.policies.dashboard import GENERATION_KEY as POLICIES

    from .privacy import PRIVACY_GENERATION_KEY

    gens = generations(user_generation_key(user.pk), NEWS, POLICIES, PRIVACY_GENERATION_KEY, PAGES_GENERATION_KEY)
    versions = ".".join(str(g) for g in gens)
    day = timezone.localdate().isoformat()
    return f"cms:dashboard:{user.pk}:{get_language()}:{day}:{versions}"


def panels_html(request, render) -> str:
    """The reader's rendered panels: from the cache, else collected and rendered with `render(panel)`."""
    key = _panels_key(request.user)
    html = cache_get(key)
    if html is None:
        html = "".join(render(panel) for panel in collect_panels(request))
        cache_set(key, html, PANELS_CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own templates' output, escaped when it was rendered
