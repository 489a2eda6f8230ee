"""A Redis cache that tolerates Redis being down.

The cache only saves work (Wagtail's site lookup, rendered fragments); nothing in it is the only copy of anything.
Django's RedisCache raises on a connection error, which would turn a Redis outage into a site outage. This backend
logs the error, answers a miss (reads) or drops the write, and stops trying for RETRY_AFTER seconds (a circuit
breaker shared by the process's threads, `Breaker`) so a dead or unreachable server costs one short timeout per
process per interval, not one per request. /healthz still reports the cache unavailable.
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)
_MISSED = object()


class Breaker:
    """Shared by every thread (and every cache object) of a process for one Redis location: after a connection error
    Redis is skipped for `retry_after` seconds, then one caller probes while the others keep skipping. So an outage
    costs one short timeout per process per interval, not one per request or per thread.

    Deletions skipped while open (a logout's session copy) are replayed first when the probe succeeds, so a copy
    cannot bring an ended session back once Redis answers again."""

    PENDING_MAX = 10_000

    def __init__(self, retry_after: float):
        self.retry_after = retry_after
        self.open_until = 0.0
        self.tripped = False
        self.pending_deletes: set[str] = set()
        self._lock = threading.Lock()

    def allow(self) -> bool:
        if not self.tripped:
            return True
        with self._lock:
            now = time.monotonic()
            if now < self.open_until:
                return False
            self.open_until = now + self.retry_after  # this caller probes; the others skip meanwhile
            return True

    def is_open(self) -> bool:
        """Whether Redis is being skipped now (after the interval, the next caller may probe: not open)."""
        return self.tripped and time.monotonic() < self.open_until

    def trip(self, exc: Exception) -> None:
        with self._lock:
            first = not self.tripped
            self.tripped, self.open_until = True, time.monotonic() + self.retry_after
        if first:
            logger.warning("cache unavailable (%s: %s); serving without it", type(exc).__name__, exc)

    def remember_delete(self, keys) -> None:
        with self._lock:
            if len(self.pending_deletes) < self.PENDING_MAX:
                self.pending_deletes.update(keys)

    def close(self, client) -> None:
        """The probe reached Redis: replay the deletions it missed, then let everyone through."""
        with self._lock:
            pending, self.pending_deletes = self.pending_deletes, set()
        if pending:
            try:
                client.delete(*pending)
            except RedisError:
                self.remember_delete(pending)
                raise
        with self._lock:
            self.tripped = False
        logger.warning("cache available again (%d missed deletion(s) replayed)", len(pending))


_breakers: dict[tuple[str, float], Breaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str, retry_after: float) -> Breaker:
    with _breakers_lock:
        breaker = _breakers.get((location, retry_after))
        if breaker is None:
            breaker = _breakers[(location, retry_after)] = Breaker(retry_after)
        return breaker


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        retry_after = float(options.pop("RETRY_AFTER", 5.0))
        # Fail fast: a cache that takes seconds to answer is worse than no cache. And no retries inside redis-py
        # (its default retries with back-off multiply the timeout): the breaker decides when to try again.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.25)
        options.setdefault("retry", Retry(NoBackoff(), 0))
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = breaker_for(str(server), retry_after)

    @property
    def retry_after(self) -> float:
        return self.breaker.retry_after

    def _guarded(self, operation, default):
        breaker = self.breaker
        if not breaker.allow():
            return default
        try:
            if breaker.tripped:
                breaker.close(self._cache.get_client(write=True))
            return operation()
        except RedisError as exc:
            breaker.trip(exc)
            return default

    def _call(self, method, default, *args, **kwargs):
        return self._guarded(lambda: getattr(super(TolerantRedisCache, self), method)(*args, **kwargs), default)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", False, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        result = self._call("delete", None, key, version)
        if result is None:  # not reached: deleted when Redis answers again
            self.breaker.remember_delete([self.make_and_validate_key(key, version=version)])
            return False
        return result

    def delete_many(self, keys, version=None):
        keys = list(keys)
        if self._call("delete_many", _MISSED, keys, version) is _MISSED:
            self.breaker.remember_delete([self.make_and_validate_key(k, version=version) for k in keys])

    def incr(self, key, delta=1, version=None):
        # A miss must not look like a value: incr on an unreachable cache raises ValueError, as on a missing key. The
        # key (a generation, a counter) is deleted when Redis answers again: a bump it missed is never lost.
        result = self._call("incr", None, key, delta, version)
        if result is None:
            self.breaker.remember_delete([self.make_and_validate_key(key, version=version)])
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return result

    def clear(self):
        return self._call("clear", False)
