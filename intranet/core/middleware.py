"""Per-user caches (the dashboard) must never hide what the user just did: any write request by a logged-in user
retires what is cached for them. Writes by others reach them through `notify` (which bumps the same number) or, for
the few events that notify nobody, when the cached copy expires (a minute at most)."""

from .caching import bump_user_generation

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
