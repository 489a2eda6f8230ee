"""The shipped nginx config, run for real on loopback in front of the app: the address the app records is the one
the client connected from, whatever X-Forwarded-For the client sends.

The client connects from 127.0.0.3; nginx reaches the app from 127.0.0.1. Calls with a bad API token are audited with
the client's address and counted by it, so forged headers neither hide the caller nor reset its count."""

import http.client
import ssl

import pytest

from intranet.audit.models import AuditEntry
from tests.nginx_server import nginx  # noqa: F401 (fixture)

CLIENT = "127.0.0.3"


def _get(server, path: str, headers: dict) -> int:
    port = int(server.base_url.rsplit(":", 1)[1])
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE  # a throwaway self-signed certificate
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, source_address=(CLIENT, 0), timeout=10)
    try:
        conn.request("GET", path, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


@pytest.mark.django_db(transaction=True)
def test_through_the_shipped_nginx_the_app_sees_the_client(nginx, settings):  # noqa: F811
    settings.SERAMBI_TRUSTED_PROXY_COUNT = 1
    settings.SERAMBI_API_ANONYMOUS_LIMIT = 2
    settings.ALLOWED_HOSTS = ["*"]
    statuses = [
        _get(nginx, "/api/v1/units", {"Authorization": "Bearer tebakan", "X-Forwarded-For": f"198.51.100.{n}"})
        for n in range(4)
    ]
    assert statuses == [401, 401, 429, 429], "forged headers did not give the caller a fresh count"
    first = AuditEntry.objects.filter(action="api.call").get()
    assert first.ip == CLIENT, "the trail names the client, not nginx nor a forged address"
