"""A Redis cache that tolerates Redis being down.

The cache only saves work (Wagtail's site lookup, rendered fragments); nothing in it is the only copy of anything.
Django's RedisCache raises on a connection error, which would turn a Redis outage into a site outage. This backend
logs the error, answers a miss (reads) or drops the write, and stops trying for RETRY_AFTER seconds so a dead or
unreachable server does not cost a connect timeout on every request. /healthz still reports the cache unavailable.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


class ReusingRedisCacheClient(RedisCacheClient):
    """Django builds a new redis.Redis object for every cache operation, and each one copies redis-py's table of
    about 170 response callbacks: measured at a quarter of the time of a cache read on loopback. One client per
    connection pool does the same work (a redis.Redis is safe to share; connections come from the pool)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        self.retry_after = float(options.pop("RETRY_AFTER", 2.0))
        # Fail fast: a cache that takes seconds to answer is worse than no cache.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusingRedisCacheClient
        self._down_until = 0.0

    def _call(self, method, default, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return getattr(super(), method)(*args, **kwargs)
        except RedisError as exc:
            self._down_until = time.monotonic() + self.retry_after
            logger.warning("cache unavailable (%s: %s); serving without it", type(exc).__name__, exc)
            return default

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
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def incr(self, key, delta=1, version=None):
        # A miss must not look like a value: incr on an unreachable cache raises ValueError, as on a missing key.
        result = self._call("incr", None, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (cache unavailable)")
        return result

    def clear(self):
        return self._call("clear", False)

    def retire(self, delete_keys, generation_keys, start: int) -> None:
        """Delete `delete_keys` and bump the generation numbers `generation_keys` in one round trip (a pipeline; Django
        spends two on each bump: EXISTS, then INCRBY). A number the cache does not have starts at `start` (+1), as
        `caching.bump_generation` starts one: never a number that copies may have been stamped with before."""
        if time.monotonic() < self._down_until:
            return
        try:
            pipe = self._cache.get_client(write=True).pipeline(transaction=False)
            for key in delete_keys:
                pipe.delete(self.make_and_validate_key(key))
            for key in generation_keys:
                key = self.make_and_validate_key(key)
                pipe.set(key, start, nx=True)
                pipe.incr(key)
            pipe.execute()
        except RedisError as exc:
            self._down_until = time.monotonic() + self.retry_after
            logger.warning("cache unavailable (%s: %s); serving without it", type(exc).__name__, exc)
