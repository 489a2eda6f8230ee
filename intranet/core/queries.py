"""Query helpers that keep the number of database round trips fixed."""

from django.db import connections
from django.db.models import BooleanField, Expression, F, QuerySet

# Ends a statement sent outside a transaction so that its own commit does not wait for the WAL flush (PostgreSQL
# only): `set_config(..., true)` lasts until the statement's implicit transaction ends, and the server reads
# `synchronous_commit` as it commits. A crash of the database server may lose the last fraction of a second of such
# writes, whole; checked with `pg_stat_wal.wal_sync` (3 flushes for 300 commits, against 309 without it).
NO_FLUSH_WAIT = "set_config('synchronous_commit', 'off', true)"


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


class OneOf(Expression):
    """`field IN (values)` for a long list of values known in Python, e.g. ids ranked elsewhere.

    `.filter(pk__in=ids)` prepares every value through the field (for a page type's pk, through the link to its
    base page) and writes one placeholder each: 3 ms for 400 ids, and as much again to compile and bind. On
    PostgreSQL this is one array parameter instead (`field = ANY(%s)`); elsewhere a plain IN list. The values must
    already be of the field's type."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, field: str, values):
        super().__init__()
        self.column, self.values = F(field), list(values)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        sql, params = compiler.compile(self.column)
        if not self.values:
            return "1 = 0", params
        if connection.vendor == "postgresql":
            return f"{sql} = ANY(%s)", (*params, self.values)
        return f"{sql} IN ({', '.join(['%s'] * len(self.values))})", (*params, *self.values)


def one_or_none(qs: QuerySet):
    """The row of `qs`, filtered on a unique key, or None. `.first()` orders by the primary key first, and compiling
    an ORDER BY next to a wide `select_related` hashes every selected column: 2.4 ms of a 7 ms document lookup."""
    return next(iter(qs.order_by()[:1]), None)
