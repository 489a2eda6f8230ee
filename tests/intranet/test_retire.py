"""Retiring cached values (`intranet.core.caching.retire`): on Redis, deletes and generation bumps of one event go in
one round trip; a generation the cache lost starts afresh from the clock, never at a number used before; with Redis
down nothing fails. Other backends do the same key by key."""

import time

import pytest
import redis

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
def test_deletes_and_bumps_go_in_one_round_trip(redis_cache, monkeypatch):
    server, cache = redis_cache
    cache.set("kept", "x", 60)
    cache.set("gen", 5, None)
    trips = []

    def counted(method, real):
        def call(self, *args, **kwargs):
            trips.append(method)
            return real(self, *args, **kwargs)

        return call

    for cls, method in ((redis.client.Redis, "execute_command"), (redis.client.Pipeline, "execute")):
        monkeypatch.setattr(cls, method, counted(method, getattr(cls, method)))
    before = time.time_ns() // 1_000_000
    cache.retire(["kept"], ["gen", "lost-gen"], before)
    assert trips == ["execute"], trips
    monkeypatch.undo()
    assert cache.get("kept") is None and cache.get("gen") == 6
    assert cache.get("lost-gen") == before + 1, "a lost number starts from the clock"


@needs_redis
def test_with_redis_down_retiring_fails_nothing(redis_cache, caplog):
    server, cache = redis_cache
    server.stop()
    cache.retire(["a"], ["g"], 1)
    assert "cache unavailable" in caplog.text
    assert cache.get("g") is None


def test_other_backends_retire_key_by_key():
    from django.core.cache import cache

    cache.set("t:retire:kept", "x", 60)
    cache.set("t:retire:gen", 5, None)
    before = time.time_ns() // 1_000_000
    caching.retire(delete=["t:retire:kept"], bump=["t:retire:gen", "t:retire:lost"])
    assert cache.get("t:retire:kept") is None and cache.get("t:retire:gen") == 6
    assert cache.get("t:retire:lost") >= before
    cache.delete_many(["t:retire:gen", "t:retire:lost"])
