"""A cache outage costs one short timeout per process per interval, not one per request: measured against a real
redis-server of the test's own, stopped, and against a Redis that accepts connections but never answers (a hung
server: the case that costs a timeout). Logging out while Redis is down still ends the session, also once Redis
answers again with the session's old copy still in it."""

import socket
import statistics
import time

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

from . import test_faults

needs_redis = test_faults.needs_redis
on_redis, redis_server = test_faults.on_redis, test_faults.redis_server  # fixtures: a redis-server of the test's own

PAGES = ["/", "/healthz"]


def _timed(client, path) -> float:
    started = time.perf_counter()
    client.get(path)
    return time.perf_counter() - started


def _use_cache(settings, location, retry_after):
    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "intranet.core.cache.TolerantRedisCache",
            "LOCATION": location,
            "OPTIONS": {"RETRY_AFTER": retry_after},
        }
    }
    caches._settings = caches.settings = settings.CACHES
    caches._connections.__dict__.pop("default", None)


@pytest.fixture
def signed_in(db, org, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    client = Client()
    client.force_login(factories.EmployeeFactory(unit=org["SUB1"]).user)
    return client


@needs_redis
def test_redis_stopped_costs_no_time_per_request(on_redis, signed_in, settings):
    redis, _queue = on_redis
    _use_cache(settings, redis.url(0), 30)
    up = [_timed(signed_in, "/") for _ in range(6)]
    redis.stop()
    signed_in.get("/")  # the first request after the outage pays for finding out
    down = [_timed(signed_in, "/") for _ in range(6)]
    assert statistics.median(down) < statistics.median(up) + 0.05, (up, down)


@pytest.mark.django_db
def test_hung_redis_costs_one_timeout_per_interval(signed_in, settings):
    """A server that accepts and never answers: the first request waits for the socket timeout (0.25 s), the next
    ones do not wait at all until the interval has passed."""
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(64)
    try:
        _use_cache(settings, f"redis://127.0.0.1:{hung.getsockname()[1]}/0", 30)
        first = _timed(signed_in, "/")
        later = [_timed(signed_in, p) for p in PAGES * 4]
        assert first >= 0.2  # it did wait once
        assert max(later) < first, (first, later)
        assert sum(later) < 0.25 * len(later) / 2, later  # no request waited for a timeout
    finally:
        hung.close()


@needs_redis
def test_logout_during_an_outage_ends_the_session_after_redis_returns(on_redis, signed_in, settings):
    redis, _queue = on_redis
    _use_cache(settings, redis.url(0), 0.5)
    assert signed_in.get("/").status_code == 200  # the session's copy is now in Redis
    session_key = signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    stale_cookie = signed_in.cookies[settings.SESSION_COOKIE_NAME]
    redis.stop()
    signed_in.get("/")  # the breaker opens
    signed_in.post(reverse("accounts:logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()  # ended in the database
    redis.start()  # same port, empty: as a Redis that restarts; the copy is gone either way below
    time.sleep(0.6)
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stale_cookie.value
    response = replay.get("/")
    assert response.status_code == 302 and "/login" in response.url or "masuk" in response.url


@needs_redis
def test_a_deletion_missed_during_an_outage_is_replayed_before_any_read(redis_server):
    """Redis was unreachable, not restarted: the old copy is still there when it answers again. The deletion the
    logout could not make is replayed by the first call that reaches Redis, before it reads."""
    from redis.exceptions import ConnectionError as RedisConnectionError

    from intranet.core.cache import TolerantRedisCache

    cache = TolerantRedisCache(redis_server.url(0), {"OPTIONS": {"RETRY_AFTER": 0.3}})
    cache.set("serambi.session:abc", {"_auth_user_id": "1"}, 60)
    cache.breaker.trip(RedisConnectionError("partition"))  # as a failed call would
    assert cache.delete("serambi.session:abc") is False  # skipped, remembered
    time.sleep(0.35)
    assert cache.get("serambi.session:abc") is None  # replayed first, then read
    assert not cache.breaker.tripped and not cache.breaker.pending_deletes
