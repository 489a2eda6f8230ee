"""While Redis is down each process keeps its own copies of content for a few seconds (`caching.OUTAGE_SECONDS`), so
an outage does not cost most of the site's capacity; who someone is and what they may do is still read from the
database on every request. Against a real redis-server of the test's own, stopped."""

import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from cms.home import dashboard
from intranet.core import caching
from tests import factories

from . import test_faults
from .test_cache_outage import _use_cache

needs_redis = test_faults.needs_redis
on_redis, redis_server = test_faults.on_redis, test_faults.redis_server  # fixtures: a redis-server of the test's own

pytestmark = [needs_redis, pytest.mark.django_db]


@pytest.fixture
def outage(on_redis, settings):
    redis, _queue = on_redis
    _use_cache(settings, redis.url(0), 30)
    redis.stop()
    yield redis
    caching.near_clear()


@pytest.fixture
def builds(monkeypatch) -> list:
    """Every time the dashboard's panels are collected from the database."""
    calls, collect = [], dashboard.collect_panels
    monkeypatch.setattr(dashboard, "collect_panels", lambda request: calls.append(1) or collect(request))
    return calls


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.get("/")  # the CSRF cookie, and the breaker finds out about the outage
    return client


def test_a_page_is_built_once_per_interval_not_per_request(outage, org, builds):
    client = _client_for(factories.EmployeeFactory(unit=org["SUB1"]).user)  # its first request builds the page
    for _ in range(3):
        assert client.get("/").status_code == 200
    assert builds == [1], "the dashboard was built once and then served from this process's copy"


def test_the_readers_own_write_retires_the_copy_at_once(outage, org, builds):
    user = factories.EmployeeFactory(unit=org["SUB1"]).user
    client = _client_for(user)
    client.get("/")
    builds.clear()
    client.post(reverse("notifications:read_all"))  # any write by the reader
    client.get("/")
    assert builds == [1]


def test_copies_last_at_most_outage_seconds(outage, org, builds, monkeypatch):
    monkeypatch.setattr(caching, "OUTAGE_SECONDS", 1)
    client = _client_for(factories.EmployeeFactory(unit=org["SUB1"]).user)
    client.get("/")
    builds.clear()
    time.sleep(1.1)
    client.get("/")
    assert builds == [1]


def test_roles_are_read_from_the_database_on_every_request(outage, org):
    """A role taken away by another process (a write this process's copies never saw) counts at once."""
    officer = factories.EmployeeFactory(unit=org["SUB1"]).user
    factories.give_scope(officer, org["DJ1"])
    client = _client_for(officer)
    assert client.get("/dokumen/baru/").status_code == 200
    with connection.cursor() as cursor:  # no signal, no cache bump: as a write made elsewhere
        cursor.execute("DELETE FROM accounts_user_groups WHERE user_id = %s", [officer.pk])
    assert client.get("/dokumen/baru/").status_code == 403


def test_an_ended_session_ends_at_once(outage, org):
    user = factories.EmployeeFactory(unit=org["SUB1"]).user
    client = _client_for(user)
    assert client.get("/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_session")
    response = client.get("/")
    assert response.status_code == 302 and "/masuk" in response.url


def test_health_check_still_reports_the_outage(outage, org):
    client = _client_for(factories.EmployeeFactory(unit=org["SUB1"]).user)
    assert client.get("/healthz").status_code == 503


def test_copies_are_not_used_once_redis_answers(outage, org, builds, settings):
    """Back on the shared cache, pages are built afresh and kept there, not served from what the outage left."""
    import redis

    client = _client_for(factories.EmployeeFactory(unit=org["SUB1"]).user)
    client.get("/")
    outage.start()
    _use_cache(settings, outage.url(0), 0.05)  # a fresh breaker: probes at once
    builds.clear()
    client.get("/")
    assert builds == [1]
    assert redis.Redis.from_url(outage.url(0)).dbsize() > 0
