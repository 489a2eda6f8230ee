"""A directory shaped like a production Active Directory, on slapd: what real AD user entries carry (objectGUID and
objectSid as binary values, accountExpires / lockoutTime / pwdLastSet as FILETIMEs, userAccountControl flags, the
computed password expiry, logonHours), nested groups, a membership cycle, a deny group reached through a nested
group, and an entry without objectCategory. Like many AD-compatible servers, slapd does not evaluate
LDAP_MATCHING_RULE_IN_CHAIN: the in-chain filter matches nothing.

    from tests.ldap_ad import ad_server, ad_settings  # noqa: F401  (pytest fixtures)
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from tests.ldap_server import (
    _AD_INDEXES,
    ROOT_PASSWORD,
    SERVICE_PASSWORD,
    USER_PASSWORD,
    Database,
    SlapdServer,
    _require_slapd,
    directory_settings,
)

CORP = "dc=corp,dc=test"
CORP_USERS = f"ou=users,{CORP}"
CORP_GROUPS = f"ou=groups,{CORP}"
CORP_SERVICE_DN = f"cn=svc-serambi,{CORP_USERS}"
UPN_SUFFIX = "corp.kemencontoh.go.id"

NIP_AYU = "199104152019032001"
NIP_NINA = "198908082014022002"

# Attributes an AD user entry has that the base test schema lacks; an auxiliary class so the `user` class of
# tests/ldap_server.py stays as it is.
AD_ACCOUNT_SCHEMA = """
attributetype ( 1.3.6.1.4.1.55555.3.1 NAME 'objectGUID'
  EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.3.2 NAME 'objectSid'
  EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.3.3 NAME 'accountExpires'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.3.4 NAME 'lockoutTime'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.3.5 NAME 'pwdLastSet'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.3.6 NAME 'msDS-UserPasswordExpiryTimeComputed'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.3.7 NAME 'msDS-User-Account-Control-Computed'
  EQUALITY integerMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )
attributetype ( 1.3.6.1.4.1.55555.3.8 NAME 'logonHours'
  EQUALITY octetStringMatch SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 SINGLE-VALUE )
objectclass ( 1.3.6.1.4.1.55555.4.1 NAME 'serambiADAccount' AUXILIARY
  MAY ( objectGUID $ objectSid $ accountExpires $ lockoutTime $ pwdLastSet $ msDS-UserPasswordExpiryTimeComputed $
        msDS-User-Account-Control-Computed $ logonHours ) )
"""

NEVER = 0x7FFFFFFFFFFFFFFF


def filetime(when: dt.datetime) -> int:
    return int((when - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds() * 10_000_000)


def guid(name: str) -> bytes:
    """A stable objectGUID for a test entry, as AD stores it (the little-endian byte order of a UUID)."""
    return uuid.uuid5(uuid.NAMESPACE_DNS, f"{name}.corp.test").bytes_le


def corp_user(sam: str, given: str, sn: str, *, object_guid: bytes | None = None, category=True, **extra):
    now = dt.datetime.now(dt.UTC)
    attrs = {
        "objectClass": ["user", "serambiADAccount"],
        "cn": f"{given} {sn}",
        "givenName": given,
        "sn": sn,
        "displayName": f"{given} {sn}",
        "sAMAccountName": sam,
        "userPrincipalName": f"{sam}@{UPN_SUFFIX}",
        "mail": f"{sam}.pegawai@mail.kemencontoh.go.id",
        "userPassword": USER_PASSWORD,
        "objectGUID": object_guid or guid(sam),
        "objectSid": b"\x01\x05\x00\x00\x00\x00\x00\x05\x15\x00\x00\x00" + guid(sam)[:12] + b"\x51\x04\x00\x00",
        "userAccountControl": "512",
        "accountExpires": str(NEVER),
        "lockoutTime": "0",
        "pwdLastSet": str(filetime(now - dt.timedelta(days=20))),
        "msDS-UserPasswordExpiryTimeComputed": str(filetime(now + dt.timedelta(days=70))),
    }
    if category:
        attrs["objectCategory"] = "person"
    attrs.update({k: v for k, v in extra.items() if v is not None})
    return (f"cn={given} {sn},{CORP_USERS}", attrs)


def corp_group(cn: str, members: list[str]):
    return (f"cn={cn},{CORP_GROUPS}", {"objectClass": ["group"], "cn": cn, "member": members})


def user_dn(given_sn: str) -> str:
    return f"cn={given_sn},{CORP_USERS}"


def group_dn(cn: str) -> str:
    return f"cn={cn},{CORP_GROUPS}"


def corp_entries() -> list[tuple[str, dict]]:
    now = dt.datetime.now(dt.UTC)
    users = [
        corp_user("ayu", "Ayu", "Lestari", employeeID=NIP_AYU),
        corp_user("nina", "Nina", "Marlina", employeeNumber=NIP_NINA),  # NIP under a remapped attribute only
        corp_user("kontraktor", "Kontraktor", "Luar"),
        corp_user("siklus", "Siklus", "Grup"),
        corp_user("nonaktif", "Akun", "Nonaktif", userAccountControl="514"),
        corp_user("kedaluwarsa", "Akun", "Kedaluwarsa", accountExpires=str(filetime(now - dt.timedelta(days=1)))),
        corp_user("terkunci", "Akun", "Terkunci", lockoutTime=str(filetime(now - dt.timedelta(minutes=2)))),
        corp_user("gantisandi", "Ganti", "Sandi", pwdLastSet="0"),
        corp_user(
            "sandilama",
            "Sandi",
            "Lama",
            **{"msDS-UserPasswordExpiryTimeComputed": str(filetime(now - dt.timedelta(days=2)))},
        ),
        corp_user("jamkerja", "Jam", "Kerja", logonHours=bytes(21)),  # no hour of the week allowed
        corp_user("tanpakategori", "Tanpa", "Kategori", category=False),  # invisible to (objectCategory=person)
    ]
    groups = [
        corp_group("GG-Humas-Jakarta", [user_dn("Ayu Lestari")]),
        corp_group("GG-Humas", [group_dn("GG-Humas-Jakarta"), group_dn("GG-Siklus-B")]),  # mapped: Editor
        corp_group("GG-Siklus-A", [user_dn("Siklus Grup"), group_dn("GG-Siklus-B")]),
        corp_group("GG-Siklus-B", [group_dn("GG-Siklus-A")]),  # A ⟷ B: a membership loop
        corp_group("GG-Kontraktor", [user_dn("Kontraktor Luar")]),
        corp_group("GG-Blokir", [group_dn("GG-Kontraktor")]),  # the deny group, reached through nesting only
    ]
    return [
        (CORP, {"objectClass": ["dcObject", "organization"], "dc": "corp", "o": "Corp Test"}),
        (CORP_USERS, {"objectClass": ["organizationalUnit"], "ou": "users"}),
        (CORP_GROUPS, {"objectClass": ["organizationalUnit"], "ou": "groups"}),
        (
            CORP_SERVICE_DN,
            {
                "objectClass": ["user"],
                "cn": "svc-serambi",
                "sn": "service",
                "sAMAccountName": "svc-serambi",
                "userPassword": SERVICE_PASSWORD,
            },
        ),
        *users,
        # groups whose members are groups come after those groups (refint checks nothing, memberOf does)
        groups[0],
        groups[2],
        groups[3],
        groups[1],
        groups[4],
        groups[5],
    ]


def _add_all(server: SlapdServer) -> None:
    # GG-Siklus-A names GG-Siklus-B before it exists: add A without it, then B, then complete A (a loop has no order)
    entries = corp_entries()
    conn = server.admin_connection(CORP)
    try:
        import ldap3

        for dn, attrs in entries:
            attrs = dict(attrs)
            object_class = attrs.pop("objectClass")
            if dn == group_dn("GG-Siklus-A"):
                attrs["member"] = [m for m in attrs["member"] if "Siklus-B" not in m]
            conn.add(dn, object_class, attrs)
        conn.modify(group_dn("GG-Siklus-A"), {"member": [(ldap3.MODIFY_ADD, [group_dn("GG-Siklus-B")])]})
    finally:
        conn.unbind()


@pytest.fixture(scope="session")
def ad_server(tmp_path_factory):
    """The AD-shaped directory (dc=corp,dc=test) for the session. Tests that change entries use names of their own."""
    _require_slapd()
    server = SlapdServer(
        workdir=tmp_path_factory.mktemp("slapd-ad"),
        databases=[Database(CORP, member_oc="group", indexes=(*_AD_INDEXES, "objectGUID"))],
        extra_schema=AD_ACCOUNT_SCHEMA,
    ).start()
    try:
        _add_all(server)
    except Exception:
        server.stop()
        raise
    yield server
    server.stop()


def ad_directory_settings(server: SlapdServer, **overrides) -> dict:
    values = directory_settings(
        server,
        LDAP_PRESET="ad",
        LDAP_BIND_DN=CORP_SERVICE_DN,
        LDAP_BIND_PASSWORD=SERVICE_PASSWORD,
        LDAP_BASE_DN=CORP,
        LDAP_USER_BASE_DN=CORP_USERS,
        LDAP_GROUP_BASE_DN=CORP_GROUPS,
        LDAP_GROUP_ROLE_MAP=[{"group": group_dn("GG-Humas"), "role": "EDITOR"}],
        LDAP_DENY_GROUP=group_dn("GG-Blokir"),
        LDAP_NESTED_GROUPS="true",
        LDAP_ACCOUNT_STATE="",
        LDAP_ANCHOR_ATTRIBUTE="",
        LDAP_UPN_SUFFIXES=[],
        LDAP_NETBIOS_DOMAINS=[],
        LDAP_AD_LOCKOUT_MINUTES=30,
    )
    values.update(overrides)
    return values


@pytest.fixture
def ad_settings(settings, ldap_settings, ad_server):
    """Point the directory backend at the AD-shaped directory. Returns a function to override more settings."""
    from intranet.accounts.ldap.directory import forget_nesting_probe

    def apply(**overrides):
        for key, value in ad_directory_settings(ad_server, **overrides).items():
            setattr(settings, key, value)
        return settings

    forget_nesting_probe()
    apply()
    yield apply
    forget_nesting_probe()


__all__ = ["ad_server", "ad_settings", "ROOT_PASSWORD"]
