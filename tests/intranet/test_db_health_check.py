"""The PostgreSQL engine (intranet/core/postgresql/base.py) skips Django's per-request `SELECT 1` for a connection
that answered a request moments ago and has had nothing arrive since; it still checks, and replaces, one that has been
idle or that the server has ended. Real connections to the test database; a connection is ended for real by ending
its server process."""

import pytest
from django.db import connection, connections

from intranet.core.postgresql import base as engine
from tests.concurrency import end_server_process, postgres_only

pytestmark = [postgres_only, pytest.mark.django_db]


@pytest.fixture
def conn():
    """A connection of its own, set up as the site's (persistent, health checks on), outside the test's transaction."""
    wrapper = connections.create_connection("default")
    assert isinstance(wrapper, engine.DatabaseWrapper)
    assert wrapper.settings_dict["CONN_HEALTH_CHECKS"] and wrapper.settings_dict["CONN_MAX_AGE"]
    yield wrapper
    wrapper.close()


def _request(wrapper) -> int:
    """One request as Django drives a connection: its start, a query (the server process's id), its end."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    wrapper.close_if_unusable_or_obsolete()
    return pid


def _end_server_process(pid: int) -> None:
    with connection.cursor() as cursor:
        end_server_process(cursor, pid)


@pytest.fixture
def checks(monkeypatch):
    """The health checks run (each one still the real `SELECT 1`)."""
    run = []
    real = engine.DatabaseWrapper.is_usable

    def counted(self):
        run.append(self)
        return real(self)

    monkeypatch.setattr(engine.DatabaseWrapper, "is_usable", counted)
    return run


def test_a_connection_that_just_answered_is_reused_unchecked(conn, checks):
    first = _request(conn)
    assert [_request(conn) for _ in range(3)] == [first] * 3  # the same server process: the connection was kept
    assert checks == []


def test_an_idle_connection_is_checked_and_a_dead_one_replaced_without_failing_the_request(conn, checks):
    first = _request(conn)
    conn.answered_at -= engine.RECENT_SECONDS  # idle past the window
    assert _request(conn) == first and len(checks) == 1  # checked, alive, kept
    _end_server_process(first)
    conn.answered_at -= engine.RECENT_SECONDS
    second = _request(conn)  # no error: the check found it dead and a new connection served the query
    assert second != first and len(checks) == 2


def test_a_connection_the_server_ended_moments_after_it_answered_is_checked_and_replaced(conn, checks):
    first = _request(conn)
    _end_server_process(first)  # within the window: only the socket tells
    second = _request(conn)  # no error
    assert second != first and len(checks) == 1
