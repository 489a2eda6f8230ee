"""The connection doctor behind `manage.py ldap_check`: from the current settings, connect to each server, report TLS
and its certificate, bind the service account, count users and groups, show one sample user as Serambi maps it, probe
the in-chain rule, and explain each likely misconfiguration. Read-only (the circuit breaker is bypassed, not reset).

The report is meant to be pasted into a support ticket: no password is shown, and the sample user's NIP and e-mail
are masked (their shape and validity are what matter)."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import ldap3
from django.utils.translation import gettext as _
from ldap3.core import exceptions as ldap_exc
from ldap3.utils.conv import escape_filter_chars

from .config import DirectoryConfig, normalize_dn
from .connection import make_connection, open_tls
from .directory import IN_CHAIN, entry_from_attributes, find_login, groups_for_entry
from .errors import DirectoryMisconfigured, translate
from .mappings import mapping_problems

CERT_WARN_DAYS = 30


@dataclass
class Report:
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def say(self, text: str, indent: int = 0) -> None:
        self.lines.append("  " * indent + text)

    def error(self, text: str) -> None:
        self.errors.append(text)

    def warn(self, text: str) -> None:
        self.warnings.append(text)


def _explain(exc: BaseException, operation: str) -> str:
    error = translate(exc, operation)
    if isinstance(error, DirectoryMisconfigured):
        return error.summary()
    detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
    if "certificate" in detail.lower() or "ssl" in detail.lower():
        return _(
            "%(detail)s — the server's certificate is not trusted: set LDAP_CA_FILE to the CA that signed it "
            "(PEM), and use the host name the certificate names in LDAP_SERVER_URIS"
        ) % {"detail": detail}
    if "timed out" in detail.lower():
        return _("%(detail)s — no answer within the timeout: a firewall, a wrong port, or a hung server") % {
            "detail": detail
        }
    return detail


def _count(conn, base: str, search_filter: str, page_size: int) -> int:
    total, cookie = 0, None
    while True:
        conn.search(base, search_filter, ldap3.SUBTREE, attributes=["1.1"], paged_size=page_size, paged_cookie=cookie)
        total += sum(1 for r in conn.response or [] if r.get("type") == "searchResEntry")
        cookie = ((conn.result or {}).get("controls") or {}).get("1.2.840.113556.1.4.319", {}).get("value", {})
        cookie = cookie.get("cookie")
        if not cookie:
            return total


def _mask(value: str, keep: int = 4) -> str:
    if len(value) <= keep + 3:
        return "*" * len(value)
    return value[:keep] + "*" * (len(value) - keep - 3) + value[-3:]


def _certificate(conn, report: Report, config: DirectoryConfig) -> None:
    uses_tls = conn.server.ssl or config.start_tls
    if not uses_tls:
        report.say(_("TLS: none — the service and users' passwords cross the network in plain text"), 1)
        report.warn(_("Plain-text LDAP: use ldaps:// URIs or LDAP_START_TLS=true in production."))
        return
    kind = "LDAPS" if conn.server.ssl else "StartTLS"
    if config.insecure_skip_tls_verify:
        report.say(_("TLS: %(kind)s, certificate NOT verified (LDAP_INSECURE_SKIP_TLS_VERIFY)") % {"kind": kind}, 1)
        report.warn(_("LDAP_INSECURE_SKIP_TLS_VERIFY is on: set LDAP_CA_FILE and turn it off."))
        return
    cert = {}
    try:
        cert = conn.socket.getpeercert() or {}
    except (AttributeError, ValueError, OSError):
        pass
    subject = dict(x[0] for x in cert.get("subject", ())).get("commonName", "?")
    issuer = dict(x[0] for x in cert.get("issuer", ())).get("commonName", "?")
    expires = cert.get("notAfter", "")
    days = ""
    if expires:
        try:
            until = dt.datetime.fromtimestamp(socket_cert_time(expires), tz=dt.UTC)
            left = (until - dt.datetime.now(tz=dt.UTC)).days
            days = _("%(days)d days left") % {"days": left}
            if left < CERT_WARN_DAYS:
                report.warn(_("The directory's certificate expires in %(days)d days.") % {"days": left})
        except ValueError:
            pass
    report.say(
        _("TLS: %(kind)s, certificate verified — subject %(subject)s, issuer %(issuer)s, expires %(expires)s %(days)s")
        % {"kind": kind, "subject": subject, "issuer": issuer, "expires": expires, "days": days},
        1,
    )


def socket_cert_time(value: str) -> float:
    import ssl

    return ssl.cert_time_to_seconds(value)


def _in_chain(conn, config: DirectoryConfig, entry, report: Report) -> None:
    """Does the server evaluate LDAP_MATCHING_RULE_IN_CHAIN? Probed on the sample user and one of its direct groups:
    a server that does returns the user for `(memberOf:<in-chain>:=<that group>)`; one that does not returns nothing
    (or an error) for a filter every directory evaluates without the rule."""
    if not entry.direct_groups:
        report.say(
            _("in-chain rule (%(oid)s): not determined (the sample user has no memberOf)") % {"oid": IN_CHAIN}, 1
        )
        return
    group_dn = sorted(entry.direct_groups)[0]
    member_of = config.attr("member_of") or "memberOf"
    probe = f"({member_of}:{IN_CHAIN}:={escape_filter_chars(group_dn)})"
    try:
        conn.search(entry.dn, probe, ldap3.BASE, attributes=["1.1"])
        supported = any(r.get("type") == "searchResEntry" for r in conn.response or [])
    except ldap_exc.LDAPException:
        supported = False
    if supported:
        report.say(_("in-chain rule (%(oid)s): supported by the server") % {"oid": IN_CHAIN}, 1)
        return
    report.say(_("in-chain rule (%(oid)s): NOT supported by the server") % {"oid": IN_CHAIN}, 1)
    if config.nested == "auto":
        report.say(_("nested groups are resolved by Serambi itself (LDAP_NESTED_GROUPS=auto)"), 1)
    elif config.nested == "server":
        report.error(
            _(
                "The preset resolves nested groups on the server, which this directory does not do: members of "
                "nested groups would get no role and escape the deny group. Resolve nesting on the client "
                "(see deploy/ldap/README.md)."
            )
        )


@dataclass(frozen=True)
class HRRecords:
    """What the HR apps tell the doctor (`manage.py ldap_check` passes it; this layer does not import them): the
    unit codes Serambi knows, and what is wrong with a NIP ("" when it is valid)."""

    unit_codes: set[str] | None = None
    nip_problem: Callable[[str], str] | None = None


def _nip_state(nip: str, hr: HRRecords) -> str:
    if hr.nip_problem is None:
        return _("not checked")
    return hr.nip_problem(nip) or _("valid")


def _sample(conn, config: DirectoryConfig, report: Report, login: str | None, hr: HRRecords):
    if login:
        found = find_login(conn, config, login)
        if len(found) != 1:
            report.error(_("The sample login %(login)r matches %(n)d entries.") % {"login": login, "n": len(found)})
            return None
        entry = found[0]
    else:
        conn.search(
            config.user_base_dn,
            config.user_object_filter,
            ldap3.SUBTREE,
            attributes=config.fetch_attributes(),
            size_limit=1,
        )
        rows = [r for r in conn.response or [] if r.get("type") == "searchResEntry"]
        if not rows:
            return None
        entry = entry_from_attributes(config, rows[0]["dn"], rows[0]["attributes"])
    report.say(_("sample user: %(dn)s") % {"dn": entry.dn}, 1)
    report.say(f"{config.attr('username')} → {_('username')}: {entry.username or _('(missing)')}", 2)
    if not entry.username:
        report.error(
            _("The sample user has no %(attr)s: nobody can log in; check LDAP_ATTRIBUTE_MAP username.")
            % {"attr": config.attr("username")}
        )
    if entry.nip:
        state = _nip_state(entry.nip, hr)
        report.say(f"{config.attr('nip')} → NIP: {_mask(entry.nip)} ({len(entry.nip)} {_('digits')}, {state})", 2)
    else:
        report.say(f"{config.attr('nip')} → NIP: {_('(missing)')}", 2)
        report.warn(
            _(
                "The sample user has no %(attr)s: NIP login and the link to the HR record need it (LDAP_ATTRIBUTE_MAP nip)."
            )
            % {"attr": config.attr("nip")}
        )
    unit_state = ""
    if entry.unit and hr.unit_codes is not None:
        unit_state = _(" (known unit)") if entry.unit in hr.unit_codes else _(" (no unit with this code in Serambi)")
    report.say(f"{config.attr('unit')} → {_('unit')}: {entry.unit or _('(missing)')}{unit_state}", 2)
    report.say(f"{config.attr('email')} → {_('e-mail')}: {_mask(entry.email, 2) if entry.email else _('(missing)')}", 2)
    report.say(_("account disabled: %(state)s") % {"state": _("yes") if entry.disabled else _("no")}, 2)
    direct = sorted(entry.direct_groups)
    report.say(_("direct groups (%(n)d): %(groups)s") % {"n": len(direct), "groups": "; ".join(direct) or "-"}, 2)
    try:
        every = sorted(groups_for_entry(conn, config, entry))
        nested = [g for g in every if g not in entry.direct_groups]
        report.say(
            _("groups with nesting (%(n)d), of which nested: %(groups)s")
            % {"n": len(every), "groups": "; ".join(nested) or "-"},
            2,
        )
    except ldap_exc.LDAPException as exc:
        report.error(_("Reading the sample user's groups failed: %(why)s") % {"why": _explain(exc, "groups")})
    return entry


def _users_missing(conn, config: DirectoryConfig, report: Report) -> None:
    """0 users: say why, from what the base does hold."""
    anything = _count(conn, config.user_base_dn, "(objectClass=*)", config.page_size)
    if anything <= 1:
        report.error(
            _("No entries at all under LDAP_USER_BASE_DN %(base)s: check the base DN.") % {"base": config.user_base_dn}
        )
        return
    flt = config.user_object_filter
    hint = ""
    if "objectcategory" in flt.lower():
        without = _count(conn, config.user_base_dn, "(objectClass=user)", config.page_size)
        if without:
            hint = _(
                " %(n)d entries have objectClass=user but no matching objectCategory (AD-compatible directories "
                "such as Samba or an OpenLDAP front-end may not set it): set LDAP_USER_OBJECT_FILTER=(objectClass=user)."
            ) % {"n": without}
    report.error(
        _("%(n)d entries under %(base)s, but none matches LDAP_USER_OBJECT_FILTER %(filter)s.")
        % {"n": anything, "base": config.user_base_dn, "filter": flt}
        + hint
    )


def _named_groups(conn, config: DirectoryConfig, report: Report) -> None:
    named = {normalize_dn(m.group_dn): "LDAP_GROUP_ROLE_MAP" for m in config.role_map}
    for setting in ("required_group", "deny_group"):
        dn = getattr(config, setting)
        if dn:
            named[normalize_dn(dn)] = f"LDAP_{setting.upper()}"
    for dn, setting in sorted(named.items()):
        try:
            conn.search(dn, "(objectClass=*)", ldap3.BASE, attributes=["1.1"])
            found = bool(conn.response)
        except ldap_exc.LDAPNoSuchObjectResult:
            found = False
        if not found:
            report.warn(
                _("%(setting)s names %(dn)s, which the directory does not have.") % {"setting": setting, "dn": dn}
            )


def _directory_content(conn, config: DirectoryConfig, report: Report, login: str | None, hr: HRRecords) -> None:
    try:
        users = _count(conn, config.user_base_dn, config.user_object_filter, config.page_size)
        report.say(
            _("users under %(base)s with %(filter)s: %(n)d")
            % {"base": config.user_base_dn, "filter": config.user_object_filter, "n": users},
            1,
        )
        groups = _count(conn, config.group_base_dn, config.group_object_filter, config.page_size)
        report.say(
            _("groups under %(base)s with %(filter)s: %(n)d")
            % {"base": config.group_base_dn, "filter": config.group_object_filter, "n": groups},
            1,
        )
    except ldap_exc.LDAPException as exc:
        report.error(_("Counting users and groups failed: %(why)s") % {"why": _explain(exc, "search")})
        return
    if users == 0:
        _users_missing(conn, config, report)
    if groups == 0 and (config.role_map or config.required_group or config.deny_group):
        report.warn(_("No groups found, but roles or access depend on groups: check LDAP_GROUP_BASE_DN."))
    try:
        entry = _sample(conn, config, report, login, hr) if users or login else None
        if entry is not None:
            _in_chain(conn, config, entry, report)
        _named_groups(conn, config, report)
    except ldap_exc.LDAPException as exc:
        report.error(_("Reading the sample user failed: %(why)s") % {"why": _explain(exc, "search")})


def _close(conn) -> None:
    try:
        conn.unbind()
    except Exception:  # noqa: S110 - closing a failed connection
        pass


def check_directory(
    config: DirectoryConfig,
    *,
    login: str | None = None,
    org_units: set[str] | None = None,
    nip_problem: Callable[[str], str] | None = None,
) -> Report:
    report = Report()
    report.say(
        _("Serambi directory check, %(now)s") % {"now": dt.datetime.now(tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")}
    )
    report.say(
        _("preset %(preset)s, nesting %(nested)s, user base %(users)s, group base %(groups)s")
        % {"preset": config.preset, "nested": config.nested, "users": config.user_base_dn or "-",
           "groups": config.group_base_dn or "-"}
    )  # fmt: skip
    report.say(
        _("service account: %(dn)s (password %(pw)s), timeouts: connect %(c)ss, receive %(r)ss, breaker %(b)ss")
        % {"dn": config.bind_dn or _("anonymous"), "pw": _("set, not shown") if config.bind_password else _("empty"),
           "c": config.connect_timeout, "r": config.receive_timeout, "b": config.circuit_seconds}
    )  # fmt: skip
    if not config.server_uris:
        report.error(_("LDAP_SERVER_URIS is empty."))
    if not config.user_base_dn:
        report.error(_("LDAP_BASE_DN (or LDAP_USER_BASE_DN) is empty."))
    content_checked = False
    for i, uri in enumerate(config.server_uris, 1):
        report.say(f"[{i}] {uri}")
        conn = make_connection(config, uri, config.bind_dn, config.bind_password)
        started = time.monotonic()
        try:
            open_tls(config, conn)
        except (ldap_exc.LDAPException, OSError) as exc:
            report.say(_("connect: FAILED — %(why)s") % {"why": _explain(exc, "connect")}, 1)
            report.error(_("Server %(uri)s: %(why)s") % {"uri": uri, "why": _explain(exc, "connect")})
            _close(conn)
            continue
        report.say(_("connect: ok (%(ms)d ms)") % {"ms": (time.monotonic() - started) * 1000}, 1)
        try:
            _certificate(conn, report, config)
            if config.bind_dn:
                conn.bind()
                report.say(_("service bind: ok as %(dn)s") % {"dn": config.bind_dn}, 1)
            else:
                report.say(_("service bind: anonymous (LDAP_BIND_DN is empty)"), 1)
            if not content_checked:
                _directory_content(conn, config, report, login, HRRecords(org_units, nip_problem))
                content_checked = True
        except ldap_exc.LDAPException as exc:
            why = _explain(exc, "bind")
            report.say(_("service bind: FAILED — %(why)s") % {"why": why}, 1)
            report.error(_("Server %(uri)s: %(why)s") % {"uri": uri, "why": why})
        finally:
            _close(conn)
    for problem in mapping_problems(config):
        report.error(problem)
    return report
