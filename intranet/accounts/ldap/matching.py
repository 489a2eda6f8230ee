"""Directory entries → accounts: finding an entry's account (by its anchor, else DN or username, never one anchored to
another entry), and the account rows to create, update and deactivate. Part of the engine in `provisioning`."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, is_password_usable
from django.db.models import Q
from django.utils.translation import gettext as _

from ..models import User
from .config import normalize_dn
from .directory import DirectoryEntry
from .identity import IDENTITY_CHANGED, anchored_elsewhere

if TYPE_CHECKING:  # types only: provisioning imports this module
    from .provisioning import SyncReport

USER_FIELDS = ("first_name", "last_name", "email", "directory_dn", "source", "is_active")
LEFT = "left_directory"


def unusable_password() -> str:
    """What make_password(None) stores ("!" + random), with one fast call instead of 40 `secrets.choice` calls."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


@dataclass
class Deactivation:
    user_id: int
    username: str
    reason: str  # an Access value, IDENTITY_CHANGED or LEFT


def load_users(entries: list[DirectoryEntry]) -> list[User]:
    """The accounts the entries may concern: by username, DN or anchor."""
    columns = ("id", "username", "password", "is_superuser", "is_staff", "directory_anchor", *USER_FIELDS)
    if not entries:
        return []
    if len(entries) > 5000:  # e.g. the first sync: one scan beats thousands of IN lists
        return list(User.objects.only(*columns))
    usernames = [e.username for e in entries]
    dns = [e.dn for e in entries]
    anchors = [e.anchor for e in entries]
    users: dict[int, User] = {}
    for start in range(0, len(entries), 1000):
        q = Q(username__in=usernames[start : start + 1000]) | Q(directory_dn__in=dns[start : start + 1000])
        q |= Q(directory_anchor__in=[a for a in anchors[start : start + 1000] if a])
        users.update((u.pk, u) for u in User.objects.filter(q).only(*columns))
    return list(users.values())


class AccountIndex:
    """The loaded accounts by anchor, DN and username. An entry whose username belongs to an account anchored to
    another entry is a conflict: recorded once in the report, the old account deactivated and never reused."""

    def __init__(self, users: list[User], report: SyncReport, deactivated: list[Deactivation]):
        directory = User.Source.DIRECTORY
        self.by_dn = {normalize_dn(u.directory_dn): u for u in users if u.directory_dn and u.source == directory}
        self.by_username = {u.username: u for u in users}
        self.by_anchor = {u.directory_anchor: u for u in users if u.directory_anchor}
        self.retired: set[int] = set()
        self.report = report
        self.deactivated = deactivated

    def match(self, entry: DirectoryEntry) -> tuple[User | None, bool]:
        """(the entry's account, whether the entry conflicts with an account)."""
        if entry.anchor and entry.anchor in self.by_anchor:
            return self.by_anchor[entry.anchor], False
        for user in (self.by_dn.get(normalize_dn(entry.dn)), self.by_username.get(entry.username)):
            if user is not None and not anchored_elsewhere(user.directory_anchor, entry.anchor):
                return user, False
        user = self.by_username.get(entry.username)
        if user is None:  # only the DN was reused (the old account was renamed): a new account
            return None, False
        if user.pk not in self.retired:
            self._conflict(entry, user)
        return None, True

    def _conflict(self, entry: DirectoryEntry, user: User) -> None:
        self.retired.add(user.pk)
        self.report.identity_conflicts.append(
            {
                "user_id": user.pk,
                "username": entry.username,
                "dn": entry.dn,
                "old_anchor": user.directory_anchor,
                "new_anchor": entry.anchor,
            }
        )
        self.report.error(
            entry.dn,
            _(
                "the username %(name)s belongs to an account made for another directory entry (its identifier "
                "changed); the old account is not reused, no account was created"
            )
            % {"name": entry.username},
        )
        if user.source == User.Source.DIRECTORY and user.is_active:
            self.deactivated.append(Deactivation(user.pk, user.username, IDENTITY_CHANGED))


def wanted_fields(e: DirectoryEntry) -> dict:
    wanted = {
        "first_name": e.first_name,
        "last_name": e.last_name,
        "email": e.email,
        "directory_dn": e.dn,
        "source": User.Source.DIRECTORY,
        "is_active": True,
    }
    if e.anchor:  # an entry read without its identifier keeps the stored one
        wanted["directory_anchor"] = e.anchor
    return wanted


@dataclass
class UserWrites:
    """The account rows to insert and to update (with the union of the changed columns)."""

    now: dt.datetime
    to_create: list[User] = field(default_factory=list)
    to_update: list[User] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)

    def create(self, e: DirectoryEntry, wanted: dict) -> User:
        user = User(username=e.username, password=unusable_password(), directory_synced_at=self.now, **wanted)
        user._serambi_created = True
        self.to_create.append(user)
        return user

    def update(self, user: User, e: DirectoryEntry, wanted: dict, index: AccountIndex) -> None:
        changed = [f for f, v in wanted.items() if getattr(user, f) != v]
        if user.username != e.username and index.by_username.get(e.username) in (None, user):
            user.username = e.username  # renamed in the directory (same DN)
            changed.append("username")
        if is_password_usable(user.password):  # a directory account never logs in with a local password
            user.password = unusable_password()
            changed.append("password")
        if not changed:
            return
        for f in changed:
            if f in wanted:
                setattr(user, f, wanted[f])
        user.directory_synced_at = self.now
        self.fields.update(changed)
        self.fields.add("directory_synced_at")
        self.to_update.append(user)
        user._serambi_changed = True
