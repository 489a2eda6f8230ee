"""A circuit breaker per directory server, shared by every worker through the cache (Redis in production, local memory
in development).

A server that failed to answer (refused connection, connect or receive timeout, TLS failure, busy) is marked down for
`LDAP_CIRCUIT_SECONDS`. While it is marked, logins skip it and try the next server at once; when every server is
marked, a login answers "directory unavailable" without any network call, so an outage never holds a worker for the
length of a timeout more than once per server and period. When the mark expires the next login tries the server
again. The marks are only hints: when the cache itself is down nothing is marked and every attempt goes to the
network, bounded by the connect and receive timeouts.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache

logger = logging.getLogger("intranet.accounts.ldap")

PREFIX = "directory:down:"


def _key(uri: str) -> str:
    return PREFIX + hashlib.blake2b(uri.encode(), digest_size=8).hexdigest()


def down_servers(uris: tuple[str, ...] | list[str]) -> set[str]:
    """The servers among `uris` currently marked down."""
    if not uris:
        return set()
    try:
        marked = cache.get_many([_key(u) for u in uris])
    except Exception:  # a cache outage: no marks, every server is tried
        return set()
    return {u for u in uris if _key(u) in marked}


def trip(uri: str, seconds: float, reason: str) -> None:
    """Mark `uri` down for `seconds` (no-op for 0)."""
    if seconds <= 0:
        return
    try:
        cache.set(_key(uri), reason[:200], timeout=max(1, round(seconds)))
    except Exception:  # noqa: S110 - the mark is an optimisation; the failure itself is reported by the caller
        pass
    logger.warning("directory: server %s marked down for %ss (%s)", uri, round(seconds), reason)


def reset(uris) -> None:
    """Forget the marks (an administrator's `ldap_check`, tests)."""
    try:
        cache.delete_many([_key(u) for u in uris])
    except Exception:  # noqa: S110
        pass
