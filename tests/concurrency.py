"""Helpers for real row-lock concurrency tests on PostgreSQL: threads, each with its own database connection."""

import threading
import time

import pytest
from django.db import connection, connections
from django.utils import translation

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite has no row locks (set DATABASE_URL=postgres://...)"
)


def run_in_threads(n: int, target, expected_error: type[Exception]):
    """Start `n` threads at the same instant (a barrier) calling `target(i)`. Returns (results, error messages):
    `expected_error` (a domain error) contributes its message; anything else is reported as unexpected."""
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait(timeout=30)
            with translation.override("en"):
                results.append(target(i))
        except expected_error as exc:
            errors.append(getattr(exc, "message", str(exc)))
        except Exception as exc:  # noqa: BLE001 - surfaced in the caller's assertion
            errors.append(f"unexpected {type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results, errors


def end_server_process(cursor, pid: int) -> None:
    """End PostgreSQL server process `pid` through `cursor` (another session), as a DBA or a failover would, and return
    once it is gone: `pg_terminate_backend` only signals it, and it ends a moment later."""
    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert cursor.fetchone()[0] is True
    for _ in range(200):
        # inside a transaction the statistics views answer from a snapshot taken at first use: drop it each time
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        if cursor.fetchone()[0] == 0:
            return
        time.sleep(0.01)
    raise AssertionError(f"server process {pid} did not end")
