"""A circuit breaker per directory server, shared by every worker through the cache (Redis in production, local memory
in development).

A server that failed to answer (refused connection, connect or receive timeout, TLS failure, busy) is marked down for
`LDAP_CIRCUIT_SECONDS`. While it is marked, logins skip it and try the next server at once; when every server is
marked, a login answers "directory unavailable" without any network call, so an outage never holds a worker for the
length of a timeout more than once per server and period. When the mark expires the next login tries the server
again.

A hung server is only marked once a receive timeout has passed, and meanwhile every login that reaches it waits too.
So each use of a server also leaves a "pending since" stamp, and each answer an "answered at" stamp: a server with a
request pending for more than STALL_SECONDS and no answer to anyone since then is treated as down at once, so at most
the logins of the first STALL_SECONDS wait for the timeout (a slow but working directory keeps answering, and is not
affected). The marks are only hints: when the cache itself is down nothing is marked and every attempt goes to the
network, bounded by the connect and receive timeouts.
"""

from __future__ import annotations

import hashlib
import logging
import time
from contextlib import contextmanager

from django.core.cache import cache

logger = logging.getLogger("intranet.accounts.ldap")

PREFIX = "directory:down:"
PENDING = "directory:pending:"
ANSWERED = "directory:answered:"
STALL_SECONDS = 1.0  # a directory answers a login's requests in milliseconds


def _digest(uri: str) -> str:
    return hashlib.blake2b(uri.encode(), digest_size=8).hexdigest()


def _key(uri: str) -> str:
    return PREFIX + _digest(uri)


def down_servers(uris: tuple[str, ...] | list[str]) -> set[str]:
    """The servers among `uris` marked down, or stalled (a request pending too long and no answer since)."""
    if not uris:
        return set()
    keys = [k for u in uris for k in (_key(u), PENDING + _digest(u), ANSWERED + _digest(u))]
    try:
        found = cache.get_many(keys)
    except Exception:  # a cache outage: no marks, every server is tried
        return set()
    now = time.time()
    down = set()
    for u in uris:
        pending, answered = found.get(PENDING + _digest(u)), found.get(ANSWERED + _digest(u))
        stalled = pending is not None and now - pending > STALL_SECONDS and (answered is None or answered < pending)
        if _key(u) in found or stalled:
            down.add(u)
    return down


@contextmanager
def watching(uri: str, timeout: float):
    """Around a use of `uri`: stamps the pending request (unless one is pending already) and, when the server
    answered (success or an LDAP result), the answer. A failure to answer leaves the pending stamp in place until it
    expires with the request's timeout."""
    digest = _digest(uri)
    try:
        owned = cache.add(PENDING + digest, time.time(), timeout=max(1, round(timeout) + 1))
    except Exception:
        owned = False
    answered = True
    try:
        yield
    except BaseException as exc:
        from .errors import NETWORK_ERRORS, DirectoryUnavailable

        answered = not isinstance(exc, NETWORK_ERRORS) and type(exc) is not DirectoryUnavailable
        raise
    finally:
        try:
            if answered:
                cache.set(ANSWERED + digest, time.time(), timeout=600)
                if owned:
                    cache.delete(PENDING + digest)
        except Exception:  # noqa: S110 - the stamps are hints
            pass


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
        cache.delete_many([k for u in uris for k in (_key(u), PENDING + _digest(u), ANSWERED + _digest(u))])
    except Exception:  # noqa: S110
        pass
