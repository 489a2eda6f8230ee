"""The session engine production uses with Redis (`intranet.security.session_store`), on a Redis of the test's own: a
signed-in request reads its session from the copy, not the database; every way of ending a session ends it at once;
no copy outlives COPY_SECONDS; with Redis stopped, sessions go on from the database."""

import pytest
import redis
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from intranet.security import session_store
from tests.factories import EmployeeFactory
from tests.intranet.security.test_faults import RedisServer, needs_redis
from tests.query_bounds import queries

pytestmark = [pytest.mark.django_db, needs_redis]
PASSWORD = "Rahasia-Sekali-2026"


@pytest.fixture
def redis_sessions(tmp_path, settings):
    from django.core.cache import caches

    server = RedisServer(tmp_path / "redis")
    server.start()
    settings.CACHES = {"default": {"BACKEND": "intranet.core.cache.TolerantRedisCache", "LOCATION": server.url(0)}}
    caches._settings = caches.settings = settings.CACHES
    caches._connections.__dict__.pop("default", None)
    settings.SESSION_ENGINE = "intranet.security.session_store"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield server
    if server.proc is not None:
        server.stop()
    caches._connections.__dict__.pop("default", None)


@pytest.fixture
def person(org):
    employee = EmployeeFactory(unit=org["SUB1"])
    employee.user.set_password(PASSWORD)
    employee.user.save()
    return employee.user


def _signed_in(user) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _ttl(server, session_key: str) -> int:
    from django.core.cache import cache

    return redis.Redis.from_url(server.url(0)).ttl(cache.make_key(session_store.KEY_PREFIX + session_key))


def test_a_signed_in_request_reads_the_copy_kept_a_minute_at_most(redis_sessions, person):
    client = _signed_in(person)
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()  # the database holds the session
    assert client.get("/direktori/").status_code == 200
    with queries() as q:
        assert client.get("/direktori/").status_code == 200
    assert not q.touching("django_session"), q.listing()
    assert 0 < _ttl(redis_sessions, key) <= session_store.COPY_SECONDS

    # a copy written for the session's whole life (as cached_db would keep it) is still cut to the minute
    store = session_store.SessionStore(key)
    store.load()
    store._cache.set(session_store.KEY_PREFIX + key, {"x": 1}, 8 * 3600)
    assert 0 < _ttl(redis_sessions, key) <= session_store.COPY_SECONDS


def test_every_way_of_ending_a_session_ends_its_copy(redis_sessions, person, org):
    first, second = _signed_in(person), _signed_in(person)
    assert second.get("/direktori/").status_code == 200  # its copy is in Redis now
    first.post(reverse("security:sessions_sign_out_others"))
    assert second.get("/direktori/").status_code == 302, "signed out from the other browser"

    key = first.cookies["sessionid"].value
    first.post(reverse("accounts:logout"))
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get("/direktori/").status_code == 302, "a logged-out session's cookie opens nothing"

    third = _signed_in(person)
    assert third.get("/direktori/").status_code == 200
    person.is_active = False
    person.save()  # a deactivation ends the user's sessions (intranet.accounts.sessions.end_sessions)
    assert third.get("/direktori/").status_code == 302


def test_with_redis_stopped_sessions_go_on_from_the_database(redis_sessions, person):
    client = _signed_in(person)
    assert client.get("/direktori/").status_code == 200
    redis_sessions.stop()
    with queries() as q:
        assert client.get("/direktori/").status_code == 200
    assert q.reading("django_session"), "read from the database"
    client.post(reverse("accounts:logout"))
    assert client.get("/direktori/").status_code == 302


def test_a_login_ends_the_session_it_replaces(redis_sessions, person):
    """A new key at every login (no session fixation): the session the login form was shown in is gone."""
    client = Client()
    session = client.session  # a session of its own before signing in
    session["note"] = "before"
    session.save()
    before = session.session_key
    assert client.post(reverse("accounts:login"), {"username": person.username, "password": PASSWORD}).status_code == 302
    key = client.cookies["sessionid"].value
    assert key != before and not Session.objects.filter(session_key=before).exists()
    assert Session.objects.get(session_key=key).get_decoded()["_auth_user_id"] == str(person.pk)
    assert client.get(reverse("security:sessions")).status_code == 200  # signed in with it


@pytest.fixture
def cache_calls(monkeypatch):
    """Every call the shared cache makes to Redis, as (method, keys)."""
    from intranet.core.cache import TolerantRedisCache

    calls, call = [], TolerantRedisCache._call

    def recorded(self, method, default, *args, **kwargs):
        keys = args[0] if args else None
        calls.append((method, list(keys) if isinstance(keys, (list, tuple, dict)) else [keys]))
        return call(self, method, default, *args, **kwargs)

    monkeypatch.setattr(TolerantRedisCache, "_call", recorded)
    return calls


def _session_reads(calls, key: str) -> list:
    return [(method, keys) for method, keys in calls if session_store.KEY_PREFIX + key in keys]


def test_the_session_copy_comes_with_what_every_page_reads_in_one_round_trip(redis_sessions, person, cache_calls):
    client = _signed_in(person)
    key = client.cookies["sessionid"].value
    assert client.get("/direktori/").status_code == 200  # this process now knows whose session it is
    cache_calls.clear()
    with queries() as q:
        assert client.get("/direktori/").status_code == 200
    ((method, keys),) = _session_reads(cache_calls, key)
    assert method == "get_many" and f"user:{person.pk}:generation" in keys, "the user's values in the same read"
    assert cache_calls[0] == (method, keys), "the request's first round trip"
    assert not q.reading("django_session")


def test_a_wrong_hint_costs_a_round_trip_and_never_shows_another_users_page(redis_sessions, person, org, cache_calls):
    from intranet.core import middleware

    other = EmployeeFactory(unit=org["SUB1"]).user
    client = _signed_in(person)
    key = client.cookies["sessionid"].value
    middleware._session_users[key] = other.pk  # as if the key had been another user's (it never can be)
    cache_calls.clear()
    response = client.get("/")
    assert response.status_code == 200 and response.context["user"] == person
    reads = [keys for method, keys in cache_calls if method == "get_many"]
    assert f"user:{other.pk}:generation" in reads[0] and f"user:{person.pk}:generation" in reads[1]
    assert middleware._session_users[key] == person.pk, "corrected for the next request"

    client.post(reverse("accounts:logout"))
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get("/direktori/").status_code == 302, "the hint of an ended session opens nothing"
    assert key not in middleware._session_users
