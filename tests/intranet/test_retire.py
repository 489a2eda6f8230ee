"""Retiring cached values (`intranet.core.caching.retire`): a generation the cache lost starts afresh from the clock,
never at a number used before; with Redis down nothing fails, and a bump Redis missed is made good (the generation
deleted, so it starts afresh) before anything is read once it answers again."""

import time

import pytest

from intranet.core import caching
from intranet.core.cache import TolerantRedisCache
from tests.intranet.security.test_faults import RedisServer, needs_redis


@pytest.fixture
def redis_cache(tmp_path):
    server = RedisServer(tmp_path / "redis")
    server.start()
    yield server, TolerantRedisCache(server.url(0), {"OPTIONS": {"RETRY_AFTER": 0.2}})
    if server.proc is not None:
        server.stop()


@needs_redis
def test_a_bump_missed_during_an_outage_is_made_good_when_redis_answers(redis_cache, monkeypatch):
    """Redis unreachable, not restarted: its old number is still there when it answers again. The bump it missed
    deletes it first, so the generation starts afresh and nothing kept under the old number is served."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    _server, cache = redis_cache
    monkeypatch.setattr(caching, "cache", cache)
    cache.set("gen", 5, None)
    cache.set("kept", "x", 60)
    cache.breaker.trip(RedisConnectionError("partition"))  # as a failed call would
    caching.retire(delete=["kept"], bump=["gen"])  # fails nothing
    time.sleep(0.25)
    before = time.time_ns() // 1_000_000
    assert caching.generation("gen") >= before, "a fresh number from the clock, not the old 5"
    assert cache.get("kept") is None
    caching.near_clear()


def test_other_backends_retire_key_by_key():
    from django.core.cache import cache

    cache.set("t:retire:kept", "x", 60)
    cache.set("t:retire:gen", 5, None)
    before = time.time_ns() // 1_000_000
    caching.retire(delete=["t:retire:kept"], bump=["t:retire:gen", "t:retire:lost"])
    assert cache.get("t:retire:kept") is None and cache.get("t:retire:gen") == 6
    assert cache.get("t:retire:lost") >= before
    cache.delete_many(["t:retire:gen", "t:retire:lost"])
