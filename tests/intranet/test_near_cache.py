"""Values kept in each process as well as in the shared cache (`intranet.core.caching.near_get` and `near_set`): a
repeat costs no cache round trip, every read gets an object of its own, nothing is kept longer than told, the least
recently used go first and large values stay in the shared cache only."""

import pytest
from django.core.cache import cache

from intranet.core import caching


@pytest.fixture(autouse=True)
def _clean():
    caching.near_clear()
    yield
    caching.near_clear()


def test_a_repeat_is_read_from_the_process():
    caching.near_set("t:near:1", {"a": [1]}, 60)
    assert cache.get("t:near:1") == {"a": [1]}, "kept in the shared cache too"
    cache.delete("t:near:1")
    assert caching.near_get("t:near:1", 60) == {"a": [1]}


def test_a_value_found_in_the_shared_cache_is_kept_in_the_process_then():
    cache.set("t:near:2", "v", 60)
    assert caching.near_get("t:near:2", 60) == "v"
    cache.delete("t:near:2")
    assert caching.near_get("t:near:2", 60) == "v"
    assert caching.near_get("t:near:missing", 60) is None


def test_every_read_gets_an_object_of_its_own():
    caching.near_set("t:near:3", {"a": [1]}, 60)
    first = caching.near_get("t:near:3", 60)
    first["a"].append(2)
    assert caching.near_get("t:near:3", 60) == {"a": [1]}


def test_nothing_is_kept_longer_than_told(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(caching, "_near_clock", lambda: now[0])
    caching.near_set("t:near:4", "v", 60)
    cache.delete("t:near:4")
    now[0] += 59
    assert caching.near_get("t:near:4", 60) == "v"
    now[0] += 2
    assert caching.near_get("t:near:4", 60) is None


def test_the_least_recently_used_go_first_and_large_values_stay_shared(monkeypatch):
    monkeypatch.setattr(caching, "NEAR_MAX_ENTRIES", 2)
    caching.near_set("t:near:a", "a", 60)
    caching.near_set("t:near:b", "b", 60)
    caching.near_get("t:near:a", 60)  # a is now the most recently used
    caching.near_set("t:near:c", "c", 60)
    cache.clear()
    assert [caching.near_get(k, 60) for k in ("t:near:a", "t:near:b", "t:near:c")] == ["a", None, "c"]
    big = "x" * (caching.NEAR_MAX_BYTES + 1)
    caching.near_set("t:near:big", big, 60)
    assert cache.get("t:near:big") == big
    cache.delete("t:near:big")
    assert caching.near_get("t:near:big", 60) is None


def test_nothing_is_kept_in_the_process_while_the_shared_cache_is_failing(monkeypatch):
    """In an outage every generation reads as 1 and bumps are lost: a copy kept then could outlive a change (a view
    restriction added during the outage), so pages are built afresh, as with no cache."""
    monkeypatch.setattr(caching, "_shared_cache_up", lambda: False)
    caching.near_set("t:near:down", "v", 60)
    cache.delete("t:near:down")
    assert caching.near_get("t:near:down", 60) is None


def test_an_outage_of_the_tolerant_cache_is_seen(monkeypatch):
    from intranet.core.cache import TolerantRedisCache

    down = TolerantRedisCache("redis://127.0.0.1:1/0", {"OPTIONS": {"RETRY_AFTER": 60}})
    monkeypatch.setattr(caching, "cache", down)
    assert caching._shared_cache_up()
    assert down.get("anything") is None  # refused: the backend marks itself down for RETRY_AFTER seconds
    assert not caching._shared_cache_up()
