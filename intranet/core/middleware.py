"""Per-user caches (the dashboard) must never hide what the user just did: any write request by a logged-in user
retires what is cached for them. Writes by others reach them through `notify` (which bumps the same number) or, for
the few events that notify nobody, when the cached copy expires (a minute at most)."""

from .caching import bump_user_generation, prefetch

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class UserWriteMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                bump_user_generation(user.pk)
        return response


# Which user each session key belonged to when this process last served it: a hint that lets the request's first
# cache round trip bring the user's values along with the session's copy, before the session has named the user.
# Only a hint: what it names is checked against the session (a wrong or missing one costs a second round trip, never
# another user's page). Cleared when full (20,000 keys, a few MB) rather than kept in order: a lost hint costs one
# round trip.
_session_users: dict[str, int] = {}
SESSION_USERS_MAX = 20_000
_NOBODY = object()


class CachePrefetchMiddleware:
    """Kept because the load benchmark shows it: reading each value where it is used, the reader pages served 35-40%
    fewer requests per second (docs/performance.md).

    Reads the shared-cache values every page needs, the session's copy among them, in one round trip
    (`caching.prefetch`). Placed after the authentication middleware, whose user is read lazily, and before anything
    that reads the session (the session timeout): the session is then loaded from the values read here."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        session_key = session.session_key if session is not None else None  # loading an ended session forgets it
        copy_key = session.copy_key() if hasattr(session, "copy_key") else None
        hint = _session_users.get(session_key) if session_key else None
        fetched_for = _NOBODY
        if copy_key or hint:  # else the user's values alone: read them once the session has named the user
            found = prefetch(hint, also=[copy_key] if copy_key else [])
            fetched_for = hint
            if copy_key:
                session.take_copy(found.get(copy_key))
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        if user_id != fetched_for:
            prefetch(user_id)
        if session_key and user_id != hint:
            if user_id is None:
                _session_users.pop(session_key, None)
            else:
                if len(_session_users) >= SESSION_USERS_MAX:
                    _session_users.clear()
                _session_users[session_key] = user_id
        return self.get_response(request)
