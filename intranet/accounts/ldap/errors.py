"""What a directory error means: every LDAP result code (and ldap3's client-side errors) is either an outage (the
directory cannot answer now: the next server is tried, the circuit breaker opens, the login says "unavailable") or a
configuration problem (the directory answered and refused what Serambi asked: no retry helps; the login says so,
and the log and `ldap_sync` / `ldap_check` say what to change). Hints name settings, never their values."""

from __future__ import annotations

import ssl

from django.utils.translation import gettext as _
from ldap3.core import exceptions as ldap_exc
from ldap3.core.results import RESULT_CODES


class DirectoryError(Exception):
    """Base of the directory errors."""


class DirectoryUnavailable(DirectoryError):
    """No server of the list answered (network, timeout, TLS verification, busy), or see DirectoryMisconfigured."""


class DirectoryMisconfigured(DirectoryUnavailable):
    """The directory answered but refused the request because of the configuration (a result code such as 13
    confidentialityRequired or 32 noSuchObject). A subclass of DirectoryUnavailable so that every caller that copes
    with an outage copes with this too; the login and the commands tell them apart."""

    def __init__(self, code: int | None, name: str, hint: str, operation: str = ""):
        self.code, self.name, self.hint, self.operation = code, name, hint, operation
        super().__init__(self.summary())

    def summary(self) -> str:
        where = f" ({self.operation})" if self.operation else ""
        code = f"LDAP result {self.code} {self.name}" if self.code is not None else self.name
        return f"{code}{where}: {self.hint}"


class AccountDisabled(DirectoryError):
    """The directory refused a correct password because the account is disabled, locked or expired (AD sub-codes)."""


# Errors meaning "this server cannot be reached or trusted right now": try the next one.
NETWORK_ERRORS = (
    ldap_exc.LDAPSocketOpenError,
    ldap_exc.LDAPSocketReceiveError,
    ldap_exc.LDAPSocketSendError,
    ldap_exc.LDAPSocketCloseError,
    ldap_exc.LDAPSessionTerminatedByServerError,
    ldap_exc.LDAPServerPoolExhaustedError,
    ldap_exc.LDAPServerPoolError,
    ldap_exc.LDAPStartTLSError,
    ldap_exc.LDAPSSLConfigurationError,
    ldap_exc.LDAPCommunicationError,
    ldap_exc.LDAPMaximumRetriesError,
    ldap_exc.LDAPResponseTimeoutError,
    ssl.SSLError,
    OSError,
)

# Result codes of a directory that is overloaded, shutting down or failing internally: an outage.
OUTAGE_CODES = {3, 51, 52, 80, 118}


def _hints() -> dict[int, str]:
    return {
        1: _(
            "the directory refused the operation before a successful bind (Active Directory: the service account "
            "must bind); check LDAP_BIND_DN and LDAP_BIND_PASSWORD"
        ),
        2: _("the directory did not understand the request; check that the URI points at an LDAP v3 port"),
        4: _("the directory's size limit was reached; allow paged results for the service account"),
        7: _("the directory does not accept this bind method; a simple bind over TLS is needed"),
        8: _(
            "the directory requires a stronger authentication (Active Directory LDAP signing): use ldaps:// URIs "
            "or LDAP_START_TLS=true"
        ),
        10: _(
            "the directory answered with a referral: the base DN is not held by this server; check LDAP_BASE_DN, "
            "LDAP_USER_BASE_DN, LDAP_GROUP_BASE_DN (on Active Directory, use the domain's naming context)"
        ),
        11: _("an administrative limit of the directory was exceeded; lower LDAP_PAGE_SIZE or raise the limit"),
        12: _("the directory does not support a control Serambi needs (paged results)"),
        13: _(
            "the directory requires TLS for binds (confidentialityRequired): use ldaps:// URIs or LDAP_START_TLS=true"
        ),
        16: _("an attribute in the filters or LDAP_ATTRIBUTE_MAP does not exist in the directory"),
        17: _("an attribute in the filters or LDAP_ATTRIBUTE_MAP is not defined in the directory's schema"),
        18: _("a filter uses a matching rule the attribute does not support; check the LDAP_*_FILTER settings"),
        32: _(
            "the base DN does not exist in the directory (noSuchObject): check LDAP_BASE_DN, LDAP_USER_BASE_DN "
            "and LDAP_GROUP_BASE_DN for typing mistakes"
        ),
        34: _("a configured DN is not a valid DN: check LDAP_BIND_DN and the LDAP_*_BASE_DN settings"),
        48: _("the directory refused an anonymous or unauthenticated bind: set LDAP_BIND_DN and LDAP_BIND_PASSWORD"),
        49: _("the service account's bind was refused: check LDAP_BIND_DN and LDAP_BIND_PASSWORD"),
        50: _("the service account may not read what Serambi needs; grant it read access to users and groups"),
        53: _(
            "the directory is unwilling to perform the request (often: a bind refused by the directory's security "
            "policy, or a disabled service account)"
        ),
        54: _("the directory detected a loop (aliases or referrals) under the base DN"),
    }


def _client_hint(exc: Exception) -> tuple[str, str]:
    """ldap3's own errors raised before anything is sent (a bad filter, a bad DN)."""
    if isinstance(exc, ldap_exc.LDAPInvalidFilterError):
        return "invalidFilter", _("a filter is not valid LDAP syntax: check the LDAP_*_FILTER settings")
    if isinstance(exc, ldap_exc.LDAPInvalidDnError):
        return "invalidDN", _("a configured DN is not valid: check LDAP_BIND_DN and the LDAP_*_BASE_DN settings")
    return type(exc).__name__, _("the LDAP client refused the configuration (%(error)s)") % {
        "error": type(exc).__name__
    }


def translate(exc: BaseException, operation: str = "") -> DirectoryUnavailable | None:
    """The directory error for an ldap3 (or socket / TLS) exception, or None for anything else."""
    if isinstance(exc, DirectoryUnavailable):
        return exc
    if isinstance(exc, ldap_exc.LDAPOperationResult):
        code = getattr(exc, "result", None)
        name = RESULT_CODES.get(code, getattr(exc, "description", "") or type(exc).__name__)
        if code in OUTAGE_CODES:
            return DirectoryUnavailable(f"LDAP result {code} {name}")
        hint = _hints().get(code) or _("the directory refused the request (LDAP result %(code)s %(name)s)") % {
            "code": code,
            "name": name,
        }
        return DirectoryMisconfigured(code, name, hint, operation)
    if isinstance(exc, NETWORK_ERRORS):
        return DirectoryUnavailable(type(exc).__name__)
    if isinstance(exc, ldap_exc.LDAPException):
        name, hint = _client_hint(exc)
        return DirectoryMisconfigured(None, name, hint, operation)
    return None
