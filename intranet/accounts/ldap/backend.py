"""Authentication against the directory: search the user with the service account, then bind as the found DN with the
user's password. Registered before ModelBackend when the directory is enabled; ModelBackend stays for local
break-glass administrators, who are never looked up in the directory and can log in while it is down.

Why a login failed is left on the request (`request.serambi_login_problem`) so the login form can say it clearly:
a wrong password and an unknown user are one generic failure (no enumeration), while a disabled account, a missing
required group, an unreachable directory and a directory refusing Serambi's requests (a configuration problem)
each get their own translated message. So does each account state
(expired, locked out, outside logon hours, password to change or expired: `account_state.py`), told only after the
password was found right, and without touching the local account; and a login whose directory entry is not the one
the Serambi account was made for (a recycled username: `IDENTITY_CHANGED`).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from django.contrib.auth.backends import BaseBackend
from django.core.exceptions import PermissionDenied

from ..models import User
from .account_state import AccountState, state_from_bind_message
from .config import get_config, normalize_dn
from .connection import (
    AccountDisabled,
    DirectoryMisconfigured,
    DirectoryUnavailable,
    kept_service_connection,
    verify_password,
)
from .directory import find_login, groups_for_entry, lean_decoding, parse_login
from .provisioning import IDENTITY_CHANGED, Access, Item, access_for, apply_entries

logger = logging.getLogger("intranet.accounts.ldap")

PROBLEM_ATTR = "serambi_login_problem"
UNAVAILABLE = "directory_unavailable"
MISCONFIGURED = "directory_misconfigured"  # the directory refused Serambi's request: the log says why


def _note(request, problem: str) -> None:
    if request is not None:
        setattr(request, PROBLEM_ATTR, problem)


def _find(conn, config, login: str, bare: str):
    with lean_decoding(conn):  # the entry as plain strings, as the sync reads it: a third of the search's time
        return find_login(conn, config, login, bare)


def _parsed_login(config, username, password) -> tuple[str, str] | None:
    """(login, bare name) of a login the directory should see; None for one it must not."""
    if not config.enabled or username is None or not password:
        return None  # an empty password is never sent (it would be an anonymous bind)
    parsed = parse_login(config, str(username))
    if parsed is None:
        return None  # wildcards, parentheses, spaces, an unknown DOMAIN\...: refused before any network call
    if User.objects.filter(username__iexact=parsed[0], source=User.Source.LOCAL, is_superuser=True).exists():
        return None  # break-glass administrator: local password only (ModelBackend)
    return parsed


def _verified_entry(config, login: str, bare: str, password: str):
    """(the entry, its groups) when `password` is the entry's; None otherwise. Raises DirectoryUnavailable and
    DirectoryMisconfigured."""
    bind_state = None
    with kept_service_connection(config, lambda conn: _find(conn, config, login, bare)) as (conn, found):
        if len(found) != 1:
            if len(found) > 1:
                logger.warning("directory login: the login matches several entries; refused")
            # Keep the same round trips as a real attempt (one bind that fails): no timing oracle.
            verify_password(config, f"cn=serambi-no-such-user,{config.user_base_dn}", password)
            return None
        entry = found[0]
        try:
            if not verify_password(config, entry.dn, password):
                return None
        except AccountDisabled as exc:  # the directory's own verdict (AD sub-code), over the attributes'
            bind_state = state_from_bind_message(str(exc)) or AccountState.DISABLED
        groups = groups_for_entry(conn, config, entry)
    if bind_state is not None:
        entry = replace(entry, state=bind_state, disabled=bind_state == AccountState.DISABLED)
    return entry, groups


def _admit(request, config, entry, groups):
    """The account of an entry whose password was right, brought up to date; PermissionDenied when refused."""
    access = access_for(config, entry, groups)
    if access == Access.ALLOWED and entry.state != AccountState.ACTIVE:
        # expired, locked out, ...: refused with its own message; the local account is left as it is
        _note(request, entry.state)
        raise PermissionDenied(entry.state)
    report, users = apply_entries(config=config, items=[Item(entry=entry, groups=groups)], full=False)
    if access != Access.ALLOWED:
        _note(request, access)
        raise PermissionDenied(access)  # stops the chain: no local password for a refused directory account
    if report.identity_conflicts:
        _note(request, IDENTITY_CHANGED)
        raise PermissionDenied(IDENTITY_CHANGED)
    user = users.get(normalize_dn(entry.dn))
    if user is None or not user.is_active:
        return None
    return user


class DirectoryBackend(BaseBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        config = get_config()
        parsed = _parsed_login(config, username, password)
        if parsed is None:
            return None
        try:
            verified = _verified_entry(config, *parsed, password)
        except DirectoryMisconfigured:  # logged with its result code and hint where it was raised
            _note(request, MISCONFIGURED)
            return None
        except DirectoryUnavailable:
            _note(request, UNAVAILABLE)
            return None  # let ModelBackend try a local break-glass account
        if verified is None:
            return None
        return _admit(request, config, *verified)

    def get_user(self, user_id):
        try:
            user = User._default_manager.get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if user.is_active else None
