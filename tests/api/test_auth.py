"""Tokens: hashed, shown once; 401 for missing/unknown/revoked/expired tokens and for session cookies alone; 403 for
endpoints not granted; 429 over the rate limit; every call audited; error bodies consistent and translated."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from api.models import ApiClient
from api.services import api_client_revoke, api_client_set_token
from intranet.audit.models import AuditEntry
from tests import factories

URL = "/api/v1/employees"


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_token_is_stored_only_as_a_hash(make_client, org):
    client, token = make_client(units=[org["DIR1"]])
    assert token.startswith("srb_") and len(token) > 40
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = ApiClient.objects.filter(pk=client.pk).values().get()
    assert token not in {str(v) for v in stored.values()}


def test_missing_or_malformed_header_is_401(call, client, org):
    response = call(None, URL)
    assert_error(response, 401, "unauthorized")
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert_error(client.get(URL, HTTP_AUTHORIZATION="Basic dXNlcjpwdw=="), 401, "unauthorized")


def test_unknown_token_is_401(call, make_client, org):
    make_client(units=[org["DIR1"]])
    assert_error(call("srb_not-a-real-token", URL), 401, "invalid_token")


def test_valid_token_is_200(call, make_client, org, people):
    _client, token = make_client(units=[org["DIR1"]])
    response = call(token, URL)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-RateLimit-Limit"] == "60"


def test_revoked_and_expired_tokens_are_401(call, make_client, org):
    client, token = make_client(units=[org["DIR1"]])
    api_client_revoke(client=client)
    assert_error(call(token, URL), 401, "token_revoked")
    assert AuditEntry.objects.filter(action="api.client_created", object_id=str(client.pk)).exists()
    assert AuditEntry.objects.filter(action="api.client_revoked", object_id=str(client.pk)).exists()

    _c2, token2 = make_client(units=[org["DIR1"]], expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert_error(call(token2, URL), 401, "token_expired")


def test_rotating_a_token_invalidates_the_old_one(call, make_client, org):
    client, old = make_client(units=[org["DIR1"]])
    new = api_client_set_token(client=client)
    assert_error(call(old, URL), 401, "invalid_token")
    assert call(new, URL).status_code == 200


@pytest.mark.parametrize("roles", [[], [factories.Role.ADMINISTRATOR, factories.Role.HR_OFFICER]])
def test_a_session_cookie_alone_never_grants_access(client, org, people, roles):
    """Logged in (even as an administrator with HR scope), but no token: 401 JSON, not data and not a redirect."""
    user = people["dir1"].user
    factories.grant_roles(user, *roles)
    client.force_login(user)
    response = client.get(URL)
    assert_error(response, 401, "unauthorized")


def test_session_user_does_not_widen_a_token(client, make_client, org, people):
    """A token plus the session of an HR officer with a wider scope: the token's scope alone counts."""
    hr = factories.EmployeeFactory(unit=org["KEM"]).user
    factories.give_scope(hr, org["KEM"])
    client.force_login(hr)
    _c, token = make_client(units=[org["DIR2"]])
    response = client.get(URL, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert {e["name"] for e in response.json()["items"]} == {"Citra Lain"}


def test_endpoint_not_granted_is_403(call, make_client, org):
    _c, token = make_client(units=[org["DIR1"]], endpoints=["units"])
    assert call(token, "/api/v1/units").status_code == 200
    assert_error(call(token, URL), 403, "forbidden")
    assert_error(call(token, "/api/v1/leave"), 403, "forbidden")
    assert_error(call(token, "/api/v1/holidays/2026"), 403, "forbidden")


def test_rate_limit_answers_429_with_retry_after(call, make_client, org):
    _c, token = make_client(units=[org["DIR1"]], rate_limit=3)
    for _ in range(3):
        assert call(token, URL).status_code == 200
    response = call(token, URL)
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 61
    assert response["X-RateLimit-Remaining"] == "0"
    # another client is not affected
    _c2, other = make_client(units=[org["DIR1"]], rate_limit=3)
    assert call(other, URL).status_code == 200


def test_a_lowered_limit_applies_at_once(call, make_client, org):
    """An administrator lowers a client's limit below what it has already called this minute: its next call is
    refused, with the usual headers."""
    client, token = make_client(units=[org["DIR1"]], rate_limit=5)
    for _ in range(4):
        assert call(token, URL).status_code == 200
    ApiClient.objects.filter(pk=client.pk).update(rate_limit=2)
    response = call(token, URL)
    assert_error(response, 429, "rate_limited")
    assert 1 <= int(response["Retry-After"]) <= 61
    assert response["X-RateLimit-Limit"] == "2" and response["X-RateLimit-Remaining"] == "0"


def test_every_call_is_audited_with_client_endpoint_and_status(call, make_client, org):
    client, token = make_client(units=[org["DIR1"]], endpoints=["employees"])
    call(token, URL)
    call(token, "/api/v1/units")
    call("srb_wrong", URL)
    entries = list(AuditEntry.objects.filter(action="api.call").order_by("id"))
    assert [(e.details["client"], e.details["endpoint"], e.details["status"], e.outcome) for e in entries] == [
        (client.name, "employees", 200, "allowed"),
        (client.name, "units", 403, "denied"),
        (None, "employees", 401, "denied"),
    ]
    assert entries[0].object_id == str(client.pk)
    assert entries[0].actor is None


def test_error_messages_follow_accept_language(client, org):
    en = client.get(URL, HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    id_ = client.get(URL, HTTP_ACCEPT_LANGUAGE="id").json()["error"]["message"]
    assert en.startswith("Authentication required")
    assert id_ != en


def test_invalid_parameters_use_the_same_error_body(call, make_client, org):
    _c, token = make_client(units=[org["DIR1"]])
    assert_error(call(token, URL, limit=5000), 422, "invalid_request")
    assert_error(call(token, URL, cursor="garbage"), 400, "invalid_cursor")
    assert_error(call(token, "/api/v1/holidays/1800"), 404, "not_found")


def test_management_command_prints_a_working_token_once(call, org, people):
    out = io.StringIO()
    call_command(
        "api_client_create",
        "SIMPEG Absensi",
        "--endpoints",
        "employees",
        "--units",
        "DIR1",
        "--rate-limit",
        "10",
        stdout=out,
    )
    token = out.getvalue().strip().splitlines()[-1]
    client = ApiClient.objects.get(name="SIMPEG Absensi")
    assert client.rate_limit == 10 and client.expires_at is not None
    assert call(token, URL).status_code == 200


def test_admin_shows_a_new_token_once(client, org):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/django-admin/api/apiclient/add/",
        {
            "name": "Portal",
            "description": "",
            "contact_email": "",
            "endpoints": ["units"],
            "units": [org["DJ1"].pk],
            "expires_at_0": "",
            "expires_at_1": "",
            "rate_limit": "30",
        },
    )
    assert response.status_code == 200, response.content[:2000]
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    api_client = ApiClient.objects.get(name="Portal")
    token = html.split('value="srb_', 1)[1].split('"', 1)[0]
    assert api_client.token_hash == hashlib.sha256(("srb_" + token).encode()).hexdigest()
    change = client.get(f"/django-admin/api/apiclient/{api_client.pk}/change/").content.decode()
    assert token not in change


def test_unexpected_errors_are_json_500_without_traceback_and_audited(call, make_client, org, monkeypatch, settings):
    from api import selectors

    settings.DEBUG = True  # django-ninja would otherwise answer with the traceback in DEBUG

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(selectors, "units_page", boom)
    _c, token = make_client(units=[org["DIR1"]])
    response = call(token, "/api/v1/units")
    assert_error(response, 500, "server_error")
    assert b"secret internals" not in response.content and b"Traceback" not in response.content
    assert AuditEntry.objects.filter(action="api.call", details__status=500).exists()
