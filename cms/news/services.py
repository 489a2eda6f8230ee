from __future__ import annotations

from django.db import connection
from django.utils import timezone

from intranet.core.queries import NO_FLUSH_WAIT

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
