from axes.backends import AxesStandaloneBackend


def username_from_request(request, credentials):
    """Lock out per directory account however it is typed: `JDoe` and `jdoe` are one account."""
    value = (credentials or {}).get("username") or request.POST.get("username") or ""
    return value.strip().casefold()


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' gate, first in AUTHENTICATION_BACKENDS: a locked-out username + IP is refused before any password
    or directory check. Calls without an HTTP request (management commands, Client.login in tests) have no IP to lock
    and are let through to the real backends."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
