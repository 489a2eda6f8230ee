from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler

from .login_throttle import counts_as_failure


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


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler: lockout counters stay in the database, so a lockout survives a Redis outage.

    A successful login with no failed attempt counted before it skips axes' clean-up and reset, which cost every login
    two reads and two empty transactions: there is nothing of its own to reset. Expired attempts are still removed at
    the next failed login or logout, as axes does; a login that follows failures resets them as before."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if request is not None:
            counted = request.__dict__.setdefault("_serambi_axes_failures", {})
            counted[username_from_request(request, credentials)] = failures
        return failures

    def user_logged_in(self, sender, request, user, **kwargs):
        counted = getattr(request, "_serambi_axes_failures", {})
        if counted.get(username_from_request(request, {"username": user.get_username()})) == 0:
            return
        super().user_logged_in(sender, request, user, **kwargs)

    # A failure that says nothing about the password (a login rate limit refused it, or the directory was down) is
    # not counted: an outage must lock nobody out. See intranet.security.login_throttle.counts_as_failure.
    def user_login_failed(self, sender, credentials, request=None, **kwargs):
        if not counts_as_failure(request):
            return
        super().user_login_failed(sender, credentials, request=request, **kwargs)
