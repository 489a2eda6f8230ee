"""Django's PostgreSQL backend, with the connection health check (CONN_HEALTH_CHECKS) skipped for a connection that
answered a request in the last few seconds.

Django checks a reused connection with `SELECT 1` before the first query of every request: one more round trip on
every page, 7% of a news page's time under load (docs/performance.md, seventh pass). A connection that served the
previous request moments ago is alive but for a rare mishap; one that has been idle longer (across a database restart,
a firewall dropping quiet sessions) is still checked before it is used, and replaced without failing the request.
The mishap left: a connection broken within RECENT_SECONDS of its last answer fails the one request that uses it, as
it would without health checks; Django then closes it (`errors_occurred`) and the next request opens a new one.
"""

import time

from django.db.backends.postgresql import base

RECENT_SECONDS = 5.0


class DatabaseWrapper(base.DatabaseWrapper):
    answered_at = float("-inf")  # time.monotonic() at the end of the last request that used this connection cleanly

    def close_if_health_check_failed(self):
        if (
            self.connection is not None
            and not self.health_check_done
            and time.monotonic() - self.answered_at < RECENT_SECONDS
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
