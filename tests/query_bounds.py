"""Query counts in tests: an upper bound, never an exact number, and for whatever lists rows the same count at a few
rows and at many (an N+1 shows as a count that grows with the data). A refactor that saves a query passes; one that
adds a query per row fails.

    with queries(at_most=5) as q:      # fails, listing the SQL, if the block runs more than 5 queries
        selectors.colleague_profile(user, pk)
    assert not q.reading("org_employee")

    assert_flat(lambda: client.get(url), grow=add_requests, at_most=12)   # at 20 rows and at 2,000

SQL is inspected only for a property a test is about (a lock taken, a table not read, a write not made), through
`Queries`: Django quotes table names the same way on SQLite and PostgreSQL, so the matches hold on both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.test.utils import CaptureQueriesContext

SMALL, LARGE = 20, 2000  # rows for assert_flat unless a test says otherwise (and why)
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


class Queries:
    """The statements a block ran, in order (filled in as it runs, complete when it ends)."""

    def __init__(self, context: CaptureQueriesContext):
        self._context = context
        self._kept: list[str] | None = None

    def _keep(self) -> None:
        # Django keeps the last 9,000 statements and the context only their positions: copied when the block ends, or
        # a later bulk insert would shift what they point at
        self._kept = self.sql

    @property
    def sql(self) -> list[str]:
        if self._kept is not None:
            return self._kept
        return [q["sql"] or "" for q in self._context.captured_queries]

    def __len__(self) -> int:
        return len(self.sql)

    def reading(self, table: str) -> list[str]:
        """SELECTs with `table` in a FROM clause (a statement that only joins it is not counted)."""
        pattern = re.compile(rf'\bFROM\s+"{re.escape(table)}"', re.IGNORECASE)
        return [s for s in self.sql if s.lstrip().upper().startswith(("SELECT", "WITH")) and pattern.search(s)]

    def touching(self, prefix: str) -> list[str]:
        """Statements naming a table whose name starts with `prefix` anywhere (read, joined or written)."""
        return [s for s in self.sql if f'"{prefix}' in s]

    def writing(self, table: str | None = None) -> list[str]:
        """INSERT, UPDATE and DELETE statements (on `table` only, when given)."""
        return [s for s in self.sql if (m := _WRITE.match(s)) and table in (None, m.group(1))]

    def listing(self, first: int = 60) -> str:
        sql = self.sql
        lines = [f"  {i + 1:3}. {s[:240]}" for i, s in enumerate(sql[:first])]
        return "\n".join(lines + ([f"  ... and {len(sql) - first} more"] if len(sql) > first else []))


@contextmanager
def queries(*, at_most: int | None = None, using: str = DEFAULT_DB_ALIAS):
    """The statements the block runs (`Queries`); with `at_most`, fail if they are more than that."""
    with CaptureQueriesContext(connections[using]) as context:
        found = Queries(context)
        yield found
    found._keep()
    if at_most is not None:
        assert len(found) <= at_most, f"{len(found)} queries, at most {at_most} expected:\n{found.listing()}"


def assert_flat(
    run: Callable[[], Any],
    grow: Callable[[int], Any],
    *,
    at_most: int,
    small: int = SMALL,
    large: int = LARGE,
    prepare: Callable[[], Any] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> Any:
    """Count the queries of `run()` with `small` rows and with `large` rows; they must be equal and at most `at_most`.

    `grow(n)` adds n rows: it is called with `small`, then with `large - small`. After each, `run` is called once
    uncounted (per-process memos, and caches a write of the rows retired), then once counted. `prepare()`, when given,
    runs uncounted before every `run()`: whatever each count needs, e.g. retiring a kept copy so that the page is built
    from the rows again, or signing in. Returns what the last `run()` returned, for the test to check that the rows
    were really there."""

    def prepared() -> None:
        if prepare is not None:
            prepare()

    def count() -> tuple[Queries, Any]:
        prepared()
        run()
        prepared()
        with queries(using=using) as q:
            result = run()
        return q, result

    grow(small)
    few, _result = count()
    grow(large - small)
    many, result = count()
    assert len(few) == len(many), (
        f"the queries grow with the data: {len(few)} with {small} rows, {len(many)} with {large}\n"
        f"with {small}:\n{few.listing()}\nwith {large}:\n{many.listing()}"
    )
    assert len(many) <= at_most, f"{len(many)} queries, at most {at_most} expected:\n{many.listing()}"
    return result
