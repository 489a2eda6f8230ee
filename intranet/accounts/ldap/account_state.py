"""The state of a directory account, read from its entry: usable, disabled, expired, locked out, restricted in its
logon hours, or waiting for a password change. A pure function of the entry's attributes and the time, shared by the
login and the sync.

Only `DISABLED` switches the local account off (an administrator decided the person may not work). The other states
are temporary or fixed by the person (change the password, wait for the lockout to end, ask for an extension): the
login is refused with its own message, and the account, its roles and its history stay as they are.

Rules (`LDAP_ACCOUNT_STATE`):
- ``ad``: userAccountControl (ACCOUNTDISABLE, LOCKOUT, PASSWORD_EXPIRED, DONT_EXPIRE_PASSWD) and its computed twin
  msDS-User-Account-Control-Computed, accountExpires, lockoutTime, pwdLastSet=0, msDS-UserPasswordExpiryTimeComputed
  and logonHours;
- ``ppolicy``: OpenLDAP's password policy overlay (pwdAccountLockedTime, pwdReset);
- ``off``: every entry is active.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from enum import StrEnum


class AccountState(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"
    ACCOUNT_EXPIRED = "account_expired"
    LOCKED_OUT = "locked_out"
    LOGON_RESTRICTED = "logon_restricted"
    MUST_CHANGE_PASSWORD = "must_change_password"  # noqa: S105 - a state, not a password
    PASSWORD_EXPIRED = "password_expired"  # noqa: S105


# The states that deactivate the local account (everything else only refuses the login).
DEACTIVATING = frozenset({AccountState.DISABLED})

RULES = ("ad", "ppolicy", "off")

# userAccountControl / msDS-User-Account-Control-Computed flags
UF_ACCOUNTDISABLE = 0x2
UF_LOCKOUT = 0x10
UF_DONT_EXPIRE_PASSWD = 0x10000
UF_PASSWORD_EXPIRED = 0x800000

AD_ATTRIBUTES = (
    "userAccountControl",
    "msDS-User-Account-Control-Computed",
    "accountExpires",
    "lockoutTime",
    "pwdLastSet",
    "msDS-UserPasswordExpiryTimeComputed",
    "logonHours",
)
PPOLICY_ATTRIBUTES = ("pwdAccountLockedTime", "pwdReset")
# Binary attributes among them: kept as bytes when entries are decoded.
BINARY_ATTRIBUTES = frozenset({"logonhours"})

# ppolicy: an administrator's permanent lock (not a lockout after failed attempts)
PPOLICY_ADMIN_LOCK = "000001010000Z"

_FILETIME_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.UTC)
_FILETIME_NEVER = 0x7FFFFFFFFFFFFFFF


def attributes_for(rules: str) -> tuple[str, ...]:
    """The attributes `account_state` reads under `rules` (to fetch with the entry)."""
    return {"ad": AD_ATTRIBUTES, "ppolicy": PPOLICY_ATTRIBUTES}.get(rules, ())


def _raw(attrs: Mapping, name: str):
    value = attrs.get(name)
    if value is None:
        value = attrs.get(name.lower())
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return value


def _text(attrs: Mapping, name: str) -> str:
    value = _raw(attrs, name)
    if value is None:
        return ""
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    return str(value).strip()


def _int(attrs: Mapping, name: str) -> int | None:
    raw = _text(attrs, name)
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return None


def filetime(value: int | None) -> dt.datetime | None:
    """An AD FILETIME (100 ns since 1601-01-01 UTC) as a datetime; None for 0, "never" and values out of range."""
    if not value or value <= 0 or value >= _FILETIME_NEVER:
        return None
    try:
        return _FILETIME_EPOCH + dt.timedelta(microseconds=value // 10)
    except OverflowError:
        return None


def _outside_logon_hours(raw, now: dt.datetime) -> bool:
    """logonHours: 21 bytes, one bit per hour of the week in UTC from Sunday 00:00, lowest bit first; set = allowed."""
    if not isinstance(raw, bytes | bytearray) or len(raw) != 21:
        return False  # absent (no restriction) or unreadable: the directory's own bind still enforces it
    hour = ((now.weekday() + 1) % 7) * 24 + now.hour  # weekday(): Monday = 0
    return not raw[hour // 8] & (1 << (hour % 8))


def account_state(
    attrs: Mapping, rules: str, *, now: dt.datetime | None = None, lockout_minutes: int = 30
) -> AccountState:
    """The state of the account whose entry has attributes `attrs` (names as the directory spells them or in lower
    case; values as strings, bytes or lists of them). `lockout_minutes` is the domain's lockout duration: an AD
    lockoutTime older than that has ended (0: a lockout lasts until an administrator unlocks the account)."""
    if rules == "ppolicy":
        return _ppolicy_state(attrs)
    if rules != "ad":
        return AccountState.ACTIVE
    return _ad_state(attrs, now or dt.datetime.now(dt.UTC), lockout_minutes)


def _ppolicy_state(attrs: Mapping) -> AccountState:
    locked = _text(attrs, "pwdAccountLockedTime")
    if locked == PPOLICY_ADMIN_LOCK:
        return AccountState.DISABLED
    if locked:
        return AccountState.LOCKED_OUT
    if _text(attrs, "pwdReset").upper() == "TRUE":
        return AccountState.MUST_CHANGE_PASSWORD
    return AccountState.ACTIVE


def _ad_state(attrs: Mapping, now: dt.datetime, lockout_minutes: int) -> AccountState:
    uac = _int(attrs, "userAccountControl") or 0
    computed = _int(attrs, "msDS-User-Account-Control-Computed")
    flags = uac | (computed or 0)
    if flags & UF_ACCOUNTDISABLE:
        return AccountState.DISABLED
    expires = filetime(_int(attrs, "accountExpires"))
    if expires is not None and expires <= now:
        return AccountState.ACCOUNT_EXPIRED
    if _ad_locked_out(attrs, computed, now, lockout_minutes):
        return AccountState.LOCKED_OUT
    if _outside_logon_hours(_raw(attrs, "logonHours"), now):
        return AccountState.LOGON_RESTRICTED
    if _text(attrs, "pwdLastSet") == "0":
        return AccountState.MUST_CHANGE_PASSWORD
    if _ad_password_expired(attrs, uac, flags, now):
        return AccountState.PASSWORD_EXPIRED
    return AccountState.ACTIVE


def _ad_locked_out(attrs: Mapping, computed: int | None, now: dt.datetime, lockout_minutes: int) -> bool:
    if computed is not None:  # the server computed the lockout (it knows the domain's lockout duration)
        return bool(computed & UF_LOCKOUT)
    locked_at = filetime(_int(attrs, "lockoutTime"))
    return locked_at is not None and (lockout_minutes <= 0 or now < locked_at + dt.timedelta(minutes=lockout_minutes))


def _ad_password_expired(attrs: Mapping, uac: int, flags: int, now: dt.datetime) -> bool:
    if uac & UF_DONT_EXPIRE_PASSWD:
        return False
    if flags & UF_PASSWORD_EXPIRED:
        return True
    expiry = filetime(_int(attrs, "msDS-UserPasswordExpiryTimeComputed"))
    return expiry is not None and expiry <= now


# Active Directory's bind sub-codes ("data 775" in the error message), returned only for a correct password on an
# unusable account: the directory's own verdict, which wins over what the attributes suggest.
AD_BIND_SUBCODES = {
    "530": AccountState.LOGON_RESTRICTED,  # not permitted to log on at this time
    "531": AccountState.LOGON_RESTRICTED,  # not permitted to log on at this workstation
    "532": AccountState.PASSWORD_EXPIRED,
    "533": AccountState.DISABLED,
    "701": AccountState.ACCOUNT_EXPIRED,
    "773": AccountState.MUST_CHANGE_PASSWORD,
    "775": AccountState.LOCKED_OUT,
}


def state_from_bind_message(message: str) -> AccountState | None:
    """The state an AD bind refusal reports (e.g. "80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext
    error, data 775, v4563"); None when the message carries no known sub-code."""
    match = re.search(r"\bdata ([0-9a-f]{3})\b", message or "")
    return AD_BIND_SUBCODES.get(match.group(1)) if match else None
