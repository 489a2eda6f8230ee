"""Bearer-token authentication, rate limiting and the audited gate every API route passes through.

The gate ignores the session entirely (`request.user` is replaced by an anonymous user before anything runs), so a
logged-in browser cookie never grants API access. Order: per-address limit on failed authentications (429) → token
(401) → per-client rate limit (429) → endpoint allowed (403).

Calls without a valid token are audited in a bounded summary, not one entry each (that would let anyone flood the
trail): per client address and minute, the first failure and, when the address goes over
`SERAMBI_API_ANONYMOUS_LIMIT`, one `api.throttled` entry with the count; further refusals are answered, not written."""

import hmac
from functools import wraps

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from intranet.audit.services import audit_record
from intranet.security.client_address import address_bucket, client_address
from intranet.security.throttle import Window

from .errors import ApiError, from_exception
from .models import ApiClient
from .selectors import client_by_token_hash
from .services import api_client_touch, token_hash

RATE_WINDOW = 60  # seconds


def authenticate(request) -> ApiClient:
    scheme, _sep, token = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise ApiError(
            401, "unauthorized", _("Authentication required: send the header Authorization: Bearer <token>.")
        )
    digest = token_hash(token)
    client = client_by_token_hash(digest)
    if client is None or not hmac.compare_digest(client.token_hash, digest):
        raise ApiError(401, "invalid_token", _("The token is not valid."))
    if client.revoked_at is not None:
        raise ApiError(401, "token_revoked", _("The token has been revoked."))
    if not client.is_usable():
        raise ApiError(401, "token_expired", _("The token has expired."))
    return client


def rate_limit(client: ApiClient) -> dict:
    """Fixed one-minute window per client in the shared cache. Returns the headers to add; raises 429 when over."""
    window = Window("api:client", client.rate_limit, RATE_WINDOW)
    count = window.hit(str(client.pk))
    reset = window.retry_after()
    headers = {
        "X-RateLimit-Limit": str(client.rate_limit),
        "X-RateLimit-Remaining": str(max(client.rate_limit - count, 0)),
        "X-RateLimit-Reset": str(reset),
    }
    if count > client.rate_limit:
        raise ApiError(
            429,
            "rate_limited",
            _("Too many requests: at most %(limit)d per minute. Try again in %(seconds)d seconds.")
            % {"limit": client.rate_limit, "seconds": reset},
            headers={**headers, "Retry-After": str(reset)},
        )
    return headers


def anonymous_window() -> Window:
    return Window("api:anonymous", settings.SERAMBI_API_ANONYMOUS_LIMIT, RATE_WINDOW)


def _refuse_flooding_address(window: Window, bucket: str) -> None:
    if window.exceeded(bucket):
        retry = window.retry_after()
        raise ApiError(
            429,
            "rate_limited",
            _("Too many requests without a valid token from this address. Try again in %(seconds)d seconds.")
            % {"seconds": retry},
            headers={"Retry-After": str(retry)},
        )


def _audit_anonymous(request, window: Window, bucket: str, endpoint: str, status: int, code: str) -> None:
    """A bounded summary of calls without a valid token: see the module docstring."""
    throttled = status == 429
    if not window.first(bucket, "refused" if throttled else "audited"):
        return
    audit_record(
        action="api.throttled" if throttled else "api.call",
        request=request,
        outcome="denied",
        details={"client": None, "code": code, "endpoint": endpoint, "method": request.method, "path": request.path,
                 "status": status, "failures_this_minute": window.count(bucket)},
    )  # fmt: skip


def gate(view, endpoint: str):
    """Wrap one API URL: exempt from the login redirect and CSRF (no cookies are used), authenticate the bearer
    token, rate-limit, check the endpoint grant, run the view, and audit the call with its final status."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.user = AnonymousUser()
        client = None
        limit_headers = {}
        code = ""
        anonymous, bucket = anonymous_window(), address_bucket(client_address(request))
        try:
            _refuse_flooding_address(anonymous, bucket)
            try:
                client = authenticate(request)
            except ApiError:
                anonymous.hit(bucket)
                raise
            limit_headers = rate_limit(client)
            if not client.allows(endpoint):
                raise ApiError(403, "forbidden", _("This client may not call this endpoint."))
            request.api_client = client
            response = view(request, *args, **kwargs)
        except ApiError as exc:
            code = exc.code
            response = from_exception(exc)
        for name, value in limit_headers.items():
            response.setdefault(name, value)
        response.setdefault("Cache-Control", "no-store")
        if client is None:
            _audit_anonymous(request, anonymous, bucket, endpoint, response.status_code, code)
            return response
        api_client_touch(client=client)
        audit_record(
            action="api.call",
            request=request,
            object_type="api.apiclient" if client else "",
            object_id=str(client.pk) if client else "",
            outcome="allowed" if response.status_code < 400 else "denied",
            details={
                "client": client.name if client else None,
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


class ClientBearer(HttpBearer):
    """Declares bearer auth in the OpenAPI document; the gate has already authenticated the client."""

    def authenticate(self, request, token):
        return getattr(request, "api_client", None)
