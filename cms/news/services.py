from __future__ import annotations

from django.conf import settings
from django.utils import translation

from intranet.core.caching import generation

from . import selectors
from .models import NewsPage, NewsRead
from .selectors import source_page_id


def record_read(*, page: NewsPage, user) -> None:
    """Count `user` once as a reader of `page` (its source page). One INSERT that does nothing when they are counted
    already (the unique reader constraint), so a first read needs no look first and two at once need no retry."""
    NewsRead.objects.bulk_create([NewsRead(page_id=source_page_id(page), user=user)], ignore_conflicts=True)


def keep_rendered_articles(page_id: int) -> int:
    """Render the live article of news item `page_id` once per interface language and keep each copy where its
    readers will look (`selectors.article_copy`); returns how many were kept (0: not live any more).

    Run after a publish (`tasks.render_article_copies`), so that the first readers of a new item, who tend to come
    all at once after the announcement, find it rendered instead of each rendering it."""
    page = NewsPage.objects.live().filter(pk=page_id).first()
    if page is None:
        return 0
    article_generation = generation(selectors.ARTICLE_GENERATION_KEY)
    details = selectors.article_details(page)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            key = selectors.article_key(page, language, article_generation)
            selectors.keep_article(key, page.render_article(details))
    return len(settings.LANGUAGES)
