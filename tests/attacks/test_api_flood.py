"""Flooding the agency API without a valid token: every token route (derived from the URL resolver) counts the
failures of the caller's address, refuses it with 429 past SERAMBI_API_ANONYMOUS_LIMIT before any token lookup, and
writes a bounded summary to the audit trail instead of a row per call."""

import pytest
from django.urls import resolve

from api.models import Endpoint
from api.services import api_client_create
from intranet.audit.models import AuditEntry
from tests.intranet.security.routes import all_routes, sample_path
from tests.query_bounds import queries

from .proxy_fixtures import ATTACKER, VICTIM_DESK, behind_proxy, cache_down, via_proxy  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def _token_routes() -> list[str]:
    paths = []
    for route, _name in all_routes():
        if not route.startswith("api/v1/"):
            continue
        path = sample_path(route)
        if getattr(resolve(path).func, "serambi_access", None) == "api-token":
            paths.append(path)
    return paths


TOKEN_ROUTES = _token_routes()


def _call(client, path, token="tebakan",  # noqa: S107 - a guessed token
          address=ATTACKER, forwarded=None):
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}", **via_proxy(address, forwarded))


def test_a_flood_over_every_token_route_is_refused_and_summarised(client, behind_proxy, org):  # noqa: F811
    assert len(TOKEN_ROUTES) >= 5, TOKEN_ROUTES
    behind_proxy.SERAMBI_API_ANONYMOUS_LIMIT = 10
    _client, token = api_client_create(name="SIMPEG", units=[org["DIR1"]], endpoints=list(Endpoint.values))
    statuses = [_call(client, path).status_code for _ in range(3) for path in TOKEN_ROUTES]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    refused = _call(client, TOKEN_ROUTES[0])
    assert refused.json()["error"]["code"] == "rate_limited" and int(refused["Retry-After"]) > 0
    # Refused before any token lookup: no query touches the API clients.
    with queries() as q:
        _call(client, TOKEN_ROUTES[0])
    assert not q.touching("api_apiclient"), q.listing()
    # Forged X-Forwarded-For entries do not give the attacker a fresh count.
    assert _call(client, TOKEN_ROUTES[0], forwarded=f"198.51.100.7, {ATTACKER}").status_code == 429
    # The trail: one row for the first failure, one for the refusal (with the count), all at the attacker's address.
    rows = list(AuditEntry.objects.filter(action__in=["api.call", "api.throttled"]).order_by("pk"))
    assert [(e.action, e.details["status"], e.ip) for e in rows] == [
        ("api.call", 401, ATTACKER),
        ("api.throttled", 429, ATTACKER),
    ]
    assert rows[1].details["failures_this_minute"] == 10
    # A system with a valid token at another address is served, and each of its calls is still audited.
    assert _call(client, "/api/v1/units", token=token, address=VICTIM_DESK).status_code == 200
    assert AuditEntry.objects.filter(action="api.call", ip=VICTIM_DESK, outcome="allowed").count() == 1


def test_valid_calls_do_not_count_toward_the_limit(client, behind_proxy, org):  # noqa: F811
    """A system calling correctly from an address does not use up that address's allowance of failures."""
    behind_proxy.SERAMBI_API_ANONYMOUS_LIMIT = 2
    _client, token = api_client_create(
        name="SIMPEG", units=[org["DIR1"]], endpoints=list(Endpoint.values), rate_limit=100
    )
    assert {_call(client, "/api/v1/units", token=token).status_code for _ in range(5)} == {200}
    assert [_call(client, "/api/v1/units").status_code for _ in range(3)] == [401, 401, 429]


def test_an_ipv6_host_is_counted_by_its_64(client, behind_proxy):  # noqa: F811
    """A host is given a whole /64: each of its addresses counting apart would give it 2^64 fresh allowances."""
    behind_proxy.SERAMBI_API_ANONYMOUS_LIMIT = 2
    statuses = [_call(client, TOKEN_ROUTES[0], address=f"2001:db8:7:9::{n:x}").status_code for n in range(1, 5)]
    assert statuses == [401, 401, 429, 429]
    assert _call(client, TOKEN_ROUTES[0], address="2001:db8:7:a::1").status_code == 401  # another /64: its own count


def test_parallel_calls_never_get_past_a_clients_limit(behind_proxy):  # noqa: F811
    """Each call is one atomic increment in the shared cache, so calls arriving together cannot overwrite each other's
    count (ninja's stock throttle reads a list of call times and writes it back: 138 of these 160 calls got through)."""
    import threading
    from types import SimpleNamespace

    from api.auth import ClientRateThrottle

    request = SimpleNamespace(auth=SimpleNamespace(pk=987_654, rate_limit=30))
    allowed, start = [], threading.Barrier(8)

    def caller():
        start.wait()
        allowed.extend(1 for _ in range(20) if ClientRateThrottle().allow_request(request))

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allowed) == 30


def test_the_command_lifts_the_address(client, behind_proxy):  # noqa: F811
    from django.core.management import call_command

    behind_proxy.SERAMBI_API_ANONYMOUS_LIMIT = 1
    _call(client, TOKEN_ROUTES[0])
    assert _call(client, TOKEN_ROUTES[0]).status_code == 429
    call_command("login_throttle_clear", "--address", ATTACKER)
    assert _call(client, TOKEN_ROUTES[0]).status_code == 401


def test_cache_down_no_500_and_no_flood_of_rows(client, cache_down):  # noqa: F811
    cache_down.SERAMBI_API_ANONYMOUS_LIMIT = 1
    assert {_call(client, path).status_code for path in TOKEN_ROUTES} == {401}
    assert AuditEntry.objects.filter(action__in=["api.call", "api.throttled"]).count() <= 1
