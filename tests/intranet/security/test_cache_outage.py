"""A cache outage costs one short timeout per process per interval, not one per request: measured against a real
redis-server of the test's own, stopped, and against a Redis that accepts connections but never answers (a hung
server: the case that costs a timeout). Logging out while Redis is down still ends the session, also once Redis
answers again with the session's old copy still in it."""

import socket
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


def _count_attempts(monkeypatch) -> list:
    """Every time the breaker lets a caller reach Redis (the only calls that can wait on it)."""
    from intranet.core.cache import Breaker

    attempts, allow = [], Breaker.allow
    monkeypatch.setattr(Breaker, "allow", lambda self: allow(self) and (attempts.append(1) or True))
    return attempts


@needs_redis
def test_redis_stopped_costs_no_time_per_request(on_redis, signed_in, settings, monkeypatch):
    """Counted, not timed (a timing on a busy host measures the host): with Redis stopped, the first request finds
    out, and the next ones within the interval do not reach for Redis at all."""
    redis, _queue = on_redis
    _use_cache(settings, redis.url(0), 30)
    attempts = _count_attempts(monkeypatch)
    for _ in range(3):
        signed_in.get("/")
    assert attempts, "with Redis up, pages use the cache"
    redis.stop()
    signed_in.get("/")  # the first request after the outage pays for finding out
    attempts.clear()
    for path in PAGES * 3:
        assert signed_in.get(path).status_code == (200 if path == "/" else 503)  # /healthz reports the outage
    assert attempts == [], "no request within the interval reached for the stopped Redis"


@pytest.mark.django_db
def test_hung_redis_costs_one_timeout_per_interval(signed_in, settings, monkeypatch):
    """A server that accepts and never answers: the first request waits for the socket timeout (0.25 s), the next
    ones do not wait at all until the interval has passed."""
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(64)
    try:
        _use_cache(settings, f"redis://127.0.0.1:{hung.getsockname()[1]}/0", 30)
        attempts = _count_attempts(monkeypatch)
        first = _timed(signed_in, "/")
        assert first >= 0.2  # it did wait once, for the socket timeout
        assert attempts, "the first request tried Redis"
        attempts.clear()
        for path in PAGES * 4:
            assert signed_in.get(path).status_code == (200 if path == "/" else 503)
        assert attempts == [], "no later request within the interval waited on the hung Redis"
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
