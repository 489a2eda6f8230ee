"""Shared-cache reads and writes that never break a page. Pages keep small, often-read values in the cache (the Site
lookup, the view-restriction list, the alert banner, unread counts); when the cache server is unreachable they are
computed from the database as if the cache were empty (and /healthz reports the outage). The production backend
(`intranet/core/cache.TolerantRedisCache`) already answers a miss when Redis is down; these wrappers keep that promise
for any other backend a deployer configures, and add version numbers for families of cached values.

While the shared cache is down, the copies of content kept here (rendered pages and panels, lists, counts, and the
generation numbers that name them) are kept in each process instead, for OUTAGE_SECONDS at most: without them every
page is rendered afresh and an outage costs most of the site's capacity. A process retires its own copies at once
when it writes; another process's copies of the same content may show what was true up to OUTAGE_SECONDS ago. What
decides who someone is or what they may do (sessions, roles, the employee record, view restrictions, delegations:
`kept_with_generation`, `near_get`) and what a write computes from (the holiday calendar) is never kept per process:
it is read from the database on every request until the shared cache answers again."""

import hashlib
import logging
import pickle
import threading
import time
from collections import OrderedDict

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

log = logging.getLogger(__name__)
_MISSING = object()


OUTAGE_SECONDS = 15
_outage_copies = LocMemCache("serambi-outage", {"TIMEOUT": OUTAGE_SECONDS, "OPTIONS": {"MAX_ENTRIES": 5000}})


def _store(outage_copy: bool = True):
    """The shared cache, or this process's copies while it is down (`outage_copy`: content, see the module's doc)."""
    return _outage_copies if outage_copy and not _shared_cache_up() else cache


def _timeout(store, seconds):
    return seconds if store is cache else min(seconds or OUTAGE_SECONDS, OUTAGE_SECONDS)


def cache_get(key: str, default=None, *, outage_copy: bool = True):
    found = _take_prefetched(key)
    if found is not _NOT_PREFETCHED:
        return default if found is _MISSING else found
    try:
        return _store(outage_copy).get(key, default)
    except Exception as exc:  # noqa: BLE001 - any cache failure means "not cached"
        log.warning("cache read of %s failed: %s", key, exc)
        return default


def cache_get_many(keys, *, outage_copy: bool = True) -> dict:
    """Several values in one round trip (values prefetched for this request need none); missing keys are left out."""
    found, rest = {}, []
    for key in keys:
        value = _take_prefetched(key)
        if value is _NOT_PREFETCHED:
            rest.append(key)
        elif value is not _MISSING:
            found[key] = value
    if rest:
        try:
            found.update(_store(outage_copy).get_many(rest))
        except Exception as exc:  # noqa: BLE001 - any cache failure means "not cached"
            log.warning("cache read of %s failed: %s", ", ".join(rest), exc)
    return found


def cache_set(key: str, value, timeout: int | None, *, outage_copy: bool = True) -> None:
    _take_prefetched(key, forget=True)
    store = _store(outage_copy)
    try:
        store.set(key, value, _timeout(store, timeout))
    except Exception as exc:  # noqa: BLE001
        log.warning("cache write of %s failed: %s", key, exc)


def cache_delete(key: str) -> None:
    _take_prefetched(key, forget=True)
    _outage_copies.delete(key)  # a copy kept during an outage must not outlive its deletion
    try:
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        log.warning("cache delete of %s failed: %s", key, exc)


# Generation numbers live in the cache without expiry, but an LRU cache may still evict one. A number started afresh
# must not equal one that copies were stamped with before the eviction, so a new number starts at the clock (in
# milliseconds) rather than at 1: bumps would have to outpace the clock for an old number to come back.
def _start_generation(key: str, outage_copy: bool = True) -> int:
    """The key's generation when the cache does not have it: a clock-based number, stored unless another process
    stored one first (then that one). 1 when the cache is unreachable and nothing is kept per process."""
    _take_prefetched(key, forget=True)
    fresh = time.time_ns() // 1_000_000
    store = _store(outage_copy)
    try:
        if store.add(key, fresh, _timeout(store, None)):
            return fresh
        found = store.get(key)
    except Exception as exc:  # noqa: BLE001
        log.warning("cache write of %s failed: %s", key, exc)
        return 1
    return found if found is not None else fresh


def generation(key: str) -> int:
    """A version number for a family of cached values; `bump_generation` retires them all."""
    (gen,) = generations(key)
    return gen


def bump_generation(key: str) -> None:
    retire(bump=[key])


def retire(*, delete=(), bump=()) -> None:
    """Delete the keys `delete` and bump the generations `bump`."""
    for key in delete:
        cache_delete(key)
    for key in bump:
        _take_prefetched(key, forget=True)
        _outage_copies.delete(key)  # this process's copies named by it retire with it (a new number starts)
        try:
            cache.incr(key)
        except ValueError:  # not set (or evicted, or unreachable): a fresh number retires what was kept under another
            _start_generation(key)
        except Exception as exc:  # noqa: BLE001
            log.warning("cache increment of %s failed: %s", key, exc)


def retire_now_and_on_commit(*, delete=(), bump=()) -> None:
    """`retire` now, and again once the current transaction commits: a reader in between may have cached the
    not-yet-committed old state under the new number (or as the deleted value), which the second time retires."""
    retire(delete=delete, bump=bump)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: retire(delete=delete, bump=bump))


def bump_generation_now_and_on_commit(key: str) -> None:
    """`bump_generation` now, and again once the current transaction commits (`retire_now_and_on_commit`)."""
    retire_now_and_on_commit(bump=[key])


def bump_on_write(generation_key: str, *models):
    """Bump `generation_key` now and on commit (`bump_generation_now_and_on_commit`) whenever a row of `models` is
    saved or deleted, fixture loads aside. Returns the receiver, for other signals and for bulk writers, which send
    none, to call themselves."""
    from django.db.models.signals import post_delete, post_save

    def bump(**kwargs) -> None:
        if kwargs.get("raw"):  # fixtures being loaded
            return
        bump_generation_now_and_on_commit(generation_key)

    for model in models:
        for signal, verb in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(bump, sender=model, weak=False, dispatch_uid=f"{generation_key}:{verb}:{model._meta.label}")
    return bump


def generations(*keys: str) -> list[int]:
    """Several version numbers in one cache round trip (a missing one is started: `_start_generation`)."""
    return generations_with(keys)[0]


def generations_with(gen_keys, other_keys=(), *, outage_copy: bool = True) -> tuple[list[int], dict]:
    """Version numbers (as `generations`) and other cached values (missing ones left out), in one round trip."""
    found = cache_get_many([*gen_keys, *other_keys], outage_copy=outage_copy)
    return [found[key] if key in found else _start_generation(key, outage_copy) for key in gen_keys], found


def user_generation_key(user_id: int) -> str:
    """Version of everything cached for one user (their dashboard): bumped when they write or are notified."""
    return f"user:{user_id}:generation"


def bump_user_generation(user_id: int) -> None:
    """Retire what is cached for the user, now and again after the current transaction commits: a request in
    between may have cached the uncommitted-yet old state under the new number."""
    bump_generation_now_and_on_commit(user_generation_key(user_id))


def digest(value: str) -> str:
    """A short stand-in for a value in a cache key (an address, a query): keys show up in monitoring, values need not."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def kept_with_generation(key: str, generation_key: str, build, seconds: int, *, valid=lambda value: True):
    """`build()`'s value, kept under `key` with the generation of `generation_key` it was built under: served while
    that generation stands (and `valid(value)`), built afresh once it is bumped: one round trip for both. For what
    decides identity and access: never kept per process while the shared cache is down."""
    (current,), found = generations_with((generation_key,), (key,), outage_copy=False)
    kept = found.get(key)
    if kept is not None and kept[0] == current and valid(kept[1]):
        return kept[1]
    value = build()
    cache_set(key, (current, value), seconds, outage_copy=False)
    return value


READER_COPY_SECONDS = 60


def reader_copy(request, namespace: str, build, *, also: tuple[str, ...] = (), seconds: int = READER_COPY_SECONDS):
    """A page's own content as `build()` renders it for this reader (None: nothing to keep; a string is returned as
    safe HTML, anything else picklable as it is — e.g. the HTML with a figure the view still needs), kept for `seconds` at
    most under a key carrying the reader, the language, the day, the address, the reader's generation and the
    generations named in `also` — retired at once when the reader writes anything or is notified of anything, or when
    one of `also` is bumped. What changes without any of these shows within `seconds`. The copy must hold nothing
    from the request (no CSRF token, no messages): the site header around it is rendered afresh."""
    gens = ".".join(str(g) for g in generations(user_generation_key(request.user.pk), *also))
    day = timezone.localdate().isoformat()
    key = f"{namespace}:reader:{request.user.pk}:{get_language()}:{day}:{gens}:{digest(request.get_full_path())}"
    return shared_copy(key, build, seconds)


def shared_copy(key: str, build, seconds: int):
    """Content that is the same for every reader who gets here (the caller puts what it depends on in `key`):
    from the cache, else `build()` (None: nothing to keep) kept for `seconds`. A string comes back as safe HTML."""
    html = cache_get(key)
    if html is None:
        html = build()
        if html is not None:
            cache_set(key, html, seconds)
    return mark_safe(html) if isinstance(html, str) else html  # noqa: S308 - our templates' output, escaped already


# --- values kept in each process too ----------------------------------------------------------------------------------
# Some values are named in full by their key — it carries every generation they depend on — and many requests read
# them: a page's route, the view-restriction list, a rendered article. Each process also keeps the most recently
# used of these, as pickled bytes (every read gets an object of its own: no request sees another's changes to it),
# for the time the shared cache keeps them, so a repeat costs no cache round trip. A bump names new keys, so it
# retires these copies at once as well; what the shared cache bounds by time alone (a bump lost while the cache was
# unreachable) can be served for up to twice that time. Nothing is kept while the shared cache is failing.
NEAR_MAX_ENTRIES = 1024
NEAR_MAX_BYTES = 256 * 1024  # a larger value is kept in the shared cache only
_near: OrderedDict = OrderedDict()
_near_lock = threading.Lock()
_near_clock = time.monotonic  # a test may set the clock


def near_get(key: str, seconds: int):
    """The value kept under `key`: from this process, else from the shared cache (then kept here for `seconds`)."""
    now = _near_clock()
    with _near_lock:
        kept = _near.get(key)
        if kept is not None:
            if kept[0] > now:
                _near.move_to_end(key)
            else:
                del _near[key]
                kept = None
    if kept is not None:
        return pickle.loads(kept[1])  # noqa: S301 - bytes this process pickled itself
    value = cache_get(key, outage_copy=False)
    if value is not None:
        _near_keep(key, value, seconds)
    return value


def near_set(key: str, value, seconds: int) -> None:
    """Keep `value` under `key` in the shared cache and in this process, for `seconds`."""
    cache_set(key, value, seconds, outage_copy=False)
    _near_keep(key, value, seconds)


def near_clear() -> None:
    with _near_lock:
        _near.clear()
    _outage_copies.clear()


def _shared_cache_up() -> bool:
    """False while the shared cache is failing (`TolerantRedisCache` then answers misses for a few seconds)."""
    breaker = getattr(cache, "breaker", None)
    return breaker is None or not breaker.is_open()  # once the interval is over, the next read probes Redis


def _near_keep(key: str, value, seconds: int) -> None:
    if not _shared_cache_up():
        # Without the shared cache every generation reads as 1 and no bump is recorded: a copy kept now under such a
        # key would outlive a change made during the outage. Pages are then built afresh, as with no cache at all.
        return
    blob = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    if len(blob) > NEAR_MAX_BYTES:
        return
    with _near_lock:
        _near[key] = (_near_clock() + seconds, blob)
        _near.move_to_end(key)
        while len(_near) > NEAR_MAX_ENTRIES:
            _near.popitem(last=False)


_request_local = threading.local()


def request_memo() -> dict | None:
    """A dict that lives for the current HTTP request (None outside one): for values several parts of one page read
    from the shared cache (the view-restriction list), so each costs one cache round trip per request, not several."""
    return getattr(_request_local, "memo", None)


# --- One round trip for what every page reads -------------------------------------------------------------------------
# Apps name the shared-cache keys that (nearly) every page of a logged-in user reads — the Site, the alert banner, the
# unread count, the user's generation — and `prefetch` reads them all with one get_many at the start of the request
# (`middleware.CachePrefetchMiddleware`). A prefetched value serves every read of its key in the request, until this
# process writes, deletes or bumps the key: from then on the key is read from the cache as before.
_NOT_PREFETCHED = object()
_prefetchers: list = []


def prefetch_on_every_request(keys_for) -> None:
    """Register `keys_for(user_id or None) -> list of keys` (an app's ready())."""
    if keys_for not in _prefetchers:
        _prefetchers.append(keys_for)


def prefetch(user_id: int | None, also=()) -> dict:
    """Read what every page needs for `user_id` in one round trip, and the keys `also` with them (the session's copy):
    returns the values of `also` that were found. Another call in the same request adds its values to the first's."""
    memo = request_memo()
    if memo is None or not _shared_cache_up():  # down: each key is read from this process's copies
        return {}
    keys = [key for keys_for in _prefetchers for key in keys_for(user_id)]
    if not keys and not also:
        return {}
    try:
        found = cache.get_many([*also, *keys])
    except Exception as exc:  # noqa: BLE001 - each key is then read (or missed) on its own
        log.warning("cache read of %s failed: %s", ", ".join([*also, *keys]), exc)
        return {}
    memo.setdefault("prefetched", {}).update((key, found.get(key, _MISSING)) for key in keys)
    return {key: found[key] for key in also if key in found}


def _take_prefetched(key: str, *, forget: bool = False):
    memo = request_memo()
    if memo is None or "prefetched" not in memo:
        return _NOT_PREFETCHED
    if forget:
        return memo["prefetched"].pop(key, _NOT_PREFETCHED)
    return memo["prefetched"].get(key, _NOT_PREFETCHED)


prefetch_on_every_request(lambda user_id: [user_generation_key(user_id)] if user_id else [])


def _request_started(**kwargs):
    _request_local.memo = {}


def _request_finished(**kwargs):
    _request_local.memo = None


request_started.connect(_request_started, dispatch_uid="serambi-request-memo-start")
request_finished.connect(_request_finished, dispatch_uid="serambi-request-memo-end")
