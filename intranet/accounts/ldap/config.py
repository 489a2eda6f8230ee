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
        # The login filter matches the login against these keys of the attribute map (so a remapped NIP attribute
        # is searched too), plus the preset's fixed attributes; LDAP_USER_FILTER replaces it entirely.
        "login_keys": ("username", "email", "nip"),
        "login_extra": (),
        "user_object_filter": "(objectClass=inetOrgPerson)",
        "group_object_filter": "(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames))",
        "group_member_attribute": "member",
        "nested": "client",  # breadth-first over `member`, cycle-safe
        "account_state": "ppolicy",  # pwdAccountLockedTime / pwdReset, when the overlay is used
        "anchor": "entryUUID",
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
        "login_keys": ("username", "email", "nip"),
        "login_extra": ("userPrincipalName",),
        "user_object_filter": "(&(objectCategory=person)(objectClass=user))",
        "group_object_filter": "(objectClass=group)",
        "group_member_attribute": "member",
        # LDAP_MATCHING_RULE_IN_CHAIN when the server evaluates it (probed once), client-side otherwise
        "nested": "auto",
        "account_state": "ad",  # userAccountControl, accountExpires, lockoutTime, pwdLastSet, ... (account_state.py)
        "anchor": "objectGUID",
    },
}

MIN_PAGE_SIZE = 500
NESTING_MODES = ("auto", "client", "off")
# Immutable identifiers that directories return as binary values (formatted as text for the account's anchor).
BINARY_ANCHORS = frozenset({"objectguid", "objectsid", "ms-ds-consistencyguid", "msds-consistencyguid"})


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
    nested: str  # "auto" (the server's in-chain rule when it has one, else client) | "client" | "off"
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
    account_state: str = "off"  # "ad" | "ppolicy" | "off": which account-state rules apply (account_state.py)
    lockout_minutes: int = 30  # the domain's lockout duration (AD lockoutTime); 0: until an administrator unlocks
    anchor_attribute: str = ""  # the entry's immutable identifier (objectGUID, entryUUID): the account's anchor
    upn_suffixes: tuple[str, ...] = ()  # alternate UPN suffixes (casefolded): name@suffix logs in as `name`
    netbios_domains: tuple[str, ...] = ()  # accepted DOMAIN of DOMAIN\user (casefolded); empty: any
    allow_plaintext: bool = False  # ldap:// without StartTLS accepted by the deploy check
    circuit_seconds: float = 15.0  # a server that failed is skipped this long (breaker)

    @property
    def anchor_binary(self) -> bool:
        return self.anchor_attribute.lower() in BINARY_ANCHORS

    def attr(self, key: str) -> str:
        return self.attributes.get(key, "")

    def fetch_attributes(self) -> list[str]:
        from .account_state import attributes_for

        # full_name is not stored anywhere (first and last names are): not fetched, each attribute costs decoding time
        names = {a for k, a in self.attributes.items() if a and k != "full_name"}
        names.update(attributes_for(self.account_state))
        if self.anchor_attribute:
            names.add(self.anchor_attribute)
        return sorted(names)

    def login_filter(self, escaped_login: str, escaped_username: str = "") -> str:
        """The search for a login; `escaped_username` (a login written name@alternate-suffix) also matches the
        username attribute."""
        user_filter = self.user_filter.replace("{login}", escaped_login)
        if escaped_username and self.attr("username"):
            user_filter = f"(|{user_filter}({self.attr('username')}={escaped_username}))"
        return f"(&{self.user_object_filter}{user_filter})"


def default_login_filter(preset: dict, attributes: dict[str, str]) -> str:
    """`(|(attr={login})…)` over the mapped login attributes (username, e-mail, NIP) and the preset's extras."""
    names: list[str] = []
    for name in [attributes.get(key, "") for key in preset["login_keys"]] + list(preset["login_extra"]):
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return "(|" + "".join(f"({name}={{login}})" for name in names) + ")"


def _nesting(value, preset_default: str) -> str:
    """LDAP_NESTED_GROUPS: true (the preset's way), false/off, or one of auto | client | off."""
    if isinstance(value, bool):
        return preset_default if value else "off"
    text = str(value or "").strip().lower()
    if text in ("", "1", "true", "yes", "on"):
        return preset_default
    if text in ("0", "false", "no", "off"):
        return "off"
    if text == "server":  # the in-chain rule is used only once the server has shown it evaluates it
        return "auto"
    if text not in NESTING_MODES:
        raise ImproperlyConfigured(f"LDAP_NESTED_GROUPS must be true, false or one of {', '.join(NESTING_MODES)}")
    return text


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
    nested = _nesting(_setting("LDAP_NESTED_GROUPS", True), preset["nested"])
    from .account_state import RULES

    state_rules = (_setting("LDAP_ACCOUNT_STATE", "") or preset["account_state"]).strip().lower()
    if state_rules not in RULES:
        raise ImproperlyConfigured(f"LDAP_ACCOUNT_STATE must be one of {', '.join(RULES)}, not {state_rules!r}")
    anchor = _setting("LDAP_ANCHOR_ATTRIBUTE", "")
    anchor = preset["anchor"] if anchor in ("", None) else str(anchor).strip()
    if anchor.lower() in ("off", "none"):
        anchor = ""
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
        user_filter=_setting("LDAP_USER_FILTER", "") or default_login_filter(preset, attributes),
        user_object_filter=_setting("LDAP_USER_OBJECT_FILTER", "") or preset["user_object_filter"],
        group_object_filter=_setting("LDAP_GROUP_OBJECT_FILTER", "") or preset["group_object_filter"],
        group_member_attribute=preset["group_member_attribute"],
        attributes=attributes,
        nested=nested,
        disabled_attribute={"ad": "userAccountControl", "ppolicy": "pwdAccountLockedTime"}.get(state_rules, ""),
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
        account_state=state_rules,
        lockout_minutes=int(_setting("LDAP_AD_LOCKOUT_MINUTES", 30)),
        anchor_attribute=anchor,
        upn_suffixes=tuple(s.strip().lstrip("@").casefold() for s in _setting("LDAP_UPN_SUFFIXES", []) or [] if s),
        netbios_domains=tuple(d.strip().casefold() for d in _setting("LDAP_NETBIOS_DOMAINS", []) or [] if d),
        allow_plaintext=bool(_setting("LDAP_ALLOW_PLAINTEXT", False)),
        circuit_seconds=max(float(_setting("LDAP_CIRCUIT_SECONDS", 15)), 0.0),
    )
