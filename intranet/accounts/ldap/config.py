"""Directory configuration: Django settings (read from the environment in intranet/settings.py) → `DirectoryConfig`.

Two presets give sensible attribute names and filters; `LDAP_ATTRIBUTE_MAP` overrides single attributes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger("intranet.accounts.ldap")

# Keys of the attribute map: what Serambi needs → the directory attribute that holds it.
ATTRIBUTE_KEYS = (
    "username",
    "first_name",
    "last_name",
    "full_name",
    "email",
    "nip",
    "title",
    "unit",
    "phone",
    "manager",
    "member_of",
)

PRESETS: dict[str, dict] = {
    "openldap": {
        "attributes": {
            "username": "uid",
            "first_name": "givenName",
            "last_name": "sn",
            "full_name": "cn",
            "email": "mail",
            "nip": "employeeNumber",
            "title": "title",
            "unit": "departmentNumber",
            "phone": "telephoneNumber",
            "manager": "manager",
            "member_of": "memberOf",
        },
        # {login} is replaced by the escaped login value.
        "user_filter": "(|(uid={login})(mail={login})(employeeNumber={login}))",
        "user_object_filter": "(objectClass=inetOrgPerson)",
        "group_object_filter": "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))",
        "group_member_attribute": "member",
        "nested": "client",  # breadth-first over `member`, cycle-safe
        "disabled": "pwdAccountLockedTime",  # ppolicy lock, when the overlay is used
    },
    "ad": {
        "attributes": {
            "username": "sAMAccountName",
            "first_name": "givenName",
            "last_name": "sn",
            "full_name": "displayName",
            "email": "mail",
            "nip": "employeeID",
            "title": "title",
            "unit": "departmentNumber",
            "phone": "telephoneNumber",
            "manager": "manager",
            "member_of": "memberOf",
        },
        "user_filter": "(|(sAMAccountName={login})(userPrincipalName={login})(mail={login})(employeeID={login}))",
        "user_object_filter": "(&(objectCategory=person)(objectClass=user))",
        "group_object_filter": "(objectClass=group)",
        "group_member_attribute": "member",
        "nested": "server",  # LDAP_MATCHING_RULE_IN_CHAIN 1.2.840.113556.1.4.1941
        "disabled": "userAccountControl",  # bit 2 (ACCOUNTDISABLE)
    },
}

MIN_PAGE_SIZE = 500


_DN_SEPARATOR = re.compile(r"\s*,\s*")


def normalize_dn(dn: str) -> str:
    """Compare DNs case-insensitively and without spaces around separators (one regex pass: called per entry)."""
    return _DN_SEPARATOR.sub(",", (dn or "").strip()).casefold()


@dataclass(frozen=True)
class RoleMapping:
    group_dn: str
    role: str  # Role value (Django group name)
    scope_unit: str = ""  # OrgUnit.code; HR/payroll officer roles only
    scope_kind: str = ""  # "hr" | "payroll"


@dataclass(frozen=True)
class DirectoryConfig:
    enabled: bool
    server_uris: tuple[str, ...]
    preset: str
    bind_dn: str
    bind_password: str = field(repr=False)
    base_dn: str
    user_base_dn: str
    group_base_dn: str
    user_filter: str
    user_object_filter: str
    group_object_filter: str
    group_member_attribute: str
    attributes: dict[str, str]
    nested: str  # "client" | "server" | "off"
    disabled_attribute: str
    required_group: str
    deny_group: str
    start_tls: bool
    ca_file: str
    insecure_skip_tls_verify: bool
    connect_timeout: float
    receive_timeout: float
    page_size: int
    default_roles: tuple[str, ...]
    role_map: tuple[RoleMapping, ...]
    circuit_seconds: float = 15.0  # a server that failed is skipped this long (breaker)

    def attr(self, key: str) -> str:
        return self.attributes.get(key, "")

    def fetch_attributes(self) -> list[str]:
        # full_name is not stored anywhere (first and last names are): not fetched, each attribute costs decoding time
        names = {a for k, a in self.attributes.items() if a and k != "full_name"}
        if self.disabled_attribute:
            names.add(self.disabled_attribute)
        return sorted(names)

    def login_filter(self, escaped_login: str) -> str:
        return f"(&{self.user_object_filter}{self.user_filter.replace('{login}', escaped_login)})"


def _setting(name, default):
    return getattr(settings, name, default)


def get_config() -> DirectoryConfig:
    """Build the configuration from settings (cheap; read on every use so tests and admins can change settings)."""
    uris = tuple(u for u in (_setting("LDAP_SERVER_URIS", []) or []) if u)
    preset_name = (_setting("LDAP_PRESET", "openldap") or "openldap").lower()
    if preset_name not in PRESETS:
        raise ImproperlyConfigured(f"LDAP_PRESET must be one of {', '.join(PRESETS)}, not {preset_name!r}")
    preset = PRESETS[preset_name]
    attributes = dict(preset["attributes"])
    for key, value in (_setting("LDAP_ATTRIBUTE_MAP", {}) or {}).items():
        if key not in ATTRIBUTE_KEYS:
            raise ImproperlyConfigured(f"LDAP_ATTRIBUTE_MAP: unknown key {key!r} (known: {', '.join(ATTRIBUTE_KEYS)})")
        attributes[key] = value
    base_dn = _setting("LDAP_BASE_DN", "") or ""
    nested_setting = _setting("LDAP_NESTED_GROUPS", True)
    role_map = []
    for item in _setting("LDAP_GROUP_ROLE_MAP", []) or []:
        role_map.append(
            RoleMapping(
                group_dn=item["group"],
                role=item["role"],
                scope_unit=item.get("scope_unit", "") or "",
                scope_kind=item.get("scope_kind", "") or "",
            )
        )
    return DirectoryConfig(
        enabled=bool(_setting("LDAP_ENABLED", False)) and bool(uris),
        server_uris=uris,
        preset=preset_name,
        bind_dn=_setting("LDAP_BIND_DN", "") or "",
        bind_password=_setting("LDAP_BIND_PASSWORD", "") or "",
        base_dn=base_dn,
        user_base_dn=_setting("LDAP_USER_BASE_DN", "") or base_dn,
        group_base_dn=_setting("LDAP_GROUP_BASE_DN", "") or base_dn,
        user_filter=_setting("LDAP_USER_FILTER", "") or preset["user_filter"],
        user_object_filter=_setting("LDAP_USER_OBJECT_FILTER", "") or preset["user_object_filter"],
        group_object_filter=_setting("LDAP_GROUP_OBJECT_FILTER", "") or preset["group_object_filter"],
        group_member_attribute=preset["group_member_attribute"],
        attributes=attributes,
        nested=preset["nested"] if nested_setting else "off",
        disabled_attribute=preset["disabled"],
        required_group=_setting("LDAP_REQUIRED_GROUP", "") or "",
        deny_group=_setting("LDAP_DENY_GROUP", "") or "",
        start_tls=bool(_setting("LDAP_START_TLS", False)),
        ca_file=_setting("LDAP_CA_FILE", "") or "",
        insecure_skip_tls_verify=bool(_setting("LDAP_INSECURE_SKIP_TLS_VERIFY", False)),
        connect_timeout=float(_setting("LDAP_CONNECT_TIMEOUT", 3)),
        receive_timeout=float(_setting("LDAP_RECEIVE_TIMEOUT", 5)),
        page_size=max(int(_setting("LDAP_PAGE_SIZE", 1000)), MIN_PAGE_SIZE),
        default_roles=tuple(_setting("LDAP_DEFAULT_ROLES", ["Pegawai"]) or ()),
        role_map=tuple(role_map),
        circuit_seconds=max(float(_setting("LDAP_CIRCUIT_SECONDS", 15)), 0.0),
    )
