"""Pinned and latest news for me. The data is cached per audience profile (unit path + roles + language + day),
and a generation counter bumped on every publish/unpublish/delete and view-restriction change invalidates it."""

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from cms.home.audience import viewer_for

GENERATION_KEY = "cms:news:generation"
PANEL_SIZE = 6


def generation() -> int:
    gen = cache.get(GENERATION_KEY)
    if gen is None:
        gen = 1
        cache.add(GENERATION_KEY, gen, None)
    return gen


def bump_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, None)


def panel_items(user) -> list[dict]:
    from cms.home.pages import localize_pages

    from .selectors import news_list

    today = timezone.localdate()
    viewer = viewer_for(user)
    key = f"cms:news:panel:{generation()}:{viewer.key}:{get_language()}:{today.isoformat()}"
    items = cache.get(key)
    if items is None:
        pages = localize_pages(news_list(user, today=today)[:PANEL_SIZE])
        items = [
            {
                "title": p.title,
                "url": p.url,
                "date": p.date,
                "intro": p.intro,
                "pinned": p.is_pinned(today),
                "category": p.category.name if p.category else "",
            }
            for p in pages
        ]
        cache.set(key, items, 600)
    return items


def panel(request):
    items = panel_items(request.user)
    return {"template": "news/dashboard_panel.html", "context": {"items": items}, "order": 10}
