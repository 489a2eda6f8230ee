from __future__ import annotations

from .models import NewsPage, NewsRead
from .selectors import source_page_id


def record_read(*, page: NewsPage, user) -> None:
    """Count `user` once as a reader of `page` (its source page). One INSERT that does nothing when they are counted
    already (the unique reader constraint), so a first read needs no look first and two at once need no retry."""
    NewsRead.objects.bulk_create([NewsRead(page_id=source_page_id(page), user=user)], ignore_conflicts=True)
