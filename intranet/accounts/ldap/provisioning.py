"""Applying directory entries to Serambi: accounts, directory fields and the group → role mapping; the HR records
(the Employee link by NIP, unit placement, supervisor, HR scopes) through the handlers registered in `hooks`. One
engine serves both a single login and a full sync, in bulk: everything is compared in memory and only differences are
written, so a run with no directory change writes nothing. The steps of a run are in `_apply`; finding and writing
the accounts is in `matching`, their roles and directory attributes in `grants`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from intranet.audit.services import audit_record
from intranet.core.bulk import BATCH, bulk_update_fast, chunks
from intranet.core.caching import bump_generation_now_and_on_commit

from ..models import DirectoryAccount, DirectoryGroupMapping, User
from ..roles import ORG_GENERATION_KEY
from ..sessions import end_sessions
from .config import DirectoryConfig, normalize_dn
from .directory import USERNAME_RE, DirectoryEntry
from .grants import remove_directory_roles, sync_accounts, sync_roles
from .hooks import Provisioned, ProvisionedAccount, run_after_provisioned
from .identity import IDENTITY_CHANGED, report_identity_changes
from .mappings import RolePlan, active_mappings, login_role_plan, relevant_groups, role_plan
from .matching import LEFT, AccountIndex, Deactivation, UserWrites, load_users, wanted_fields

__all__ = ["IDENTITY_CHANGED", "Access", "Item", "SyncAborted", "SyncReport", "access_for", "apply_entries"]

logger = logging.getLogger("intranet.accounts.ldap")


class SyncAborted(Exception):
    """The run was stopped before writing anything (e.g. the directory returned no users at all)."""


class Access:
    ALLOWED = "allowed"
    DISABLED = "disabled"
    NOT_IN_REQUIRED_GROUP = "not_in_required_group"
    DENIED_GROUP = "denied_group"


def access_for(config: DirectoryConfig, entry: DirectoryEntry, groups: frozenset[str]) -> str:
    if entry.disabled:
        return Access.DISABLED
    if config.deny_group and normalize_dn(config.deny_group) in groups:
        return Access.DENIED_GROUP
    if config.required_group and normalize_dn(config.required_group) not in groups:
        return Access.NOT_IN_REQUIRED_GROUP
    return Access.ALLOWED


@dataclass
class SyncReport:
    created: int = 0
    updated: int = 0
    deactivated: int = 0
    unchanged: int = 0
    skipped: int = 0
    sessions_ended: int = 0
    employees_linked: int = 0
    errors: list[str] = field(default_factory=list)
    dry_run: bool = False
    # entries whose username (or DN) belongs to an account anchored to another entry: not applied (`AccountIndex`)
    identity_conflicts: list[dict] = field(default_factory=list)

    def error(self, dn: str, message: str) -> None:
        self.errors.append(f"{dn}: {message}")

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "deactivated": self.deactivated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "errors": len(self.errors),
            "sessions_ended": self.sessions_ended,
        }


# --- the engine -------------------------------------------------------------------------------------------------------
@dataclass
class Item:
    entry: DirectoryEntry
    groups: frozenset[str]


# Bump when what the fingerprint covers changes: every account is then looked at again once.
FINGERPRINT_VERSION = "2"  # 2: the entry's anchor


def _config_key(config: DirectoryConfig, plan: RolePlan) -> str:
    """What, besides the entry, decides how an entry is applied: the mappings, role groups and access groups."""
    parts = [
        FINGERPRINT_VERSION,
        *sorted(f"{m.group_dn}|{m.role}|{m.scope_unit_id or ''}|{m.scope_kind}" for m in plan.mappings),
        *sorted(f"{name}={gid}" for name, gid in plan.group_ids_by_role.items()),
        ",".join(str(g) for g in sorted(plan.default_group_ids)),
        normalize_dn(config.required_group),
        normalize_dn(config.deny_group),
    ]
    return "\x1e".join(parts)


def fingerprint(key: str, item: Item, relevant: set[str]) -> str:
    """A compact hash of everything the sync derives from an allowed entry (mapped attributes + mapped groups)."""
    e = item.entry
    data = "\x1f".join(
        (key, e.dn, e.username, e.anchor, e.first_name, e.last_name, e.email, e.nip, e.title, e.unit, e.phone)
        + (e.manager,)
        + tuple(sorted(item.groups & relevant))
    )
    return hashlib.blake2b(data.encode(), digest_size=16).hexdigest()


def apply_entries(
    *,
    config: DirectoryConfig,
    items: list[Item],
    full: bool,
    dry_run: bool = False,
    report: SyncReport | None = None,
    mappings: list[DirectoryGroupMapping] | None = None,
    progress: Callable[[int], None] | None = None,
    verify: bool = False,
) -> tuple[SyncReport, dict[str, User]]:
    """Bring Serambi in line with `items`. With `full=True` the items are the whole directory: directory accounts not
    among them are deactivated. Entries whose fingerprint matches the stored one are skipped unless `verify` (which
    also re-applies what was changed locally since). Returns the report and the allowed users by entry DN
    (normalised); with `full=True`, only those of entries that were not skipped."""
    report = report or SyncReport(dry_run=dry_run)
    deactivated: list[Deactivation] = []
    plan = None
    if not full and not dry_run and not verify and mappings is None:  # a login
        plan = login_role_plan(config)
        users = _applied_already(config, items, plan)
        if users is not None:
            report.unchanged += len(users)
            return report, users
    with transaction.atomic():
        if plan is None:
            plan = role_plan(config, active_mappings(config) if mappings is None else mappings)
        run = _Run(config=config, full=full, report=report, plan=plan, deactivated=deactivated, progress=progress)
        users = _apply(run, items, verify)
        if dry_run:
            transaction.set_rollback(True)
        else:
            _audit_deactivations(deactivated)
            report_identity_changes(report.identity_conflicts)
            if report.created or report.updated or report.deactivated:
                # the bulk writes send no signals: what is cached about who is where and in which role (reader
                # copies, the employee record and roles kept per user) is retired, for a sync and for the one
                # account a directory login brought up to date
                bump_generation_now_and_on_commit(ORG_GENERATION_KEY)
    if deactivated and not dry_run:
        report.sessions_ended += end_sessions([d.user_id for d in deactivated])
    return report, users


def employee_ids(user_ids: list[int]) -> dict[int, int]:
    """Account id → the id of its HR record, for the audit's subject (through the record's link to the account:
    the accounts layer does not import the HR apps)."""
    found: dict[int, int] = {}
    for chunk in chunks(user_ids):
        found.update(User.objects.filter(pk__in=chunk, employee__isnull=False).values_list("id", "employee__id"))
    return found


def _audit_deactivations(deactivated: list[Deactivation]) -> None:
    """One audit entry per account the directory switched off (inside the sync's transaction)."""
    if not deactivated:
        return
    employees = employee_ids([d.user_id for d in deactivated])
    for d in deactivated:
        audit_record(
            action="directory.account_deactivated",
            object_type="accounts.user",
            object_id=str(d.user_id),
            subject_employee_id=employees.get(d.user_id),
            details={"username": d.username, "reason": d.reason},
        )


def _known_fingerprints(full: bool, items: list[Item]) -> tuple[dict[str, tuple[int, str, str]], dict[int, User]]:
    """Active directory accounts with a stored fingerprint and no usable local password: DN → (id, fp, username).
    For a login (not `full`) the users themselves come in the same query, so a skipped entry costs no other read."""
    filters = {
        "source": User.Source.DIRECTORY,
        "is_active": True,
        "password__startswith": UNUSABLE_PASSWORD_PREFIX,
    }
    if full:
        rows = (
            DirectoryAccount.objects.filter(**{f"user__{k}": v for k, v in filters.items()})
            .exclude(fingerprint="")
            .values_list("user__directory_dn", "user_id", "fingerprint", "user__username")
        )
        return {normalize_dn(dn): (uid, fp, username) for dn, uid, fp, username in rows}, {}
    users: dict[int, User] = {}
    for chunk in chunks([i.entry.username for i in items]):
        # the fingerprint as a column of the user's row: a login builds one model instance, not two
        qs = User.objects.filter(username__in=chunk, directory_account__fingerprint__gt="", **filters)
        users.update((u.pk, u) for u in qs.annotate(directory_fingerprint=F("directory_account__fingerprint")))
    known = {normalize_dn(u.directory_dn): (u.pk, u.directory_fingerprint, u.username) for u in users.values()}
    return known, users


def _applied_already(config: DirectoryConfig, items: list[Item], plan: RolePlan) -> dict[str, User] | None:
    """For a login: the accounts by entry DN when every entry is allowed and was applied as it is now (same
    fingerprint, same username), so there is nothing to write and no transaction to open; None otherwise (the
    entries then go through `_apply`, which decides the same way and writes what differs)."""
    if len({i.entry.username for i in items}) != len(items):
        return None
    for item in items:
        if (
            not USERNAME_RE.fullmatch(item.entry.username or "")
            or access_for(config, item.entry, item.groups) != Access.ALLOWED
        ):
            return None
    key, relevant = _config_key(config, plan), relevant_groups(config, plan.mappings)
    known, known_users = _known_fingerprints(False, items)
    found: dict[str, User] = {}
    for item in items:
        ndn = normalize_dn(item.entry.dn)
        hit = known.get(ndn)
        if hit is None or hit[1] != fingerprint(key, item, relevant) or hit[2] != item.entry.username:
            return None
        found[ndn] = known_users[hit[0]]
    return found


# --- the steps of a run -----------------------------------------------------------------------------------------------
@dataclass
class _Run:
    config: DirectoryConfig
    full: bool
    report: SyncReport
    plan: RolePlan
    deactivated: list[Deactivation]
    progress: Callable[[int], None] | None
    now: dt.datetime = field(default_factory=timezone.now)

    def tick(self) -> None:
        if self.progress:
            self.progress(1)


def _apply(run: _Run, items: list[Item], verify: bool) -> dict[str, User]:
    allowed, refused = _sort_entries(run, items)
    fingerprints, unchanged_ids, todo, known_users = _skip_unchanged(run, allowed, verify)
    index = AccountIndex(load_users([i.entry for i in todo + [i for i, _a in refused]]), run.report, run.deactivated)
    kept_ids: set[int] = set(unchanged_ids.values())
    writes = UserWrites(now=run.now)
    users_by_dn = _provision(run, todo, index, writes, kept_ids)
    _refuse(run, refused, index, kept_ids)
    if run.full:
        _left_directory(run, bool(allowed or refused), kept_ids | index.retired)
    deactivated_ids = _write_users(run, writes)
    allowed_users = [
        (item, users_by_dn[normalize_dn(item.entry.dn)]) for item in todo if normalize_dn(item.entry.dn) in users_by_dn
    ]
    _apply_grants(run, allowed_users, fingerprints, deactivated_ids)
    if not run.full:  # a login needs its user even when nothing changed
        users_by_dn.update((ndn, known_users[uid]) for ndn, uid in unchanged_ids.items() if uid in known_users)
    return users_by_dn


def _username_problem(entry: DirectoryEntry, seen: set[str]) -> str:
    if not USERNAME_RE.fullmatch(entry.username or ""):
        return _("the username %(name)r is missing or not allowed; entry skipped") % {"name": entry.username}
    if entry.username in seen:
        return _("the username %(name)s appears twice in the directory; entry skipped") % {"name": entry.username}
    return ""


def _sort_entries(run: _Run, items: list[Item]) -> tuple[list[Item], list[tuple[Item, str]]]:
    """1. Validate entries and decide access: (allowed items, refused items with their Access value)."""
    seen_usernames: set[str] = set()
    allowed: list[Item] = []
    refused: list[tuple[Item, str]] = []
    for item in items:
        e = item.entry
        problem = _username_problem(e, seen_usernames)
        if problem:
            run.report.error(e.dn, problem)
            run.report.skipped += 1
            continue
        seen_usernames.add(e.username)
        access = access_for(run.config, e, item.groups)
        if access == Access.ALLOWED:
            allowed.append(item)
        else:
            refused.append((item, access))
    return allowed, refused


def _skip_unchanged(run: _Run, allowed: list[Item], verify: bool):
    """2. Unchanged entries: same fingerprint as when last applied → one dict lookup, nothing else read. Returns
    (fingerprints by DN, unchanged account ids by DN, the items to apply, the users a login's lookup loaded)."""
    key, relevant = _config_key(run.config, run.plan), relevant_groups(run.config, run.plan.mappings)
    fingerprints: dict[str, str] = {}
    unchanged_ids: dict[str, int] = {}
    todo: list[Item] = []
    known, known_users = ({}, {}) if verify else _known_fingerprints(run.full, allowed)
    for item in allowed:
        ndn = normalize_dn(item.entry.dn)
        fp = fingerprints[ndn] = fingerprint(key, item, relevant)
        hit = known.get(ndn)
        if hit is not None and hit[1] == fp and hit[2] == item.entry.username:
            unchanged_ids[ndn] = hit[0]
            run.report.unchanged += 1
            run.tick()
        else:
            todo.append(item)
    return fingerprints, unchanged_ids, todo, known_users


def _provision(run: _Run, todo: list[Item], index: AccountIndex, writes: UserWrites, kept_ids: set[int]):
    """3.-4. Create or update the accounts of the allowed entries; returns them by entry DN (normalised)."""
    users_by_dn: dict[str, User] = {}
    for item in todo:
        e = item.entry
        user, conflict = index.match(e)
        if conflict:
            run.report.skipped += 1
            run.tick()
            continue
        if user is not None and user.source == User.Source.LOCAL and (user.is_superuser or user.is_staff):
            run.report.error(
                e.dn, _("a local administrator account is named %(name)s; it is not taken over") % {"name": e.username}
            )
            run.report.skipped += 1
            continue
        wanted = wanted_fields(e)
        if user is None:
            user = writes.create(e, wanted)
            run.report.created += 1
        else:
            writes.update(user, e, wanted, index)
            kept_ids.add(user.pk)
        users_by_dn[normalize_dn(e.dn)] = user
        run.tick()
    return users_by_dn


def _refuse(run: _Run, refused: list[tuple[Item, str]], index: AccountIndex, kept_ids: set[int]) -> None:
    """5. Refused entries (disabled, deny group, not in required group): deactivate their accounts."""
    for item, access in refused:
        user, _conflict = index.match(item.entry)
        if user is not None and user.source == User.Source.DIRECTORY and user.is_active:
            run.deactivated.append(Deactivation(user.pk, user.username, access))
        elif user is not None:
            kept_ids.add(user.pk)
        run.tick()


def _left_directory(run: _Run, any_entries: bool, matched: set[int]) -> None:
    """For a full sync: deactivate the directory accounts whose entry is gone from the directory."""
    active = User.objects.filter(source=User.Source.DIRECTORY, is_active=True).values_list("id", "username")
    if not any_entries and active.exists():
        raise SyncAborted(_("The directory returned no users; nothing was deactivated. Check LDAP_USER_BASE_DN."))
    matched = matched | {d.user_id for d in run.deactivated}
    run.deactivated.extend(Deactivation(uid, name, LEFT) for uid, name in active if uid not in matched)


def _write_users(run: _Run, writes: UserWrites) -> list[int]:
    """The account rows in bulk; deactivated accounts lose their fingerprint and their directory roles. Returns
    the ids deactivated."""
    User.objects.bulk_create(writes.to_create, batch_size=BATCH)
    if writes.to_update:
        bulk_update_fast(writes.to_update, sorted(writes.fields))
    ids = [d.user_id for d in run.deactivated]
    if ids:
        for chunk in chunks(ids):
            User.objects.filter(pk__in=chunk).update(is_active=False, directory_synced_at=run.now)
            DirectoryAccount.objects.filter(user_id__in=chunk).exclude(fingerprint="").update(fingerprint="")
        run.report.deactivated += len(ids)
        remove_directory_roles(ids)
    return ids


def _apply_grants(run: _Run, allowed_users: list[tuple[Item, User]], fingerprints: dict, deactivated_ids) -> None:
    """6. The registered handlers (HR records), roles, then directory fields with the new fingerprints."""
    desired = [(item, user, *run.plan.desired(item.groups)) for item, user in allowed_users]
    incomplete: set[int] = set()  # accounts applied only in part: no fingerprint, so the next run looks again
    batch = Provisioned(
        accounts=[ProvisionedAccount(item.entry, user, frozenset(scopes)) for item, user, _g, scopes in desired],
        deactivated_ids=deactivated_ids,
        report=run.report,
        incomplete=incomplete,
    )
    touched = run_after_provisioned(batch)
    role_group_ids = set(run.plan.group_ids_by_role.values())
    touched |= sync_roles([(user.pk, groups) for _i, user, groups, _s in desired], role_group_ids)
    touched |= sync_accounts(allowed_users, fingerprints, incomplete)
    _count(run, allowed_users, touched)


def _count(run: _Run, allowed_users: list[tuple[Item, User]], touched: set[int]) -> None:
    stale = []
    for _item, user in allowed_users:
        if getattr(user, "_serambi_created", False):
            continue
        if getattr(user, "_serambi_changed", False):
            run.report.updated += 1
        elif user.pk in touched:
            run.report.updated += 1
            stale.append(user.pk)
        else:
            run.report.unchanged += 1
    for chunk in chunks(stale):
        User.objects.filter(pk__in=chunk).update(directory_synced_at=run.now)
