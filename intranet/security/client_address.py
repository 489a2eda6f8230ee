"""The client's network address, as the deployment's trusted reverse proxies report it.

Behind `SERAMBI_TRUSTED_PROXY_COUNT` proxies, each proxy appends the address it received the connection from to
`X-Forwarded-For`, and the last proxy's own address is `REMOTE_ADDR`. The client is the entry that many places from
the right of `X-Forwarded-For, REMOTE_ADDR`; anything further left was written by the client and is ignored, so a
forged header cannot choose the address that lockouts, rate limits and the audit trail see. With no proxy (0),
`REMOTE_ADDR` is the client and the header is ignored entirely.

Every reader of the client address goes through `client_address(request)`: the login lockout (django-axes'
`AXES_CLIENT_IP_CALLABLE`), the login and API rate limits, the session list and the audit trail.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings

logger = logging.getLogger(__name__)

_CACHED = "_serambi_client_address"


def _normalise(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "192.0.2.1:443"
        value = value.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return str(address)


def client_address(request) -> str | None:
    """The client's IP address (normalised text), or None when the request has none."""
    if request is None:
        return None
    cached = request.__dict__.get(_CACHED, False)
    if cached is not False:
        return cached
    meta = request.META
    remote = _normalise(meta.get("REMOTE_ADDR") or "")
    trusted = max(int(getattr(settings, "SERAMBI_TRUSTED_PROXY_COUNT", 0) or 0), 0)
    address = remote
    if trusted and remote is not None:
        forwarded = [part for part in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if part.strip()]
        chain = [*forwarded, remote]
        # A shorter chain came through fewer proxies (a health check straight to the app server): every entry in it
        # was still written by a trusted hop, so its leftmost entry is the client.
        picked = _normalise(chain[max(len(chain) - (trusted + 1), 0)])
        if picked is None:
            logger.warning("X-Forwarded-For entry from a trusted proxy is not an address; using the peer address")
        else:
            address = picked
    request.__dict__[_CACHED] = address
    return address


def address_bucket(address: str | None) -> str:
    """The unit a rate limit counts: the address itself, or for IPv6 its /64 (one host usually holds a whole /64)."""
    if not address:
        return "unknown"
    parsed = ipaddress.ip_address(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)
