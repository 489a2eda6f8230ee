"""Pinned and latest news for me. The data is cached per audience profile (unit path + roles + language + day),
and a generation counter bumped on every publish/unpublish/delete and view-restriction change invalidates it (with
the other generations of cached news lists, `selectors.list_versions`)."""

from django.utils import timezone
from django.utils.translation import get_language

from cms.base.pages import localize_pages
from intranet.core import caching
from intranet.core.caching import cache_get, cache_set

GENERATION_KEY = "cms:news:generation"
PANEL_SIZE = 6


def generation() -> int:
    return caching.generation(GENERATION_KEY)


def bump_generation() -> None:
    """Retire cached news lists now, and again after the current transaction commits: a request in between may have
    cached the not-yet-committed old state under the new number."""
    caching.bump_generation_now_and_on_commit(GENERATION_KEY)


def panel_items(request) -> list[dict]:
    from .selectors import CACHE_SECONDS, audience_key, list_versions, news_list

    user = request.user
    today = timezone.localdate()
    versions = list_versions()
    key = f"cms:news:panel:{versions}:{audience_key(user)}:{get_language()}:{today.isoformat()}"
    items = cache_get(key)
    if items is None:
        pages = localize_pages(news_list(user, today=today, versions=versions)[:PANEL_SIZE])
        items = [
            {
                "title": p.title,
                "url": p.get_url(request),  # with the request: Wagtail reads the sites' root paths once
                "date": p.date,
                "intro": p.intro,
                "pinned": p.is_pinned(today),
                "category": p.category.name if p.category else "",
            }
            for p in pages
        ]
        cache_set(key, items, CACHE_SECONDS)
    return items


def panel(request):
    items = panel_items(request)
    return {"template": "news/dashboard_panel.html", "context": {"items": items}, "order": 10}
