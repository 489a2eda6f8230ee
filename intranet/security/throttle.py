"""Fixed-window counters in the shared cache: the one implementation behind the login and API rate limits.

A counter lives for one window (`seconds`) and then starts again at zero. The cache being down never fails a request:
reads answer 0 and increments are dropped (a warning is logged by the cache), so rate limits are then not enforced,
while the login lockout, which is kept in the database, still is.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.cache import cache

PREFIX = "serambi:throttle"


@dataclass(frozen=True)
class Window:
    name: str  # e.g. "login:address"
    limit: int  # at most this many hits per window; 0 turns the limit off
    seconds: int

    def _bucket(self, now: float) -> int:
        return int(now // self.seconds)

    def key(self, subject: str, now: float | None = None) -> str:
        return f"{PREFIX}:{self.name}:{subject}:{self._bucket(time.time() if now is None else now)}"

    def retry_after(self, now: float | None = None) -> int:
        """Seconds until the current window ends (at least 1)."""
        now = time.time() if now is None else now
        return max(int((self._bucket(now) + 1) * self.seconds - now) + 1, 1)

    def count(self, subject: str) -> int:
        try:
            return int(cache.get(self.key(subject)) or 0)
        except (TypeError, ValueError):
            return 0

    def exceeded(self, subject: str) -> bool:
        return bool(self.limit) and self.count(subject) >= self.limit

    def hit(self, subject: str) -> int:
        """Count one hit; returns the count so far in this window (0 when the cache is unavailable)."""
        key = self.key(subject)
        cache.add(key, 0, timeout=self.seconds + 5)
        try:
            return cache.incr(key)
        except ValueError:  # evicted between add and incr, or the cache is down
            return 0

    def first(self, subject: str, what: str) -> bool:
        """True once per window for `what` about `subject`: bounds how often an event is written to the audit trail.
        False when the cache is down: an outage must not open the way to flooding the trail."""
        return bool(cache.add(f"{self.key(subject)}:{what}", 1, timeout=self.seconds + 5))

    def clear(self, subject: str, markers: tuple[str, ...] = ("refused", "audited")) -> None:
        key = self.key(subject)
        cache.delete_many([key, *(f"{key}:{what}" for what in markers)])
