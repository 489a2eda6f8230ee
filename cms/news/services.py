from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation

from intranet.core.caching import generation
from intranet.core.queries import NO_FLUSH_WAIT

from . import selectors
from .models import NewsPage, NewsRead
from .selectors import source_page_id


def record_read(*, page: NewsPage, user) -> None:
    """Count `user` once as a reader of `page` (its source page). One INSERT that does nothing when they are counted
    already (the unique reader constraint), so a first read needs no look first and two at once need no retry.

    On PostgreSQL, outside a transaction, it is one statement whose commit does not wait for the WAL flush
    (`NO_FLUSH_WAIT`): a read mark only feeds the reach figures."""
    pk = source_page_id(page)
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        NewsRead.objects.bulk_create([NewsRead(page_id=pk, user=user)], ignore_conflicts=True)
        return
    table, quote = NewsRead._meta.db_table, connection.ops.quote_name
    columns = ", ".join(quote(NewsRead._meta.get_field(name).column) for name in ("page", "user", "first_read_at"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH added AS (INSERT INTO {quote(table)} ({columns}) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING) "  # noqa: S608 - names from the model
            f"SELECT {NO_FLUSH_WAIT}",
            [pk, user.pk, timezone.now()],
        )


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
