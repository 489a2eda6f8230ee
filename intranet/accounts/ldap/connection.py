"""Connections to the directory: the configured servers tried in order, short connect and receive timeouts, a shared
circuit breaker (`breaker`), StartTLS or LDAPS with certificate verification, no referral chasing.

ldap3's own ServerPool is not used: after a failed round it sleeps (10 s by default) before giving up, and it only
fails over when a TCP connection cannot be opened, so a hung server (accepting, never answering) was never left for
the next one. Here each server is opened *and bound* in turn; an outage of one (refused, timed out, TLS failure, busy)
marks it down and the next is tried at once. Errors become `DirectoryUnavailable`, or `DirectoryMisconfigured` when
the directory answered with a result code that no retry can fix (see `errors`). Passwords are never logged.
"""

from __future__ import annotations

import logging
import math
import re
import ssl
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import TypeVar

import ldap3
from ldap3.core import exceptions as ldap_exc

from . import breaker
from .config import DirectoryConfig
from .errors import (
    NETWORK_ERRORS,
    AccountDisabled,
    DirectoryError,
    DirectoryMisconfigured,
    DirectoryUnavailable,
    translate,
)

logger = logging.getLogger("intranet.accounts.ldap")
T = TypeVar("T")

__all__ = [
    "AccountDisabled",
    "DirectoryError",
    "DirectoryMisconfigured",
    "DirectoryUnavailable",
    "kept_service_connection",
    "service_connection",
    "verify_password",
]

UNAVAILABLE_ERRORS = NETWORK_ERRORS  # former name

# Active Directory bind sub-codes returned only for a correct password on an unusable account:
# 530 logon hours, 531 workstation, 532 password expired, 533 disabled, 701 account expired, 773 must reset, 775 locked.
AD_DISABLED_SUBCODES = re.compile(r"data (530|531|532|533|701|773|775)\b")


def _tls(config: DirectoryConfig) -> ldap3.Tls:
    if config.insecure_skip_tls_verify:
        return ldap3.Tls(validate=ssl.CERT_NONE)
    return ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_file or None, version=ssl.PROTOCOL_TLS_CLIENT)


def make_server(config: DirectoryConfig, uri: str) -> ldap3.Server:
    return ldap3.Server(
        uri,
        use_ssl=uri.lower().startswith("ldaps://"),
        tls=_tls(config),
        get_info=ldap3.NONE,  # no schema download: faster, and attributes come back as plain strings
        connect_timeout=config.connect_timeout,
    )


def make_connection(config: DirectoryConfig, uri: str, user: str | None, password: str | None) -> ldap3.Connection:
    """A connection to one server, not opened yet."""
    return ldap3.Connection(
        make_server(config, uri),
        user=user or None,
        password=password or None,
        auto_bind=ldap3.AUTO_BIND_NONE,
        receive_timeout=max(1, math.ceil(config.receive_timeout)),  # ldap3 packs it as an integer
        raise_exceptions=True,
        auto_referrals=False,
        read_only=True,
        check_names=False,
        return_empty_attributes=False,
    )


def open_tls(config: DirectoryConfig, conn: ldap3.Connection) -> None:
    conn.open()
    if config.start_tls and not conn.server.ssl:
        conn.start_tls()


# The server that answered last in this thread: a user's password bind goes to the server its search just used.
_last = threading.local()


def _candidates(config: DirectoryConfig) -> list[str]:
    """The configured servers not known down, the one that answered last in this thread first."""
    down = breaker.down_servers(config.server_uris)
    uris = [u for u in config.server_uris if u not in down]
    last = getattr(_last, "uri", None)
    if last in uris:
        uris.remove(last)
        uris.insert(0, last)
    return uris


def _outage(config: DirectoryConfig, uri: str, error: DirectoryUnavailable) -> None:
    breaker.trip(uri, config.circuit_seconds, str(error))


def _connect(config: DirectoryConfig, user: str | None, password: str | None, *, bind: bool) -> ldap3.Connection:
    """Open (and bind, when `bind`) on the first server that answers. A bind refused for its credentials is raised as
    LDAPInvalidCredentialsResult; it is never sent to a second server."""
    uris = _candidates(config)
    if not uris:
        logger.info("directory: every server is marked down; not trying (LDAP_CIRCUIT_SECONDS)")
        raise DirectoryUnavailable("every server is marked down")
    last_error: DirectoryUnavailable | None = None
    for uri in uris:
        conn = make_connection(config, uri, user, password)
        try:
            with breaker.watching(uri, config.receive_timeout):
                open_tls(config, conn)
                if bind:
                    conn.bind()
        except ldap_exc.LDAPInvalidCredentialsResult:
            _drop(conn)
            raise
        except Exception as exc:
            _drop(conn)
            error = translate(exc, "bind" if bind else "connect")
            if error is None:
                raise
            if isinstance(error, DirectoryMisconfigured):
                _log_misconfigured(uri, error)
                raise error from None
            logger.warning("directory server %s unreachable: %s", uri, error)
            _outage(config, uri, error)
            last_error = error
            continue
        _last.uri = uri
        return conn
    raise last_error or DirectoryUnavailable("no server")


def _log_misconfigured(uri: str, error: DirectoryMisconfigured) -> None:
    logger.error("directory server %s refused Serambi's request: %s", uri, error.summary())


@contextmanager
def service_connection(config: DirectoryConfig, *, close: bool = True):
    """A connection bound as the service account (anonymous when no bind DN is configured); unbound at the end,
    unless `close` is False and no error occurred (the caller keeps it)."""
    try:
        conn = _connect(config, config.bind_dn, config.bind_password, bind=bool(config.bind_dn))
    except ldap_exc.LDAPInvalidCredentialsResult as exc:
        error = translate(exc, "service bind")
        _log_misconfigured(",".join(config.server_uris), error)
        raise error from None
    with _ended_on_error(config, conn):
        yield conn
    if close:
        _drop(conn)


def _uri(conn: ldap3.Connection) -> str:
    server = conn.server
    return f"{'ldaps' if server.ssl else 'ldap'}://{server.host}:{server.port}"


def _timed_out(exc: BaseException) -> bool:
    return isinstance(exc, ldap_exc.LDAPResponseTimeoutError) or "timed out" in str(exc).lower()


@contextmanager
def _ended_on_error(config: DirectoryConfig, conn: ldap3.Connection):
    """Any error ends `conn`; LDAP, network and TLS errors become DirectoryUnavailable or DirectoryMisconfigured."""
    try:
        yield
    except DirectoryError:
        _drop(conn)
        raise
    except Exception as exc:
        _drop(conn)
        error = translate(exc, "search")
        if error is None:
            raise
        if isinstance(error, DirectoryMisconfigured):
            _log_misconfigured(_uri(conn), error)
        else:
            logger.warning("directory connection lost: %s", error)
            if _timed_out(exc):  # a hung server: do not wait for it again on the next login
                _outage(config, _uri(conn), error)
        raise error from None
    except BaseException:
        _drop(conn)
        raise


# A login searches with the service account. Opening and binding that connection cost about as much as the search
# itself, so each worker thread keeps its bound service connection between logins (`kept_service_connection`). A kept
# connection idle for longer than KEEP_IDLE_SECONDS is not reused: directories close idle connections (Active Directory
# after 15 minutes), and an old one may point at a server marked down since.
KEEP_IDLE_SECONDS = 60
_kept = threading.local()


def _drop(conn: ldap3.Connection | None) -> None:
    try:
        if conn is not None:
            conn.unbind()
    except Exception:  # noqa: S110 - closing a broken socket; nothing to do
        pass


def _take_kept(config: DirectoryConfig) -> ldap3.Connection | None:
    """This thread's kept service connection for `config` (taken: a failure while it is in use drops it)."""
    held = getattr(_kept, "held", None)
    _kept.held = None
    if held is None:
        return None
    conn, held_config, last_used = held
    if (
        held_config != config
        or conn.closed
        or time.monotonic() - last_used > KEEP_IDLE_SECONDS
        or _uri(conn) in breaker.down_servers([_uri(conn)])
    ):
        _drop(conn)
        return None
    return conn


@contextmanager
def kept_service_connection(config: DirectoryConfig, first: Callable[[ldap3.Connection], T]):
    """`service_connection`, kept in this thread between uses, for a login: yields (connection, `first(connection)`).
    `first` is the login's search: when it fails on a kept connection (the directory closed it, or restarted), it is
    run once more on a fresh one. Any other error ends the connection. Only `first` is ever run twice: a password
    bind is never sent twice."""
    conn = _take_kept(config)
    if conn is not None:
        try:
            with breaker.watching(_uri(conn), config.receive_timeout):
                result = first(conn)
        except NETWORK_ERRORS as exc:
            logger.info("directory: the kept service connection was closed (%s); opening a new one", type(exc).__name__)
            if _timed_out(exc):
                _outage(config, _uri(conn), DirectoryUnavailable(type(exc).__name__))
            _drop(conn)
            conn = None
        except Exception as exc:
            _drop(conn)
            error = translate(exc, "search")
            if error is None:
                raise
            if isinstance(error, DirectoryMisconfigured):
                _log_misconfigured(_uri(conn), error)
            raise error from None
        except BaseException:
            _drop(conn)
            raise
        else:
            _last.uri = _uri(conn)
    if conn is None:
        with service_connection(config, close=False) as conn, breaker.watching(_uri(conn), config.receive_timeout):
            result = first(conn)
    with _ended_on_error(config, conn), breaker.watching(_uri(conn), config.receive_timeout):
        yield conn, result
    _kept.held = (conn, config, time.monotonic())


def verify_password(config: DirectoryConfig, dn: str, password: str) -> bool:
    """Bind as `dn` with `password` on a fresh connection (to the server the search used, when it is still up).
    True on success, False on wrong credentials. Raises AccountDisabled (AD sub-codes), DirectoryMisconfigured (e.g.
    the directory requires TLS for binds) or DirectoryUnavailable. The bind is sent once, to one server."""
    if not password:
        return False
    conn = _connect(config, dn, password, bind=False)
    uri = _uri(conn)
    try:
        with breaker.watching(uri, config.receive_timeout):
            conn.bind()
        return True
    except ldap_exc.LDAPInvalidCredentialsResult as exc:
        if AD_DISABLED_SUBCODES.search(str(getattr(exc, "message", "") or "")):
            raise AccountDisabled(str(exc.message)) from None  # the sub-code says which state (account_state.py)
        return False
    except Exception as exc:
        error = translate(exc, "user bind")
        if error is None:
            raise
        if isinstance(error, DirectoryMisconfigured):
            _log_misconfigured(uri, error)
        else:
            logger.warning("directory server %s failed during a user bind: %s", uri, error)
            _outage(config, uri, error)
        raise error from None
    finally:
        _drop(conn)
