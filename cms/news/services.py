from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import NewsPage, NewsRead
from .selectors import source_page_id


def record_read(*, page: NewsPage, user) -> bool:
    """Count `user` once as a reader of `page` (its source page). Returns True on the first read."""
    pk = source_page_id(page)
    if NewsRead.objects.filter(page_id=pk, user=user).exists():
        return False
    try:
        with transaction.atomic():
            NewsRead.objects.create(page_id=pk, user=user)
    except IntegrityError:  # a concurrent first read won the race
        return False
    return True
