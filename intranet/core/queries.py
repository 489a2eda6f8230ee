"""Query helpers that keep the number of database round trips fixed."""

from django.db import connections
from django.db.models import QuerySet


def count_many(*querysets: QuerySet) -> tuple[int, ...]:
    """The row counts of several querysets in one round trip: `SELECT (SELECT COUNT(*) FROM (q1)), …`.
    Each queryset keeps its own filters (and so its own scoping); only the transport is shared."""
    if not querysets:
        return ()
    parts, params = [], []
    for i, qs in enumerate(querysets):
        sql, qs_params = qs.order_by().values("pk").query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{i})")  # noqa: S608 - SQL compiled by the ORM
        params.extend(qs_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return tuple(int(n) for n in cursor.fetchone())
