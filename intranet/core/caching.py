"""Shared-cache reads and writes that never break a page. Pages keep small, often-read values in the cache (the Site
lookup, the view-restriction list, the alert banner, unread counts); when the cache server is unreachable they are
computed from the database as if the cache were empty (and /healthz reports the outage). The production backend
(`intranet/core/cache.TolerantRedisCache`) already answers a miss when Redis is down; these wrappers keep that promise
for any other backend a deployer configures, and add version numbers for families of cached values."""

import logging

from django.core.cache import cache

log = logging.getLogger(__name__)
_MISSING = object()


def cache_get(key: str, default=None):
    try:
        return cache.get(key, default)
    except Exception as exc:  # noqa: BLE001 - any cache failure means "not cached"
        log.warning("cache read of %s failed: %s", key, exc)
        return default


def cache_set(key: str, value, timeout: int | None) -> None:
    try:
        cache.set(key, value, timeout)
    except Exception as exc:  # noqa: BLE001
        log.warning("cache write of %s failed: %s", key, exc)


def cache_delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        log.warning("cache delete of %s failed: %s", key, exc)


def generation(key: str) -> int:
    """A version number for a family of cached values (1 when unknown); `bump_generation` retires them all."""
    gen = cache_get(key)
    if gen is None:
        gen = 1
        try:
            cache.add(key, gen, None)
        except Exception as exc:  # noqa: BLE001
            log.warning("cache write of %s failed: %s", key, exc)
    return gen


def bump_generation(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # not set yet (or evicted): any value other than 1 retires what was cached under 1
        cache_set(key, 2, None)
    except Exception as exc:  # noqa: BLE001
        log.warning("cache increment of %s failed: %s", key, exc)
