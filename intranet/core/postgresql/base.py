"""Django's PostgreSQL backend, with the connection health check (CONN_HEALTH_CHECKS) skipped when it cannot find
anything: the connection answered a request in the last few seconds and nothing has arrived on it since.

Django checks a reused connection with `SELECT 1` before the first query of every request: one more round trip on
every page, about 0.1 ms on loopback (2–3% of the floor of a signed-in page), a network round trip when the database
has a host of its own. A server that ends a session (`pg_terminate_backend`, a
restart or failover, `idle_session_timeout`) tells the client so and closes the socket, which then has something to
read: such a connection is still checked, found dead and replaced, and the request goes on without an error. So is any
connection idle for longer than RECENT_SECONDS, which a firewall may have dropped without a word. What is left: a
connection dropped silently within seconds of its last answer fails the one request that uses it, as without health
checks; Django then closes it (`errors_occurred`) and the next request opens a new one.
"""

import select
import time

from django.db.backends.postgresql import base

RECENT_SECONDS = 5.0


def _nothing_to_read(fd: int) -> bool:
    """No byte is waiting on the socket (a poll with no timeout: no round trip)."""
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(fd, select.POLLIN | select.POLLPRI)
            return not poller.poll(0)
        return not select.select([fd], [], [], 0)[0]
    except (OSError, ValueError):
        return False


class DatabaseWrapper(base.DatabaseWrapper):
    answered_at = float("-inf")  # time.monotonic() at the end of the last request that used this connection cleanly

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and not self.health_check_done
            and time.monotonic() - self.answered_at < RECENT_SECONDS
            and _nothing_to_read(self.connection.fileno())
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self):
        # Called as each request starts and ends. `health_check_done` is set once a request first uses the connection
        # (checked or not), and Django resets it here: a request that used it without a database error "answered".
        answered = self.connection is not None and self.health_check_done and not self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if answered and self.connection is not None:
            self.answered_at = time.monotonic()
