"""Connections to the directory: a failover server pool, timeouts, StartTLS or LDAPS with certificate verification,
no referral chasing. Network and TLS failures become `DirectoryUnavailable`; passwords are never logged."""

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

from .config import DirectoryConfig

logger = logging.getLogger("intranet.accounts.ldap")
T = TypeVar("T")


class DirectoryError(Exception):
    """Base of the directory errors."""


class DirectoryUnavailable(DirectoryError):
    """No server of the pool answered (network, timeout, TLS verification, or a refused service bind)."""


class AccountDisabled(DirectoryError):
    """The directory refused a correct password because the account is disabled, locked or expired (AD sub-codes)."""


# Errors meaning "the directory cannot be reached or trusted right now".
UNAVAILABLE_ERRORS = (
    ldap_exc.LDAPSocketOpenError,
    ldap_exc.LDAPSocketReceiveError,
    ldap_exc.LDAPSocketSendError,
    ldap_exc.LDAPSessionTerminatedByServerError,
    ldap_exc.LDAPServerPoolExhaustedError,
    ldap_exc.LDAPServerPoolError,
    ldap_exc.LDAPStartTLSError,
    ldap_exc.LDAPSSLConfigurationError,
    ldap_exc.LDAPCommunicationError,
    ldap_exc.LDAPUnavailableResult,
    ldap_exc.LDAPBusyResult,
    ldap_exc.LDAPTimeLimitExceededResult,
    ldap_exc.LDAPMaximumRetriesError,
    ldap_exc.LDAPResponseTimeoutError,
    ssl.SSLError,
    OSError,
)

# Active Directory bind sub-codes returned only for a correct password on an unusable account:
# 530 logon hours, 531 workstation, 532 password expired, 533 disabled, 701 account expired, 773 must reset, 775 locked.
AD_DISABLED_SUBCODES = re.compile(r"data (530|531|532|533|701|773|775)\b")


def _tls(config: DirectoryConfig) -> ldap3.Tls:
    if config.insecure_skip_tls_verify:
        return ldap3.Tls(validate=ssl.CERT_NONE)
    return ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_file or None, version=ssl.PROTOCOL_TLS_CLIENT)


def server_pool(config: DirectoryConfig) -> ldap3.ServerPool:
    tls = _tls(config)
    servers = [
        ldap3.Server(
            uri,
            use_ssl=uri.lower().startswith("ldaps://"),
            tls=tls,
            get_info=ldap3.NONE,  # no schema download: faster, and attributes come back as plain strings
            connect_timeout=config.connect_timeout,
        )
        for uri in config.server_uris
    ]
    # FIRST: failover in order; active=1: try each server once, then give up (never loop forever when all are down).
    return ldap3.ServerPool(servers, ldap3.FIRST, active=1, exhaust=False)


def _open(config: DirectoryConfig, user: str | None, password: str | None) -> ldap3.Connection:
    conn = ldap3.Connection(
        server_pool(config),
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
    conn.open()
    uses_ldaps = conn.server.ssl
    if config.start_tls and not uses_ldaps:
        conn.start_tls()
    return conn


@contextmanager
def service_connection(config: DirectoryConfig, *, close: bool = True):
    """A connection bound as the service account (anonymous when no bind DN is configured); unbound at the end,
    unless `close` is False and no error occurred (the caller keeps it)."""
    try:
        conn = _open(config, config.bind_dn, config.bind_password)
        if config.bind_dn:
            conn.bind()
    except ldap_exc.LDAPInvalidCredentialsResult:
        logger.error("directory: the service account bind was refused; check LDAP_BIND_DN / LDAP_BIND_PASSWORD")
        raise DirectoryUnavailable("service bind refused") from None
    except UNAVAILABLE_ERRORS as exc:
        logger.warning("directory unreachable: %s", type(exc).__name__)
        raise DirectoryUnavailable(type(exc).__name__) from None
    with _ended_on_error(conn):
        yield conn
    if close:
        _drop(conn)


@contextmanager
def _ended_on_error(conn: ldap3.Connection):
    """Any error ends `conn`; network and TLS errors become DirectoryUnavailable."""
    try:
        yield
    except UNAVAILABLE_ERRORS as exc:
        _drop(conn)
        logger.warning("directory connection lost: %s", type(exc).__name__)
        raise DirectoryUnavailable(type(exc).__name__) from None
    except BaseException:
        _drop(conn)
        raise


# A login searches with the service account. Opening and binding that connection cost about as much as the search
# itself, so each worker thread keeps its bound service connection between logins (`kept_service_connection`). A kept
# connection idle for longer than KEEP_IDLE_SECONDS is not reused: directories close idle connections (Active Directory
# after 15 minutes), and an old one may point at a server the pool has since failed over from.
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
    if held_config != config or conn.closed or time.monotonic() - last_used > KEEP_IDLE_SECONDS:
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
            result = first(conn)
        except UNAVAILABLE_ERRORS as exc:
            logger.info("directory: the kept service connection was closed (%s); opening a new one", type(exc).__name__)
            _drop(conn)
            conn = None
        except BaseException:
            _drop(conn)
            raise
    if conn is None:
        with service_connection(config, close=False) as conn:
            result = first(conn)
    with _ended_on_error(conn):
        yield conn, result
    _kept.held = (conn, config, time.monotonic())


def verify_password(config: DirectoryConfig, dn: str, password: str) -> bool:
    """Bind as `dn` with `password` on a fresh connection. True on success, False on wrong credentials.
    Raises AccountDisabled (AD sub-codes) or DirectoryUnavailable."""
    if not password:
        return False
    try:
        conn = _open(config, dn, password)
    except UNAVAILABLE_ERRORS as exc:
        raise DirectoryUnavailable(type(exc).__name__) from None
    try:
        conn.bind()
        return True
    except ldap_exc.LDAPInvalidCredentialsResult as exc:
        if AD_DISABLED_SUBCODES.search(str(getattr(exc, "message", "") or "")):
            raise AccountDisabled(str(exc.message)) from None  # the sub-code says which state (account_state.py)
        return False
    except (ldap_exc.LDAPInappropriateAuthenticationResult, ldap_exc.LDAPUnwillingToPerformResult):
        return False
    except UNAVAILABLE_ERRORS as exc:
        raise DirectoryUnavailable(type(exc).__name__) from None
    finally:
        try:
            conn.unbind()
        except Exception:  # noqa: S110
            pass
