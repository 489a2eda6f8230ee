"""What every page reads from the shared cache (Site, alert banner, unread count, generations) comes in one round
trip at the start of the request (intranet.core.caching.prefetch); a key the request itself writes is read afresh."""

import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.urls import reverse

from intranet.core import caching
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


class _Counter:
    def __init__(self, monkeypatch):
        self.calls = []
        self._depth = 0  # the local-memory backend's get_many calls get per key: count round trips, not those
        for name in ("get", "get_many", "set", "add", "incr", "delete"):
            original = getattr(cache, name)
            monkeypatch.setattr(cache, name, self._wrap(name, original))

    def _wrap(self, name, original):
        def counted(*args, **kwargs):
            if not self._depth:
                self.calls.append((name, str(args[0])[:60] if args else ""))
            self._depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                self._depth -= 1

        return counted

    def reads(self) -> int:
        return sum(1 for name, _key in self.calls if name in ("get", "get_many"))


def test_a_cached_page_reads_the_shared_cache_twice(client, org, monkeypatch):
    """My leave from the reader's copy: the prefetch, then the copy — not one read per value."""
    client.force_login(EmployeeFactory(unit=org["SUB1"]).user)
    url = reverse("leave:index")
    assert client.get(url).status_code == 200
    counter = _Counter(monkeypatch)
    assert client.get(url).status_code == 200
    assert counter.reads() == 2, counter.calls


def test_a_key_written_in_the_request_is_read_afresh():
    request_started.send(sender=None)
    try:
        cache.set("k", "old")
        caching.prefetch_on_every_request(lambda user_id: ["k"])
        caching.prefetch(None)
        assert caching.cache_get("k") == "old"
        cache.set("k", "elsewhere")  # another worker: this request keeps the value it started with
        assert caching.cache_get("k") == "old"
        caching.cache_set("k", "new", 60)
        assert caching.cache_get("k") == "new"
        (before,) = caching.generations("g")
        caching.bump_generation("g")
        assert caching.generations("g") == [before + 1]
    finally:
        caching._prefetchers.pop()
        request_finished.send(sender=None)
        cache.delete_many(["k", "g"])
