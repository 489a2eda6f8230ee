"""Reading the directory: user entries (login lookup and paged listing) and group memberships, nested groups included
(server-side LDAP_MATCHING_RULE_IN_CHAIN where the server is seen to evaluate it, client-side breadth-first over
`member` otherwise)."""

from __future__ import annotations

import logging
import re
import threading
import uuid
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import ldap3
from ldap3.core import exceptions as ldap_exc
from ldap3.utils.conv import escape_filter_chars

from .account_state import BINARY_ATTRIBUTES, AccountState, account_state
from .config import BINARY_ANCHORS, DirectoryConfig, normalize_dn

logger = logging.getLogger("intranet.accounts.ldap")

IN_CHAIN = "1.2.840.113556.1.4.1941"
MAX_NESTING = 16
# What a login may look like: username, NIP or e-mail. Anything else (wildcards, parentheses, backslashes, NUL,
# spaces) is refused before any network call; values are also escaped in every filter.
LOGIN_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._@+-]{0,149}$")


NETBIOS_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,14}$")


def valid_login(value: str) -> bool:
    return bool(value) and bool(LOGIN_RE.fullmatch(value))


def parse_login(config: DirectoryConfig, value: str) -> tuple[str, str] | None:
    """What the person typed → (login, bare username) or None when it cannot be a login. `DOMAIN\\user` (the form
    Windows shows) becomes `user` when DOMAIN is one of LDAP_NETBIOS_DOMAINS (with the ad preset, any domain
    when none is listed);
    `name@suffix` with one of LDAP_UPN_SUFFIXES also matches the username `name`."""
    login = (value or "").strip()
    if "\\" in login:
        domain, _sep, login = login.partition("\\")
        if not NETBIOS_RE.fullmatch(domain) or (config.preset != "ad" and not config.netbios_domains):
            return None  # a Windows form: only for Active Directory (or domains listed for another directory)
        if config.netbios_domains and domain.casefold() not in config.netbios_domains:
            return None
    if not valid_login(login):
        return None
    bare = ""
    name, at, suffix = login.rpartition("@")
    if at and suffix.casefold() in config.upn_suffixes and valid_login(name):
        bare = name
    return login, bare


@dataclass(frozen=True)
class DirectoryEntry:
    dn: str
    username: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    nip: str = ""
    title: str = ""
    unit: str = ""
    phone: str = ""
    manager: str = ""
    direct_groups: frozenset[str] = frozenset()  # normalised DNs from memberOf
    disabled: bool = False  # state == DISABLED: the local account is switched off
    state: str = AccountState.ACTIVE  # account_state.AccountState
    anchor: str = ""  # the immutable identifier, "<attribute>:<value>" (see `anchor_of`); "" when absent


def _values(attrs, name: str) -> list:
    if not name:
        return []
    value = attrs.get(name)
    if value is None:  # lean-decoded entries (see `lean_decoding`) have lower-case attribute names
        value = attrs.get(name.lower())
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _first(attrs, name: str) -> str:
    values = _values(attrs, name)
    if not values:
        return ""
    value = values[0]
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip()


def anchor_of(config: DirectoryConfig, attrs) -> str:
    """The entry's immutable identifier as "<attribute>:<text>" (the attribute in lower case, so a changed
    LDAP_ANCHOR_ATTRIBUTE is recognised as such): a binary GUID in Active Directory's text form, other binary
    values in hex, text values (entryUUID) in lower case."""
    name = config.anchor_attribute
    values = _values(attrs, name) if name else []
    if not values:
        return ""
    value = values[0]
    if config.anchor_binary:
        raw = value if isinstance(value, bytes) else str(value).encode("utf-8")
        text = str(uuid.UUID(bytes_le=raw)) if len(raw) == 16 else raw.hex()
    else:
        text = (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)).strip().lower()
    return f"{name.lower()}:{text}"[:128] if text else ""


@lru_cache(maxsize=8192)
def _group_dn(dn: str) -> str:
    """normalize_dn for memberOf values: a few hundred groups repeated over every entry."""
    return normalize_dn(dn)


def entry_from_attributes(config: DirectoryConfig, dn: str, attrs) -> DirectoryEntry:
    state = account_state(attrs, config.account_state, lockout_minutes=config.lockout_minutes)
    return DirectoryEntry(
        dn=dn,
        username=_first(attrs, config.attr("username")).casefold(),
        first_name=_first(attrs, config.attr("first_name"))[:150],
        last_name=_first(attrs, config.attr("last_name"))[:150],
        email=_first(attrs, config.attr("email"))[:254],
        nip=_first(attrs, config.attr("nip")).replace(" ", ""),
        title=_first(attrs, config.attr("title"))[:255],
        unit=_first(attrs, config.attr("unit"))[:64],
        phone=_first(attrs, config.attr("phone"))[:40],
        manager=_first(attrs, config.attr("manager"))[:512],
        direct_groups=frozenset(_group_dn(str(g)) for g in _values(attrs, config.attr("member_of"))),
        disabled=state == AccountState.DISABLED,
        state=state,
        anchor=anchor_of(config, attrs),
    )


def _lean_entry(payload) -> dict:
    """A searchResEntry as plain strings: dn and {lower-case attribute name: [values]}. ldap3's own conversion
    builds a raw copy, a case-insensitive dict and reads its configuration for every value; at tens of thousands of
    entries that was most of the sync's reading time."""
    attributes = {}
    for attribute in payload[1][3]:
        name = str(attribute[3][0][3], "utf-8", "replace").lower()
        if name in _BINARY:  # GUIDs, SIDs, the logon-hours bitmap: kept as bytes
            attributes[name] = [bytes(value[3]) for value in attribute[3][1][3]]
        else:
            attributes[name] = [str(value[3], "utf-8", "replace") for value in attribute[3][1][3]]
    return {"type": "searchResEntry", "dn": str(payload[0][3], "utf-8", "replace"), "attributes": attributes}


_BINARY = BINARY_ATTRIBUTES | BINARY_ANCHORS


@contextmanager
def lean_decoding(conn: ldap3.Connection):
    """Decode search entries with `_lean_entry` on this connection (bulk reads of the sync); every other response
    still goes through ldap3. Needs ldap3's internal fast BER decoder (the default); otherwise a no-op."""
    strategy = conn.strategy
    if not getattr(conn, "fast_decoder", False) or not hasattr(strategy, "decode_response_fast"):
        yield conn
        return
    original = strategy.decode_response_fast

    def decode(message):
        if message["protocolOp"] == 4:  # searchResEntry
            return _lean_entry(message["payload"])
        return original(message)

    strategy.decode_response_fast = decode
    try:
        yield conn
    finally:
        del strategy.decode_response_fast  # back to the class's method


def _response_attributes(response: dict) -> dict:
    """An entry's attributes; binary ones from the raw values when ldap3 decoded the entry itself."""
    attrs = response["attributes"]
    raw = response.get("raw_attributes")
    if raw:
        attrs = dict(attrs)
        for name, values in raw.items():
            if name.lower() in _BINARY:
                attrs[name] = list(values)
    return attrs


def find_login(conn: ldap3.Connection, config: DirectoryConfig, login: str, bare: str = "") -> list[DirectoryEntry]:
    """Entries matching the login filter (at most two are fetched: more than one match is refused by the caller).
    `bare`: the username part of a login written with an alternate UPN suffix (`parse_login`)."""
    search_filter = config.login_filter(escape_filter_chars(login), escape_filter_chars(bare) if bare else "")
    try:
        conn.search(
            config.user_base_dn,
            search_filter,
            search_scope=ldap3.SUBTREE,
            attributes=config.fetch_attributes(),
            size_limit=2,
        )
    except ldap_exc.LDAPSizeLimitExceededResult:
        return [DirectoryEntry(dn="", username=""), DirectoryEntry(dn="", username="")]
    return [
        entry_from_attributes(config, r["dn"], _response_attributes(r))
        for r in conn.response or []
        if r.get("type") == "searchResEntry"
    ]


def iter_user_attributes(conn: ldap3.Connection, config: DirectoryConfig) -> Iterator[tuple[str, dict]]:
    """Every user entry (paged search; page size ≥ 500)."""
    yield from _paged(conn, config.user_base_dn, config.user_object_filter, config.fetch_attributes(), config)


def _paged(conn, base, search_filter, attributes, config) -> Iterator[tuple[str, dict]]:
    cookie = None
    while True:
        conn.search(
            base,
            search_filter,
            search_scope=ldap3.SUBTREE,
            attributes=attributes,
            paged_size=config.page_size,
            paged_cookie=cookie,
        )
        for r in conn.response or []:
            if r.get("type") == "searchResEntry":
                yield r["dn"], r["attributes"]
        controls = (conn.result or {}).get("controls") or {}
        cookie = controls.get("1.2.840.113556.1.4.319", {}).get("value", {}).get("cookie")
        if not cookie:
            break


# --- groups --------------------------------------------------------------------------------------------------------
def _groups_with_members(conn, config: DirectoryConfig, member_dns: Iterable[str]) -> set[str]:
    """Groups (normalised DNs) that list any of `member_dns` as a direct member."""
    found: set[str] = set()
    member_dns = list(member_dns)
    attr = config.group_member_attribute
    for i in range(0, len(member_dns), 50):
        chunk = member_dns[i : i + 50]
        clauses = "".join(f"({attr}={escape_filter_chars(dn)})" for dn in chunk)
        search_filter = f"(&{config.group_object_filter}(|{clauses}))"
        for dn, _attrs in _paged(conn, config.group_base_dn, search_filter, ["1.1"], config):
            found.add(normalize_dn(dn))
    return found


# Whether each directory (its servers and group base) evaluates LDAP_MATCHING_RULE_IN_CHAIN, probed once per process.
_in_chain_support: dict[tuple, bool] = {}
_in_chain_lock = threading.Lock()


def _probe_in_chain(conn, config: DirectoryConfig) -> bool | None:
    """Ask for a known direct membership through the in-chain rule: a group with a member, then the same group
    filtered with `member:IN_CHAIN:=<that member>`. A server that evaluates the rule returns the group; one that does
    not returns nothing (slapd: an undefined filter) or an error. None when there is no group with a member to ask
    about (nothing learnt)."""
    attr = config.group_member_attribute
    try:
        conn.search(
            config.group_base_dn,
            f"(&{config.group_object_filter}({attr}=*))",
            search_scope=ldap3.SUBTREE,
            attributes=[attr],
            paged_size=1,
        )
    except ldap_exc.LDAPOperationResult:
        return None
    sample = next((r for r in conn.response or [] if r.get("type") == "searchResEntry"), None)
    members = _values(sample["attributes"], attr) if sample else []
    if not members:
        return None
    member = members[0].decode("utf-8", "replace") if isinstance(members[0], bytes) else str(members[0])
    try:
        conn.search(
            sample["dn"],
            f"({attr}:{IN_CHAIN}:={escape_filter_chars(member)})",
            search_scope=ldap3.BASE,
            attributes=["1.1"],
        )
    except ldap_exc.LDAPOperationResult:
        return False
    return any(r.get("type") == "searchResEntry" for r in conn.response or [])


def nesting_mode(conn: ldap3.Connection, config: DirectoryConfig) -> str:
    """How nested groups are resolved on this directory: "server" (the in-chain rule, once seen to work), "client"
    (breadth-first over `member`) or "off". The probe runs once per process and directory; its verdict is logged."""
    if config.nested != "auto":
        return config.nested
    key = (config.server_uris, normalize_dn(config.group_base_dn))
    with _in_chain_lock:
        known = _in_chain_support.get(key)
    if known is None:
        known = _probe_in_chain(conn, config)
        if known is None:
            return "client"  # no group with a member yet: ask again next time
        with _in_chain_lock:
            _in_chain_support[key] = known
        if known:
            logger.info("directory: the server evaluates LDAP_MATCHING_RULE_IN_CHAIN; nested groups resolved by it")
        else:
            logger.warning(
                "directory: the server does not evaluate LDAP_MATCHING_RULE_IN_CHAIN (%s); nested groups are "
                "resolved by Serambi, one search per nesting level",
                IN_CHAIN,
            )
    return "server" if known else "client"


def forget_nesting_probe() -> None:
    """Probe the directories again (tests, or a directory replaced while running)."""
    with _in_chain_lock:
        _in_chain_support.clear()


def _client_closure(conn, config: DirectoryConfig, direct: set[str]) -> set[str]:
    """`direct` and every group above them: breadth-first upwards; `seen` makes membership loops harmless."""
    seen = set(direct)
    frontier = list(direct)
    depth = 0
    while frontier and depth < MAX_NESTING:
        parents = _groups_with_members(conn, config, frontier) - seen
        seen |= parents
        frontier = list(parents)
        depth += 1
    return seen


def _server_closure(conn, config: DirectoryConfig, entry: DirectoryEntry) -> set[str]:
    search_filter = (
        f"(&{config.group_object_filter}({config.group_member_attribute}:{IN_CHAIN}:={escape_filter_chars(entry.dn)}))"
    )
    return {normalize_dn(dn) for dn, _attrs in _paged(conn, config.group_base_dn, search_filter, ["1.1"], config)}


def groups_for_entry(conn: ldap3.Connection, config: DirectoryConfig, entry: DirectoryEntry) -> frozenset[str]:
    """All groups of a user at login, nested ones included (normalised DNs). The deny group is always looked for
    through nesting, even with LDAP_NESTED_GROUPS off: a member of a group inside the deny group is denied."""
    direct = set(entry.direct_groups)
    if not config.attr("member_of"):
        direct = _groups_with_members(conn, config, [entry.dn])
    mode = nesting_mode(conn, config)
    if mode == "server":
        try:
            return frozenset(direct | _server_closure(conn, config, entry))
        except ldap_exc.LDAPOperationResult as exc:  # refused this time (e.g. a restricted replica): no loss
            logger.warning("directory: nested group lookup failed (%s); resolving it client-side", type(exc).__name__)
            mode = "client"
    if mode == "client":
        return frozenset(_client_closure(conn, config, direct))
    deny = normalize_dn(config.deny_group) if config.deny_group else ""
    if deny and deny not in direct and deny in _client_closure(conn, config, direct):
        direct.add(deny)
    return frozenset(direct)


@dataclass
class GroupGraph:
    """The directory's groups for a sync run: which user (or group) is a direct member of which groups."""

    direct: dict[str, set[str]]  # member DN (user or group, normalised) → groups it is directly in
    groups: set[str]

    def ancestors(self, group_dn: str, cache: dict[str, frozenset[str]]) -> frozenset[str]:
        if group_dn in cache:
            return cache[group_dn]
        seen = {group_dn}
        queue = deque([group_dn])
        while queue:
            g = queue.popleft()
            for parent in self.direct.get(g, ()):
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        cache[group_dn] = frozenset(seen)
        return cache[group_dn]

    def groups_of(self, user_dn: str, cache: dict[str, frozenset[str]]) -> frozenset[str]:
        result: set[str] = set()
        for g in self.direct.get(user_dn, ()):
            result |= self.ancestors(g, cache)
        return frozenset(result)


def load_group_graph(conn: ldap3.Connection, config: DirectoryConfig) -> GroupGraph:
    direct: dict[str, set[str]] = {}
    groups: set[str] = set()
    attr = config.group_member_attribute
    for dn, attrs in _paged(conn, config.group_base_dn, config.group_object_filter, [attr], config):
        gdn = normalize_dn(dn)
        groups.add(gdn)
        for member in _values(attrs, attr):
            direct.setdefault(normalize_dn(str(member)), set()).add(gdn)
    return GroupGraph(direct=direct, groups=groups)


def in_chain_members(conn: ldap3.Connection, config: DirectoryConfig, group_dn: str) -> set[str]:
    """Active Directory: every user that is a member of `group_dn`, however deeply nested (server-side)."""
    search_filter = f"(&{config.user_object_filter}(memberOf:{IN_CHAIN}:={escape_filter_chars(group_dn)}))"
    members: set[str] = set()
    try:
        for dn, _attrs in _paged(conn, config.user_base_dn, search_filter, ["1.1"], config):
            members.add(normalize_dn(dn))
    except ldap_exc.LDAPOperationResult as exc:
        logger.warning("directory: nested member lookup failed (%s); using direct members", type(exc).__name__)
    return members
