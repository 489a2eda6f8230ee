"""Behind the shipped proxy, one attacker must not lock anyone else out, nor choose the address the trail records.

Every request reaches the app from the proxy's address; the client is in X-Forwarded-For. The lockout counts per
username *and* client address, so an attacker elsewhere locks only her own address out of the account — the
break-glass administrator included — and a forged X-Forwarded-For neither evades the lockout nor frames a colleague."""

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory

from intranet.audit.models import AuditEntry
from intranet.security.client_address import address_bucket, client_address
from intranet.security.models import UserSession

from .proxy_fixtures import (  # noqa: F401 - fixtures
    ATTACKER,
    PASSWORD,
    PROXY,
    VICTIM_DESK,
    behind_proxy,
    break_glass,
    logged_in,
    login,
    victim,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["victim", "break_glass"])
def target(request, behind_proxy):  # noqa: F811
    return request.getfixturevalue(request.param)


def test_an_attacker_elsewhere_cannot_lock_a_user_out_of_her_own_desk(client, target, behind_proxy):  # noqa: F811
    behind_proxy.AXES_FAILURE_LIMIT = 5
    answers = [login(client, target.username, "tebakan-salah").status_code for _ in range(6)]
    assert answers == [200] * 4 + [429, 429], "the attacker's own address is locked out of the account"
    # The owner, at her desk, behind the same proxy: not locked.
    response = login(client, target.username, PASSWORD, address=VICTIM_DESK)
    assert response.status_code == 302 and logged_in(client)
    attempt = AccessAttempt.objects.get()
    assert (attempt.username, attempt.ip_address) == (target.username, ATTACKER)


def test_forged_forwarded_for_neither_evades_the_lockout_nor_frames_a_colleague(client, victim, behind_proxy):  # noqa: F811
    """A proxy that appends ($proxy_add_x_forwarded_for) keeps what the client sent on the left: only the entry the
    trusted proxy wrote counts. The shipped nginx replaces the header, which leaves the client nothing to forge."""
    behind_proxy.AXES_FAILURE_LIMIT = 3
    answers = [
        login(client, victim.username, "tebakan-salah", forwarded=f"{VICTIM_DESK}, 198.51.100.{n}, {ATTACKER}").status_code
        for n in range(4)
    ]
    assert answers == [200, 200, 429, 429], "rotating forged entries did not reset the count"
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}
    assert login(client, victim.username, PASSWORD, address=VICTIM_DESK).status_code == 302


def test_audit_and_session_list_record_the_client_not_the_proxy(client, victim, behind_proxy):  # noqa: F811
    login(client, victim.username, "tebakan-salah", forwarded=f"{VICTIM_DESK}, {ATTACKER}")
    assert login(client, victim.username, PASSWORD, address=VICTIM_DESK).status_code == 302
    failed = AuditEntry.objects.get(action="auth.login_failed")
    succeeded = AuditEntry.objects.get(action="auth.login")
    assert (failed.ip, succeeded.ip) == (ATTACKER, VICTIM_DESK)
    assert UserSession.objects.get(user=victim).ip == VICTIM_DESK
    assert not AuditEntry.objects.filter(ip=PROXY).exists()


# --- the rule itself, for every deployment shape -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        (0, "192.0.2.7", "10.20.30.40", "192.0.2.7"),  # no proxy: the header is the client's own words
        (1, PROXY, ATTACKER, ATTACKER),  # the shipped nginx
        (1, PROXY, f"{VICTIM_DESK}, {ATTACKER}", ATTACKER),  # forged entries left of the proxy's are ignored
        (1, PROXY, f" {ATTACKER} ,", ATTACKER),  # blanks and empty items
        (1, "192.0.2.7", None, "192.0.2.7"),  # straight to the app server (a health check): the peer
        (2, "10.0.0.9", f"{VICTIM_DESK}, {ATTACKER}, 10.0.0.1", ATTACKER),  # a load balancer in front of nginx
        (2, "10.0.0.9", "10.0.0.1", "10.0.0.1"),  # a shorter chain: its leftmost entry, written by a trusted hop
        (1, PROXY, "[2001:db8::1]:51234", "2001:db8::1"),
        (1, PROXY, "::ffff:203.0.113.66", ATTACKER),
        (1, PROXY, "unknown", PROXY),  # not an address: the peer, never a made-up value
        (1, PROXY, "203.0.113.66:4711", ATTACKER),
    ],
)
def test_client_address_takes_the_entry_the_trusted_proxies_wrote(settings, trusted, remote, forwarded, expected):
    settings.SERAMBI_TRUSTED_PROXY_COUNT = trusted
    meta = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    assert client_address(RequestFactory().get("/", **meta)) == expected


def test_rate_limits_count_an_ipv6_host_by_its_64():
    assert address_bucket("2001:db8:1:2:aaaa::1") == address_bucket("2001:db8:1:2:bbbb::2") == "2001:db8:1:2::/64"
    assert address_bucket(ATTACKER) == ATTACKER
    assert address_bucket(None) == "unknown"
