"""Who may call the API and how often, on django-ninja's own extension points, and the audited frame of every route.

Order: per-address limit on failed authentications (429, `FailedAuthThrottle`, checked before any token lookup) →
token (401, `ClientBearer`) → per-client rate limit (429, `ClientRateThrottle`) → endpoint granted (403,
`endpoint_granted`). `gate` wraps each URL: it ignores the session entirely (`request.user` is replaced by an
anonymous user before anything runs), so a logged-in browser cookie never grants API access, and audits the call.

Calls without a valid token are audited in a bounded summary, not one entry each (that would let anyone flood the
trail): per client address and minute, the first failure and, when the address goes over
`SERAMBI_API_ANONYMOUS_LIMIT`, one `api.throttled` entry with the count; further refusals are answered, not written."""

import hmac
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponseNotAllowed
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, Throttled
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from intranet.audit.services import audit_record
from intranet.security.client_address import address_bucket, client_address
from intranet.security.throttle import Window

from .errors import ApiError
from .selectors import client_by_token_hash
from .services import api_client_touch, token_hash

# Both limits count in the fixed windows of `intranet.security.throttle`: one atomic increment per call. ninja's stock
# SimpleRateThrottle reads a list of call times and writes it back, so calls arriving together overwrite each other:
# on Redis, 8 parallel callers of one client with a limit of 30 got 129–154 calls through (32 callers: 490–623).
WINDOW_SECONDS = 60


class FailedAuthThrottle(BaseThrottle):
    """Calls without a valid token per client address (an IPv6 address by its /64, which one host usually holds whole),
    `SERAMBI_API_ANONYMOUS_LIMIT` a minute (0: no limit). Only failures count: `ClientBearer` asks `allow_request`
    before the token lookup and `record`s a failure after it."""

    def __init__(self):
        self.window = Window("api:anonymous", settings.SERAMBI_API_ANONYMOUS_LIMIT, WINDOW_SECONDS)

    def get_ident(self, request) -> str:
        return address_bucket(client_address(request))

    def allow_request(self, request) -> bool:
        self.ident = self.get_ident(request)
        return not self.window.exceeded(self.ident)

    def wait(self) -> int:
        return self.window.retry_after()

    def record(self) -> None:
        self.window.hit(self.ident)

    def clear(self, address: str | None) -> None:
        self.window.clear(address_bucket(address))


class ClientBearer(HttpBearer):
    """`Authorization: Bearer <token>` → the ApiClient; missing or malformed: 401 `unauthorized` (the API's
    AuthenticationError handler), unknown, revoked or expired: 401 with its own code."""

    def __call__(self, request):
        failures = FailedAuthThrottle()
        if not failures.allow_request(request):
            _audit_refusal(request, failures, 429, "rate_limited")
            raise Throttled(wait=failures.wait())
        try:
            client = super().__call__(request)
        except ApiError as exc:
            failures.record()
            _audit_refusal(request, failures, exc.status, exc.code)
            raise
        if client is None:
            failures.record()
            _audit_refusal(request, failures, 401, "unauthorized")
        return client

    def authenticate(self, request, token):
        token = token.strip()
        if not token:
            return None
        digest = token_hash(token)
        client = client_by_token_hash(digest)
        if client is None or not hmac.compare_digest(client.token_hash, digest):
            raise ApiError(401, "invalid_token", _("The token is not valid."))
        if client.revoked_at is not None:
            raise ApiError(401, "token_revoked", _("The token has been revoked."))
        if not client.is_usable():
            raise ApiError(401, "token_expired", _("The token has expired."))
        return client


class ClientRateThrottle(BaseThrottle):
    """Each client's own `rate_limit` a minute. Leaves the X-RateLimit-* headers on the request for `gate` to send with
    whatever the call answers."""

    def allow_request(self, request) -> bool:
        client = request.auth
        window = Window("api:client", client.rate_limit, WINDOW_SECONDS)
        count = window.hit(str(client.pk))
        request.rate_limit_headers = {
            "X-RateLimit-Limit": str(client.rate_limit),
            "X-RateLimit-Remaining": str(max(client.rate_limit - count, 0)),
            "X-RateLimit-Reset": str(window.retry_after()),
        }
        return count <= client.rate_limit

    def wait(self) -> int:
        return Window("api:client", 0, WINDOW_SECONDS).retry_after()  # the end of the current window, for any client


def endpoint_granted(view_func):
    """Runs after authentication and the rate limit (an "operation" decorator of the API): the client must have been
    granted the endpoint that `gate` named."""

    @wraps(view_func)
    def check(request, *args, **kwargs):
        if not request.auth.allows(request.api_endpoint):
            raise ApiError(403, "forbidden", _("This client may not call this endpoint."))
        return view_func(request, *args, **kwargs)

    return check


def _audit_refusal(request, failures: FailedAuthThrottle, status: int, code: str) -> None:
    """A bounded summary of calls without a valid token: see the module docstring."""
    throttled = status == 429
    if not failures.window.first(failures.ident, "refused" if throttled else "audited"):
        return
    audit_record(
        action="api.throttled" if throttled else "api.call",
        request=request,
        outcome="denied",
        details={"client": None, "code": code, "endpoint": request.api_endpoint, "method": request.method,
                 "path": request.path, "status": status, "failures_this_minute": failures.window.count(failures.ident)},
    )  # fmt: skip


def _refuse_unauthenticated(request, api):
    """ninja answers a method the route does not serve (405) before it authenticates: a caller without a valid token
    gets the API's usual refusal instead, counted as a failure like any other."""
    try:
        request.auth = ClientBearer()(request)
    except Exception as exc:  # answered by the API's handlers, as ninja does for its own auth
        return api.on_exception(request, exc)
    return None if request.auth else api.on_exception(request, AuthenticationError())


def gate(view, endpoint: str, api):
    """Wrap one URL of `api`: exempt from the login redirect and CSRF (no cookies are used), without the session,
    named `endpoint` for the grant and the audit; once the API has answered, audit a client's call with its status."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.user = AnonymousUser()
        request.api_endpoint = endpoint
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            response = _refuse_unauthenticated(request, api) or response
        response.setdefault("Cache-Control", "no-store")
        client = getattr(request, "auth", None)
        if client is None:
            return response  # refused before a client was known: ClientBearer has audited it
        for name, value in getattr(request, "rate_limit_headers", {}).items():
            response.setdefault(name, value)
        api_client_touch(client=client)
        audit_record(
            action="api.call",
            request=request,
            object_type="api.apiclient",
            object_id=str(client.pk),
            outcome="allowed" if response.status_code < 400 else "denied",
            details={
                "client": client.name,
                "endpoint": endpoint,
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
            },
        )
        return response

    wrapped.login_required = False  # what @login_not_required sets; the LoginRequiredMiddleware reads it
    wrapped.csrf_exempt = True
    wrapped.serambi_access = "api-token"
    return wrapped
