"""The session engine when a shared cache (Redis) is configured: sessions live in the database, and every request
reads a copy kept in the cache for at most COPY_SECONDS.

Why: reading the session row was a third of the floor cost of any signed-in page. Why not Django's `cached_db` as it is: it keeps the copy as long as the session
lives (8 hours). Ending a session (logout, "end my other sessions", a directory deactivation) deletes the row and the
copy; if the cache missed that deletion while Redis was failing (the cache tolerates an outage and drops the
write), the copy would open the ended session again until it expired. Here it lasts a minute at most.

Without a shared cache (the embedded first-run default) the settings use the plain database engine: a copy in one
process's memory could not be deleted from another.
"""

from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.core.cache import DEFAULT_CACHE_ALIAS

COPY_SECONDS = 60
KEY_PREFIX = "serambi.session:"


def _capped(timeout) -> int:
    """`timeout` cut to COPY_SECONDS (None, "for ever" to a cache, included)."""
    return COPY_SECONDS if timeout is None else min(timeout, COPY_SECONDS)


class _ShortCopies:
    """The session cache, with every copy's lifetime capped at COPY_SECONDS."""

    def __init__(self, cache):
        self._cache = cache

    def set(self, key, value, timeout=None, *args, **kwargs):
        return self._cache.set(key, value, _capped(timeout), *args, **kwargs)

    async def aset(self, key, value, timeout=None, *args, **kwargs):
        return await self._cache.aset(key, value, _capped(timeout), *args, **kwargs)

    def __contains__(self, key):
        return key in self._cache

    def __getattr__(self, name):
        return getattr(self._cache, name)


class SessionStore(CachedDBStore):
    cache_key_prefix = KEY_PREFIX

    def __init__(self, session_key=None):
        super().__init__(session_key)
        self._cache = _ShortCopies(self._cache)

    def copy_key(self) -> str | None:
        """The cache key of this session's copy (None without a session key: there is nothing to read), so the
        request's first cache round trip can bring it along with what every page reads (`caching.prefetch`)."""
        if not self.session_key or settings.SESSION_CACHE_ALIAS != DEFAULT_CACHE_ALIAS:  # it reads "default"
            return None
        return self.cache_key  # with a session key, cached_db's own key (it creates one only without)

    def take_copy(self, data) -> None:
        """Use `data`, this session's copy as read from the cache by that round trip, as `load()` would have used
        it. A missing copy (None) changes nothing: the session is then loaded as usual, from the database."""
        if isinstance(data, dict) and not hasattr(self, "_session_cache"):
            self._session_cache = data
