"""Password spraying: one password tried on many usernames never reaches any account's lockout, so failed logins are
also limited per client address and across the service — refused before any password check, with a translated
message, audited once per window, and lifted by `login_throttle_clear`. A directory outage counts toward nothing, and
a cache outage fails safe: the database-backed lockout still holds and nothing answers 500."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.core.management.base import CommandError

from intranet.accounts.ldap import breaker
from intranet.audit.models import AuditEntry
from tests.ldap_server import USER_PASSWORD, ldap_private_server, ldap_server, ldap_settings  # noqa: F401

from .proxy_fixtures import (  # noqa: F401 - fixtures
    ATTACKER,
    PASSWORD,
    VICTIM_DESK,
    behind_proxy,
    cache_down,
    logged_in,
    login,
    victim,
)

pytestmark = pytest.mark.django_db
SPRAYED = "Jakarta2026!"
ADDRESS_MESSAGE = "Too many failed sign-in attempts from your network address."
GLOBAL_MESSAGE = "Sign-in is paused after an unusual number of failed attempts."


def test_sixty_usernames_from_one_address_stop_at_the_address_limit(client, victim, behind_proxy):  # noqa: F811
    behind_proxy.SERAMBI_LOGIN_ADDRESS_LIMIT = 20
    answers = [login(client, f"pegawai{n:02d}", SPRAYED) for n in range(59)]
    assert [r.status_code for r in answers] == [200] * 20 + [429] * 39
    refused = answers[-1]
    assert ADDRESS_MESSAGE in refused.content.decode() and int(refused["Retry-After"]) > 0
    # The sprayed password is right for the 60th account: refused all the same, before any password check.
    assert login(client, victim.username, PASSWORD).status_code == 429 and not logged_in(client)
    # Audited: every counted failure, and the refusal once — not 40 rows of refusals.
    assert AuditEntry.objects.filter(action="auth.login_failed").count() == 20
    throttled = AuditEntry.objects.get(action="auth.throttled")
    assert (throttled.ip, throttled.outcome, throttled.details["scope"]) == (ATTACKER, "denied", "address")
    assert not AccessAttempt.objects.filter(username=victim.username).exists(), "refusals do not lock the account"
    # A colleague at another desk behind the same proxy is not affected.
    assert login(client, victim.username, PASSWORD, address=VICTIM_DESK).status_code == 302


def test_the_refusal_is_translated(client, behind_proxy):  # noqa: F811
    behind_proxy.SERAMBI_LOGIN_ADDRESS_LIMIT = 1
    login(client, "pegawai01", SPRAYED)
    english = login(client, "pegawai02", SPRAYED, language="en")
    indonesian = login(client, "pegawai03", SPRAYED, language="id")
    assert english.status_code == indonesian.status_code == 429
    assert english.context["form"].non_field_errors().as_data()[0].code == "throttled"
    assert ADDRESS_MESSAGE not in indonesian.content.decode(), "Indonesian users read Indonesian"


def test_many_addresses_stop_at_the_global_limit(client, victim, behind_proxy):  # noqa: F811
    behind_proxy.SERAMBI_LOGIN_ADDRESS_LIMIT = 20
    behind_proxy.SERAMBI_LOGIN_GLOBAL_LIMIT = 30
    for n in range(30):
        assert login(client, f"pegawai{n:02d}", SPRAYED, address=f"198.51.100.{n % 3 + 1}").status_code == 200
    for n in range(10):  # a fresh address, after the service-wide limit
        response = login(client, f"lain{n}", SPRAYED, address="192.0.2.200")
        assert response.status_code == 429 and GLOBAL_MESSAGE in response.content.decode()
    assert AuditEntry.objects.filter(action="auth.throttled", details__scope="global").count() == 1
    call_command("login_throttle_clear", "--global")
    assert login(client, victim.username, PASSWORD, address=VICTIM_DESK).status_code == 302
    assert AuditEntry.objects.filter(action="auth.limits_cleared", details__global=True).exists()


def test_the_command_lifts_an_address_and_a_users_lockout(client, victim, behind_proxy):  # noqa: F811
    behind_proxy.SERAMBI_LOGIN_ADDRESS_LIMIT = 6
    behind_proxy.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        login(client, victim.username, "tebakan-salah")
    for n in range(3):
        login(client, f"pegawai{n}", SPRAYED)
    assert login(client, "pegawai9", SPRAYED).status_code == 429
    call_command("login_throttle_clear", "--address", ATTACKER)
    assert login(client, "pegawai9", SPRAYED).status_code == 200, "the address may try again"
    assert not AccessAttempt.objects.filter(username=victim.username).exists(), "its lockouts went with it"
    for _ in range(3):
        login(client, victim.username, "tebakan-salah", address="192.0.2.9")
    call_command("login_throttle_clear", "--username", victim.username.upper())
    assert login(client, victim.username, PASSWORD, address="192.0.2.9").status_code == 302
    cleared = AuditEntry.objects.filter(action="auth.limits_cleared").order_by("pk")
    assert [e.details.get("address") or e.details.get("username") for e in cleared] == [ATTACKER, victim.username]
    with pytest.raises(CommandError):
        call_command("login_throttle_clear")
    with pytest.raises(CommandError, match="Not an IP address"):
        call_command("login_throttle_clear", "--address", "not-an-address")


# --- outages ------------------------------------------------------------------------------------------------------------
def test_cache_down_fails_safe_the_lockout_still_holds(client, victim, cache_down):  # noqa: F811
    cache_down.AXES_FAILURE_LIMIT = 3
    cache_down.SERAMBI_LOGIN_ADDRESS_LIMIT = 1
    assert login(client, "pegawai01", SPRAYED).status_code == 200
    assert login(client, "pegawai02", SPRAYED).status_code == 200, "no counter to read: the rate limit is not enforced"
    assert [login(client, victim.username, "tebakan-salah").status_code for _ in range(3)] == [200, 200, 429]
    assert login(client, victim.username, PASSWORD, address=VICTIM_DESK).status_code == 302


@pytest.mark.slapd
def test_a_directory_outage_counts_toward_no_lockout(client, behind_proxy, ldap_settings, ldap_private_server):  # noqa: F811
    """Employees retrying while the directory is down must find their account open when it is back."""
    ldap_settings(server=ldap_private_server, LDAP_CONNECT_TIMEOUT=1, LDAP_RECEIVE_TIMEOUT=2)
    behind_proxy.AXES_FAILURE_LIMIT = 3
    behind_proxy.SERAMBI_LOGIN_ADDRESS_LIMIT = 3
    ldap_private_server.stop()
    for _ in range(5):
        assert login(client, "siti", USER_PASSWORD, address=VICTIM_DESK).status_code == 200
    assert not AccessAttempt.objects.exists()
    ldap_private_server.start()
    breaker.reset([ldap_private_server.uri])  # the circuit breaker's period is over (LDAP_CIRCUIT_SECONDS)
    assert login(client, "siti", USER_PASSWORD, address=VICTIM_DESK).status_code == 302 and logged_in(client)
