"""`account_state`: the values Active Directory really stores (FILETIMEs, flag words, the logonHours bitmap) and
OpenLDAP's password policy, read without a server. The same entries are logged in against slapd in
test_ldap_ad_realistic.py."""

import datetime as dt

import pytest

from intranet.accounts.ldap.account_state import (
    AccountState,
    account_state,
    filetime,
    state_from_bind_message,
)

NOW = dt.datetime(2026, 12, 5, 10, 30, tzinfo=dt.UTC)  # a Saturday


def ft(when: dt.datetime) -> str:
    """A datetime as AD stores it (100 ns intervals since 1601-01-01 UTC)."""
    return str(int((when - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10_000_000))


NEVER = "9223372036854775807"
HOUR = dt.timedelta(hours=1)


def hours(allowed) -> bytes:
    bits = bytearray(21)
    for h in allowed:
        bits[h // 8] |= 1 << (h % 8)
    return bytes(bits)


SATURDAY_10 = 6 * 24 + 10  # Sunday 00:00 UTC is hour 0


@pytest.mark.parametrize(
    ("attrs", "state"),
    [
        ({"userAccountControl": "512", "accountExpires": NEVER, "pwdLastSet": ft(NOW - 50 * HOUR)}, "active"),
        ({"userAccountControl": "512", "accountExpires": "0"}, "active"),
        ({"userAccountControl": "514"}, "disabled"),
        ({"userAccountControl": "512", "accountExpires": ft(NOW - HOUR)}, "account_expired"),
        ({"userAccountControl": "512", "accountExpires": ft(NOW + HOUR)}, "active"),
        ({"userAccountControl": "512", "lockoutTime": ft(NOW - dt.timedelta(minutes=5))}, "locked_out"),
        ({"userAccountControl": "512", "lockoutTime": ft(NOW - 2 * HOUR)}, "active"),  # the lockout has ended
        ({"userAccountControl": "512", "lockoutTime": "0"}, "active"),
        # the computed flags win over lockoutTime: the server knows the domain's lockout duration
        ({"lockoutTime": ft(NOW - dt.timedelta(minutes=5)), "msDS-User-Account-Control-Computed": "0"}, "active"),
        ({"lockoutTime": ft(NOW - 5 * HOUR), "msDS-User-Account-Control-Computed": "16"}, "locked_out"),
        ({"userAccountControl": "512", "pwdLastSet": "0"}, "must_change_password"),
        ({"userAccountControl": "512", "msDS-UserPasswordExpiryTimeComputed": ft(NOW - HOUR)}, "password_expired"),
        ({"userAccountControl": "512", "msDS-UserPasswordExpiryTimeComputed": NEVER}, "active"),
        ({"userAccountControl": "512", "msDS-User-Account-Control-Computed": str(0x800000)}, "password_expired"),
        # DONT_EXPIRE_PASSWD: an expiry time in the past does not count
        ({"userAccountControl": str(512 | 0x10000), "msDS-UserPasswordExpiryTimeComputed": ft(NOW - HOUR)}, "active"),
        ({"userAccountControl": "512", "logonHours": hours(range(7 * 24))}, "active"),
        ({"userAccountControl": "512", "logonHours": hours([SATURDAY_10])}, "active"),
        ({"userAccountControl": "512", "logonHours": hours([SATURDAY_10 + 1])}, "logon_restricted"),
        # lower-case names and list values, as decoded entries carry them
        ({"useraccountcontrol": ["66050"]}, "disabled"),
        # disabled wins over every other state
        ({"userAccountControl": "514", "pwdLastSet": "0", "accountExpires": ft(NOW - HOUR)}, "disabled"),
        # garbage is no state
        ({"userAccountControl": "x", "accountExpires": "soon", "lockoutTime": "-1"}, "active"),
    ],
)
def test_active_directory_account_state(attrs, state):
    assert account_state(attrs, "ad", now=NOW) == AccountState(state)


def test_a_lockout_duration_of_zero_lasts_until_an_administrator_unlocks():
    attrs = {"lockoutTime": ft(NOW - 30 * 24 * HOUR)}
    assert account_state(attrs, "ad", now=NOW, lockout_minutes=0) == AccountState.LOCKED_OUT
    assert account_state(attrs, "ad", now=NOW, lockout_minutes=30) == AccountState.ACTIVE


@pytest.mark.parametrize(
    ("attrs", "state"),
    [
        ({}, "active"),
        ({"pwdAccountLockedTime": "000001010000Z"}, "disabled"),
        ({"pwdAccountLockedTime": "20261205101500Z"}, "locked_out"),
        ({"pwdReset": "TRUE"}, "must_change_password"),
    ],
)
def test_openldap_password_policy_state(attrs, state):
    assert account_state(attrs, "ppolicy", now=NOW) == AccountState(state)


def test_rules_off_reads_nothing():
    assert account_state({"userAccountControl": "514"}, "off") == AccountState.ACTIVE


def test_filetime_bounds():
    assert filetime(0) is None and filetime(int(NEVER)) is None and filetime(-5) is None
    assert filetime(int(ft(NOW))) == NOW


@pytest.mark.parametrize(
    ("message", "state"),
    [
        ("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 775, v4563", "locked_out"),
        (
            "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 773, v4563",
            "must_change_password",
        ),
        ("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 532, v4563", "password_expired"),
        ("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 701, v4563", "account_expired"),
        ("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 530, v4563", "logon_restricted"),
        ("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 533, v4563", "disabled"),
    ],
)
def test_active_directory_bind_subcodes(message, state):
    assert state_from_bind_message(message) == AccountState(state)


def test_a_wrong_password_has_no_state():
    assert (
        state_from_bind_message("80090308: LdapErr: DSID-0C09044E, AcceptSecurityContext error, data 52e, v4563")
        is None
    )
    assert state_from_bind_message("") is None
