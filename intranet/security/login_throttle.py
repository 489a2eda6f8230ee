"""Rate limits on login, beside the per-account lockout (intranet.security.lockout).

The lockout counts failures per username *and* client address; a password-spraying attacker tries one password on
many usernames and never reaches it. So failed logins are also counted per client address (an IPv6 /64) and across the
whole service, in fixed windows of `SERAMBI_LOGIN_THROTTLE_SECONDS`: past `SERAMBI_LOGIN_ADDRESS_LIMIT` failures from
one address, or `SERAMBI_LOGIN_GLOBAL_LIMIT` in all, further attempts are refused before any password or directory
check, with a translated message and 429. The first refusal of each kind per window is audited (`auth.throttled`);
the refused attempts themselves are not, so a flood cannot flood the audit trail.

Only a wrong password (or an unknown user) is counted, here and by the lockout. A failure that says nothing against
the password is not: an attempt refused by these limits, one the directory could not answer or refused for its
configuration (an outage must not lock anyone out), and one with the right password on an account the directory
refuses (disabled, blocked group): the directory backend notes each of these on the request only after the password
was accepted or when the directory did not answer.
`manage.py login_throttle_clear` lifts limits and lockouts for an address, a user or the whole service.
"""

from __future__ import annotations

import ipaddress
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils.translation import ngettext

from intranet.accounts.ldap.backend import PROBLEM_ATTR
from intranet.audit.services import audit_record

from .client_address import address_bucket, client_address
from .throttle import Window

THROTTLED_ATTR = "serambi_login_throttled"
EVERYONE = "all"


def address_window() -> Window:
    return Window("login:address", settings.SERAMBI_LOGIN_ADDRESS_LIMIT, settings.SERAMBI_LOGIN_THROTTLE_SECONDS)


def global_window() -> Window:
    return Window("login:global", settings.SERAMBI_LOGIN_GLOBAL_LIMIT, settings.SERAMBI_LOGIN_THROTTLE_SECONDS)


def _refusal(request) -> tuple[str, Window, str] | None:
    bucket = address_bucket(client_address(request))
    for scope, window, subject in (("address", address_window(), bucket), ("global", global_window(), EVERYONE)):
        if window.exceeded(subject):
            return scope, window, subject
    return None


class LoginThrottleBackend:
    """First in AUTHENTICATION_BACKENDS: refuses an attempt over a login rate limit before any other backend runs.
    It authenticates nobody and has no get_user, so no session is ever bound to it (as django-axes' backend)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None  # management commands and tests' Client.login: no client to limit
        refused = _refusal(request)
        if refused is None:
            return None
        scope, window, subject = refused
        setattr(request, THROTTLED_ATTR, {"scope": scope, "retry_after": window.retry_after()})
        if window.first(subject, "refused"):
            audit_record(
                action="auth.throttled",
                request=request,
                outcome="denied",
                details={"scope": scope, "username": str(username or "")[:150], "limit": window.limit,
                         "window_seconds": window.seconds},
            )  # fmt: skip
        raise PermissionDenied(scope)  # stops the chain: no backend sees the password


def throttled(request) -> dict | None:
    """What refused this login attempt ({"scope", "retry_after"}), or None."""
    return getattr(request, THROTTLED_ATTR, None)


def counts_as_failure(request) -> bool:
    """Whether a failed login says something against the password: not when a rate limit refused it, nor when the
    directory noted a problem (unavailable, misconfigured, or an account it refuses despite the right password)."""
    return request is None or not (throttled(request) or getattr(request, PROBLEM_ATTR, None))


def failure_count(request) -> None:
    """Count one failed login against the client's address and the whole service."""
    if request is None or not counts_as_failure(request):
        return
    address_window().hit(address_bucket(client_address(request)))
    global_window().hit(EVERYONE)


def refusal_message(refusal: dict) -> str:
    minutes = max(math.ceil(refusal["retry_after"] / 60), 1)
    if refusal["scope"] == "address":
        text = ngettext(
            "Too many failed sign-in attempts from your network address. Try again in %(minutes)d minute.",
            "Too many failed sign-in attempts from your network address. Try again in %(minutes)d minutes.",
            minutes,
        )
    else:
        text = ngettext(
            "Sign-in is paused after an unusual number of failed attempts. Try again in %(minutes)d minute; "
            "if it persists, contact the IT helpdesk.",
            "Sign-in is paused after an unusual number of failed attempts. Try again in %(minutes)d minutes; "
            "if it persists, contact the IT helpdesk.",
            minutes,
        )
    return text % {"minutes": minutes}


def login_limits_clear(*, address: str | None = None, username: str | None = None, everyone: bool = False) -> dict:
    """Lift login limits: the lockouts of `username` and/or `address` (both given: that pair only), the address's
    rate limit, and with `everyone` the service-wide one. Audited. Returns what was cleared."""
    from axes.models import AccessAttempt

    from .lockout import username_from_request

    cleared: dict = {}
    attempts = AccessAttempt.objects.all()
    if address:
        address = str(ipaddress.ip_address(address))  # ValueError for anything else
        attempts = attempts.filter(ip_address=address)
        address_window().clear(address_bucket(address))
        cleared["address"] = address
    if username:
        username = username_from_request(None, {"username": username})
        attempts = attempts.filter(username=username)
        cleared["username"] = username
    if address or username:
        cleared["lockouts"] = attempts.delete()[0]
    if everyone:
        global_window().clear(EVERYONE)
        cleared["global"] = True
    if cleared:
        audit_record(action="auth.limits_cleared", details=cleared)
    return cleared
