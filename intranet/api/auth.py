"""Bearer-token authentication, rate limiting and the audited gate every API route passes through.

The gate ignores the session entirely (`request.user` is replaced by an anonymous user before anything runs), so a
logged-in browser cookie never grants API access. Order: token (401) → rate limit (429) → endpoint allowed (403)."""

import hmac
import time
from functools import wraps

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from intranet.audit.services import audit_record

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
    now = time.time()
    bucket = int(now // RATE_WINDOW)
    key = f"serambi:api:rate:{client.pk}:{bucket}"
    cache.add(key, 0, timeout=RATE_WINDOW + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=RATE_WINDOW + 5)
        count = 1
    reset = max(int((bucket + 1) * RATE_WINDOW - now) + 1, 1)
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


def gate(view, endpoint: str):
    """Wrap one API URL: exempt from the login redirect and CSRF (no cookies are used), authenticate the bearer
    token, rate-limit, check the endpoint grant, run the view, and audit the call with its final status."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        request.user = AnonymousUser()
        client = None
        limit_headers = {}
        try:
            client = authenticate(request)
            limit_headers = rate_limit(client)
            if not client.allows(endpoint):
                raise ApiError(403, "forbidden", _("This client may not call this endpoint."))
            request.api_client = client
            response = view(request, *args, **kwargs)
        except ApiError as exc:
            response = from_exception(exc)
        for name, value in limit_headers.items():
            response.setdefault(name, value)
        response.setdefault("Cache-Control", "no-store")
        if client is not None:
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
