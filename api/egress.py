"""Outbound webhook HTTP that cannot be turned against the internal network (SSRF).

A receiver URL is checked when it is subscribed and again at every delivery: the host is resolved, and every address
it resolves to must be public (not loopback, private, link-local, shared, multicast or reserved) unless
SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS names its network. The delivery then connects to the very address that was
checked (TLS still verifies the certificate against the host name), so a second DNS answer cannot redirect it
(DNS rebinding). Redirects are never followed: a 3xx is the receiver's answer, recorded as a failure.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

_DEFAULT_PORTS = {"http": 80, "https": 443}


class UnsafeReceiver(Exception):
    """The receiver URL is malformed or points somewhere a webhook may not go; the message is translated."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP address the connection goes to


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(n, strict=False) for n in getattr(settings, "SERAMBI_API_WEBHOOK_ALLOWED_NETWORKS", [])
    ]


def _address_allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:  # ::ffff:127.0.0.1 is 127.0.0.1
        ip = ip.ipv4_mapped
    if any(ip in net for net in _allowed_networks()):
        return True
    # is_global is False for loopback, RFC 1918, link-local (cloud metadata), CGNAT, documentation, reserved ranges.
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> tuple[str, str, int, str]:
    """Syntax only: (scheme, host, port, path-with-query). Raises UnsafeReceiver."""
    if not isinstance(url, str) or not url or len(url) > 500:
        raise UnsafeReceiver(_("The receiver URL must be an https:// address of at most 500 characters."))
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in url):
        raise UnsafeReceiver(_("The receiver URL must not contain spaces or control characters."))
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeReceiver(_("The receiver URL is not a valid address.")) from None
    allowed = ("https", "http") if getattr(settings, "SERAMBI_API_WEBHOOK_ALLOW_HTTP", False) else ("https",)
    if parts.scheme not in allowed or not parts.hostname:
        raise UnsafeReceiver(_("The receiver URL must be an https:// address."))
    if parts.username is not None or parts.password is not None:
        raise UnsafeReceiver(_("The receiver URL must not contain a user name or password."))
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return parts.scheme, parts.hostname, port or _DEFAULT_PORTS[parts.scheme], path


def resolve(url: str) -> Target:
    """Check the URL and resolve its host; every address must be allowed. Returns where to connect."""
    scheme, host, port, path = check_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise UnsafeReceiver(_("The receiver's host name could not be resolved.")) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise UnsafeReceiver(_("The receiver's host name could not be resolved."))
    if not all(_address_allowed(ip) for ip in addresses):
        # One internal answer is enough to refuse: a round-robin name must not smuggle in an internal address.
        raise UnsafeReceiver(
            _(
                "The receiver URL points to an internal or reserved network address; webhooks go to public receivers only."
            )
        )
    return Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self._address = target.address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout, context=ssl.create_default_context())
        self._address = target.address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        # SNI and certificate verification against the host name, over the pinned address.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST `body` to `url` (resolved and checked now) and return the HTTP status. Redirects are not followed."""
    target = resolve(url)
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    conn = connection_class(target, timeout)
    try:
        conn.request("POST", target.path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(64 * 1024)  # the answer is not used; read a little so the connection closes cleanly
        return response.status
    finally:
        conn.close()
