"""Applying directory entries to Serambi: accounts, the Employee link by NIP, directory fields, unit placement, and
the group → role mapping (with HR/payroll scopes). One engine serves both a single login and a full sync, in bulk:
everything is compared in memory and only differences are written, so a run with no directory change writes nothing.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, is_password_usable
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hr.org.models import Employee, HRScope, OrgUnit
from hr.org.nip import parse_nip
from intranet.audit.services import audit_record
from intranet.core.bulk import bulk_update_fast, insert_rows
from intranet.core.caching import bump_generation_now_and_on_commit, digest, kept_with_generation

from ..models import DirectoryAccount, DirectoryGroupMapping, RoleGrant, User
from ..roles import ORG_GENERATION_KEY, Role
from ..sessions import end_sessions
from .config import DirectoryConfig, normalize_dn
from .directory import USERNAME_RE, DirectoryEntry
from .identity import IDENTITY_CHANGED, anchored_elsewhere, report_identity_changes

logger = logging.getLogger("intranet.accounts.ldap")

USER_FIELDS = ("first_name", "last_name", "email", "directory_dn", "source", "is_active")
ACCOUNT_FIELDS = ("nip", "title", "unit_code", "phone", "manager_dn")
BATCH = 2000


def unusable_password() -> str:
    """What make_password(None) stores ("!" + random), with one fast call instead of 40 `secrets.choice` calls."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


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
    # entries whose username (or DN) belongs to an account anchored to another entry: not applied (see `_apply`)
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


# --- role mappings ----------------------------------------------------------------------------------------------------
def _role_value(name: str) -> str | None:
    for role in Role:
        if name in (role.name, role.value):
            return role.value
    return None


SCOPE_KINDS = ("", "hr", "payroll")


def mapping_problems(config: DirectoryConfig) -> list[str]:
    """Mistakes in LDAP_GROUP_ROLE_MAP and LDAP_DEFAULT_ROLES that can be seen without the database (a system check
    and the sync report them; a login ignores the faulty mapping and logs it)."""
    valid = ", ".join(f"{r.name} ({r.value})" for r in Role)
    problems = []
    for item in config.role_map:
        if _role_value(item.role) is None:
            problems.append(
                _("LDAP_GROUP_ROLE_MAP: unknown role %(role)r for %(group)s; valid roles: %(valid)s")
                % {"role": item.role, "group": item.group_dn, "valid": valid}
            )
        if item.scope_kind not in SCOPE_KINDS:
            problems.append(
                _("LDAP_GROUP_ROLE_MAP: unknown scope_kind %(kind)r for %(group)s; valid: hr, payroll")
                % {"kind": item.scope_kind, "group": item.group_dn}
            )
        role = _role_value(item.role)
        if item.scope_unit and role not in (None, Role.HR_OFFICER, Role.PAYROLL_OFFICER):
            problems.append(
                _("LDAP_GROUP_ROLE_MAP: only HR_OFFICER and PAYROLL_OFFICER take a scope_unit (%(group)s)")
                % {"group": item.group_dn}
            )
        if not (item.group_dn or "").strip():
            problems.append(_("LDAP_GROUP_ROLE_MAP: a mapping has no group DN"))
    for name in config.default_roles:
        if _role_value(name) is None:
            problems.append(
                _("LDAP_DEFAULT_ROLES: unknown role %(role)r; valid roles: %(valid)s") % {"role": name, "valid": valid}
            )
    return problems


def _declared(config: DirectoryConfig) -> dict[tuple, object]:
    """LDAP_GROUP_ROLE_MAP as mapping keys (group DN, role, unit code, scope kind) → the setting's item."""
    declared = {}
    for item in config.role_map:
        role = _role_value(item.role)
        if role is None:
            logger.error("LDAP_GROUP_ROLE_MAP: unknown role %r ignored", item.role)
            continue
        kind = item.scope_kind or (
            "hr" if (item.scope_unit and role == Role.HR_OFFICER) else "payroll" if item.scope_unit else ""
        )
        declared[(normalize_dn(item.group_dn), role, item.scope_unit, kind)] = item
    return declared


def active_mappings(config: DirectoryConfig, *, write: bool = True) -> list[DirectoryGroupMapping]:
    """The mappings in force. The environment is the source of truth for the mappings it declares: a row declared in
    LDAP_GROUP_ROLE_MAP is created when missing, and a row seeded from it that the setting no longer declares is
    removed, so its role goes at the next sync. An administrator may switch a declared row off in the admin (an
    emergency stop; kept until the setting drops it); rows added in the admin and never declared are left alone. With `write=False` (a dry run) nothing is written: the result is what would be in force."""
    rows = list(DirectoryGroupMapping.objects.select_related("scope_unit"))
    declared = _declared(config)

    def key(m):
        return (m.group_dn, m.role, m.scope_unit.code if m.scope_unit else "", m.scope_kind)

    kept, retired = [], []
    for m in rows:
        k = key(m)
        if k in declared:
            if write and not m.from_settings:  # declared now: the environment owns it (its removal removes it)
                m.from_settings = True
                m.save(update_fields=["from_settings"])
            kept.append(m)
        elif m.from_settings:
            retired.append(m)
        else:
            kept.append(m)
    if retired and write:
        DirectoryGroupMapping.objects.filter(pk__in=[m.pk for m in retired]).delete()
        for m in retired:
            logger.warning("LDAP_GROUP_ROLE_MAP no longer declares %s → %s: mapping removed", m.group_dn, m.role)
        audit_record(
            action="directory.mappings_removed",
            object_type="directory",
            details={"removed": [{"group": m.group_dn, "role": m.role} for m in retired]},
        )
    have = {key(m) for m in rows}
    for k in declared:
        if k in have:
            continue
        group_dn, role, unit_code, kind = k
        unit = None
        if unit_code:
            unit = OrgUnit.objects.filter(code=unit_code).first()
            if unit is None:
                logger.warning("LDAP_GROUP_ROLE_MAP: unknown unit %r; mapping for %s skipped", unit_code, role)
                continue
        fields = {"group_dn": group_dn, "role": role, "scope_unit": unit, "scope_kind": kind}
        if write:
            mapping, _created = DirectoryGroupMapping.objects.get_or_create(**fields, defaults={"from_settings": True})
        else:
            mapping = DirectoryGroupMapping(**fields, from_settings=True)
        kept.append(mapping)
    return [m for m in kept if m.active]


@dataclass
class _RolePlan:
    group_ids_by_role: dict[str, int]
    default_group_ids: frozenset[int]
    mappings: list[DirectoryGroupMapping]

    def desired(self, groups: frozenset[str]) -> tuple[set[int], set[tuple[int, str]]]:
        group_ids = set(self.default_group_ids)
        scopes: set[tuple[int, str]] = set()
        for m in self.mappings:
            if m.group_dn in groups:
                gid = self.group_ids_by_role.get(m.role)
                if gid:
                    group_ids.add(gid)
                if m.scope_unit_id and m.scope_kind:
                    scopes.add((m.scope_unit_id, m.scope_kind))
        return group_ids, scopes


def role_plan(config: DirectoryConfig, mappings: list[DirectoryGroupMapping]) -> _RolePlan:
    groups_by_name = dict(Group.objects.filter(name__in=[r.value for r in Role]).values_list("name", "id"))
    return _RolePlan(
        group_ids_by_role=groups_by_name,
        default_group_ids=frozenset(
            groups_by_name[v] for v in (_role_value(r) for r in config.default_roles) if v in groups_by_name
        ),
        mappings=mappings,
    )


# Every directory login needs the role plan; it changes only when an administrator edits a mapping or a role group.
# Logins read it from the cache, kept under a generation that those edits bump (connected in `AccountsConfig.ready`). A sync reads the
# database: it runs rarely and in one transaction.
ROLE_PLAN_GENERATION = "directory:role-plan:generation"
ROLE_PLAN_SECONDS = 600


def login_role_plan(config: DirectoryConfig) -> _RolePlan:
    settings_key = digest(repr((config.role_map, config.default_roles)))  # deployments may differ in settings
    return kept_with_generation(
        f"directory:role-plan:{settings_key}",
        ROLE_PLAN_GENERATION,
        lambda: role_plan(config, active_mappings(config)),
        ROLE_PLAN_SECONDS,
    )


def relevant_groups(config: DirectoryConfig, mappings: list[DirectoryGroupMapping]) -> set[str]:
    dns = {m.group_dn for m in mappings}
    for dn in (config.required_group, config.deny_group):
        if dn:
            dns.add(normalize_dn(dn))
    return dns


# --- the engine -------------------------------------------------------------------------------------------------------
@dataclass
class Item:
    entry: DirectoryEntry
    groups: frozenset[str]


# Bump when what the fingerprint covers changes: every account is then looked at again once.
FINGERPRINT_VERSION = "2"  # 2: the entry's anchor


def _config_key(config: DirectoryConfig, plan: _RolePlan) -> str:
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


@dataclass
class _Deactivation:
    user_id: int
    username: str
    reason: str  # an Access value, or LEFT


LEFT = "left_directory"


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
    deactivated: list[_Deactivation] = []
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
        users = _apply(config, items, full, report, plan, deactivated, progress, verify)
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


def _audit_deactivations(deactivated: list[_Deactivation]) -> None:
    """One audit entry per account the directory switched off (inside the sync's transaction)."""
    if not deactivated:
        return
    employees: dict[int, int] = {}
    for chunk in _chunks([d.user_id for d in deactivated]):
        employees.update(Employee.objects.filter(user_id__in=chunk).values_list("user_id", "id"))
    for d in deactivated:
        emp_id = employees.get(d.user_id)
        audit_record(
            action="directory.account_deactivated",
            object_type="accounts.user",
            object_id=str(d.user_id),
            subject_employee=Employee(pk=emp_id) if emp_id else None,
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
    for chunk in _chunks([i.entry.username for i in items]):
        # the fingerprint as a column of the user's row: a login builds one model instance, not two
        qs = User.objects.filter(username__in=chunk, directory_account__fingerprint__gt="", **filters)
        users.update((u.pk, u) for u in qs.annotate(directory_fingerprint=F("directory_account__fingerprint")))
    known = {normalize_dn(u.directory_dn): (u.pk, u.directory_fingerprint, u.username) for u in users.values()}
    return known, users


def _load_users(items: list[Item]) -> list[User]:
    columns = ("id", "username", "password", "is_superuser", "is_staff", "directory_anchor", *USER_FIELDS)
    if not items:
        return []
    if len(items) > 5000:  # e.g. the first sync: one scan beats thousands of IN lists
        return list(User.objects.only(*columns))
    usernames = [i.entry.username for i in items]
    dns = [i.entry.dn for i in items]
    anchors = [i.entry.anchor for i in items]
    users: dict[int, User] = {}
    for start in range(0, len(items), 1000):
        q = Q(username__in=usernames[start : start + 1000]) | Q(directory_dn__in=dns[start : start + 1000])
        q |= Q(directory_anchor__in=[a for a in anchors[start : start + 1000] if a])
        users.update((u.pk, u) for u in User.objects.filter(q).only(*columns))
    return list(users.values())


def _applied_already(config: DirectoryConfig, items: list[Item], plan: _RolePlan) -> dict[str, User] | None:
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


def _apply(config, items, full, report, plan, deactivated, progress, verify):
    now = timezone.now()
    relevant = relevant_groups(config, plan.mappings)
    key = _config_key(config, plan)

    # 1. Validate entries and decide access.
    seen_usernames: set[str] = set()
    allowed: list[Item] = []
    refused: list[tuple[Item, str]] = []
    for item in items:
        e = item.entry
        if not USERNAME_RE.fullmatch(e.username or ""):
            report.error(
                e.dn, _("the username %(name)r is missing or not allowed; entry skipped") % {"name": e.username}
            )
            report.skipped += 1
            continue
        if e.username in seen_usernames:
            report.error(
                e.dn, _("the username %(name)s appears twice in the directory; entry skipped") % {"name": e.username}
            )
            report.skipped += 1
            continue
        seen_usernames.add(e.username)
        access = access_for(config, e, item.groups)
        if access == Access.ALLOWED:
            allowed.append(item)
        else:
            refused.append((item, access))

    # 2. Unchanged entries: same fingerprint as when last applied → one dict lookup, nothing else read.
    fingerprints: dict[str, str] = {}
    unchanged_ids: dict[str, int] = {}
    todo: list[Item] = []
    known, known_users = ({}, {}) if verify else _known_fingerprints(full, allowed)
    for item in allowed:
        ndn = normalize_dn(item.entry.dn)
        fp = fingerprints[ndn] = fingerprint(key, item, relevant)
        hit = known.get(ndn)
        if hit is not None and hit[1] == fp and hit[2] == item.entry.username:
            unchanged_ids[ndn] = hit[0]
            report.unchanged += 1
            if progress:
                progress(1)
        else:
            todo.append(item)

    # 3. Load the accounts concerned by the other entries.
    existing = _load_users(todo + [i for i, _a in refused])
    by_dn = {normalize_dn(u.directory_dn): u for u in existing if u.directory_dn and u.source == User.Source.DIRECTORY}
    by_username = {u.username: u for u in existing}
    by_anchor = {u.directory_anchor: u for u in existing if u.directory_anchor}
    retired: set[int] = set()

    def match(entry: DirectoryEntry) -> tuple[User | None, bool]:
        """(the entry's account, whether the entry conflicts with an account): by its anchor, else by DN or
        username, unless that account is anchored to another entry: then the conflict is recorded and the old
        account is never reused."""
        if entry.anchor and entry.anchor in by_anchor:
            return by_anchor[entry.anchor], False
        for user in (by_dn.get(normalize_dn(entry.dn)), by_username.get(entry.username)):
            if user is not None and not anchored_elsewhere(user.directory_anchor, entry.anchor):
                return user, False
        user = by_username.get(entry.username)
        if user is None:  # only the DN was reused (the old account was renamed): a new account
            return None, False
        if user.pk not in retired:
            retired.add(user.pk)
            report.identity_conflicts.append(
                {
                    "user_id": user.pk,
                    "username": entry.username,
                    "dn": entry.dn,
                    "old_anchor": user.directory_anchor,
                    "new_anchor": entry.anchor,
                }
            )
            report.error(
                entry.dn,
                _(
                    "the username %(name)s belongs to an account made for another directory entry (its identifier "
                    "changed); the old account is not reused, no account was created"
                )
                % {"name": entry.username},
            )
            if user.source == User.Source.DIRECTORY and user.is_active:
                deactivated.append(_Deactivation(user.pk, user.username, IDENTITY_CHANGED))
        return None, True

    # 4. Create or update allowed accounts.
    to_create: list[User] = []
    to_update: list[User] = []
    update_fields: set[str] = set()
    users_by_dn: dict[str, User] = {}
    kept_ids: set[int] = set(unchanged_ids.values())
    for item in todo:
        e = item.entry
        user, conflict = match(e)
        if conflict:
            report.skipped += 1
            if progress:
                progress(1)
            continue
        if user is not None and user.source == User.Source.LOCAL and (user.is_superuser or user.is_staff):
            report.error(
                e.dn, _("a local administrator account is named %(name)s; it is not taken over") % {"name": e.username}
            )
            report.skipped += 1
            continue
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
        if user is None:
            user = User(username=e.username, password=unusable_password(), directory_synced_at=now, **wanted)
            user._serambi_created = True
            to_create.append(user)
            report.created += 1
        else:
            changed = [f for f, v in wanted.items() if getattr(user, f) != v]
            if user.username != e.username and by_username.get(e.username) in (None, user):
                user.username = e.username  # renamed in the directory (same DN)
                changed.append("username")
            if is_password_usable(user.password):  # a directory account never logs in with a local password
                user.password = unusable_password()
                changed.append("password")
            if changed:
                for f in changed:
                    if f in wanted:
                        setattr(user, f, wanted[f])
                user.directory_synced_at = now
                update_fields.update(changed)
                update_fields.add("directory_synced_at")
                to_update.append(user)
                user._serambi_changed = True
            kept_ids.add(user.pk)
        users_by_dn[normalize_dn(e.dn)] = user
        if progress:
            progress(1)

    # 5. Refused entries (disabled, deny group, not in required group): deactivate their accounts.
    for item, access in refused:
        user, _conflict = match(item.entry)
        if user is not None and user.source == User.Source.DIRECTORY and user.is_active:
            deactivated.append(_Deactivation(user.pk, user.username, access))
        elif user is not None:
            kept_ids.add(user.pk)
        if progress:
            progress(1)
    if full:  # accounts whose entry is gone from the directory
        active = User.objects.filter(source=User.Source.DIRECTORY, is_active=True).values_list("id", "username")
        if not allowed and not refused and active.exists():
            raise SyncAborted(_("The directory returned no users; nothing was deactivated. Check LDAP_USER_BASE_DN."))
        matched = kept_ids | {d.user_id for d in deactivated} | retired
        deactivated += [_Deactivation(uid, name, LEFT) for uid, name in active if uid not in matched]

    User.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        bulk_update_fast(to_update, sorted(update_fields))
    if deactivated:
        ids = [d.user_id for d in deactivated]
        for chunk in _chunks(ids):
            User.objects.filter(pk__in=chunk).update(is_active=False, directory_synced_at=now)
            DirectoryAccount.objects.filter(user_id__in=chunk).exclude(fingerprint="").update(fingerprint="")
        report.deactivated += len(ids)
        _remove_directory_roles(ids)

    # 6. Employee link and placement, supervisor, roles, then directory fields with the new fingerprints.
    allowed_users = [
        (item, users_by_dn[normalize_dn(item.entry.dn)]) for item in todo if normalize_dn(item.entry.dn) in users_by_dn
    ]
    incomplete: set[int] = set()  # accounts applied only in part: no fingerprint, so the next run looks again
    touched = set()
    touched |= _sync_employees(allowed_users, report, incomplete)
    touched |= _sync_roles(allowed_users, plan, full)
    touched |= _sync_accounts(allowed_users, fingerprints, incomplete)
    stale = []
    for _item, user in allowed_users:
        if getattr(user, "_serambi_created", False):
            continue
        if getattr(user, "_serambi_changed", False):
            report.updated += 1
        elif user.pk in touched:
            report.updated += 1
            stale.append(user.pk)
        else:
            report.unchanged += 1
    if stale:
        for chunk in _chunks(stale):
            User.objects.filter(pk__in=chunk).update(directory_synced_at=now)
    if not full:  # a login needs its user even when nothing changed
        users_by_dn.update((ndn, known_users[uid]) for ndn, uid in unchanged_ids.items() if uid in known_users)
    return users_by_dn


def _chunks(ids, size=BATCH):
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _remove_directory_roles(user_ids: list[int]) -> None:
    Membership = User.groups.through
    for chunk in _chunks(user_ids):
        grants = list(RoleGrant.objects.filter(user_id__in=chunk).values_list("user_id", "group_id"))
        q = Q()
        for uid, gid in grants:
            q |= Q(user_id=uid, group_id=gid)
        if grants:
            Membership.objects.filter(q).delete()
        RoleGrant.objects.filter(user_id__in=chunk).delete()
        HRScope.objects.filter(user_id__in=chunk, source="directory").delete()


def _sync_accounts(allowed_users, fingerprints: dict[str, str], incomplete: set[int]) -> set[int]:
    """Directory attributes and the fingerprint. A changed fingerprint alone is not a change of the account."""
    ids = [u.pk for _i, u in allowed_users]
    fields = (*ACCOUNT_FIELDS, "fingerprint")
    existing: dict[int, tuple] = {}
    for chunk in _chunks(ids):
        for row in DirectoryAccount.objects.filter(user_id__in=chunk).values_list("user_id", *fields):
            existing[row[0]] = row[1:]
    create, update, touched = [], [], set()
    for item, user in allowed_users:
        e = item.entry
        fp = "" if user.pk in incomplete else fingerprints.get(normalize_dn(e.dn), "")
        wanted = (e.nip[:32], e.title, e.unit, e.phone, e.manager, fp)
        have = existing.get(user.pk)
        if have is None:
            create.append((user.pk, *wanted))
            touched.add(user.pk)
        elif have != wanted:
            update.append(SimpleNamespace(pk=user.pk, **dict(zip(fields, wanted, strict=True))))
            if have[:-1] != wanted[:-1]:
                touched.add(user.pk)
    insert_rows(DirectoryAccount, ["user", *fields], create)
    bulk_update_fast(update, list(fields), model=DirectoryAccount)
    return touched


EMPLOYEE_COLUMNS = (
    "id",
    "nip",
    "user_id",
    "work_email",
    "work_phone",
    "unit_id",
    "supervisor_id",
    "user__source",
    "user__is_active",
)


def _sync_employees(allowed_users, report: SyncReport, incomplete: set[int]) -> set[int]:
    """Link each account to the Employee with its NIP; update work e-mail, phone, unit placement and supervisor, in
    one bulk UPDATE. Reads plain rows (no model instances): this may run over every directory account (first sync).
    Accounts that could not be fully applied are added to `incomplete`."""
    touched: set[int] = set()
    changed: dict[int, SimpleNamespace] = {}  # employee id → its row with the new values
    fields: set[str] = set()
    _link_employees(allowed_users, report, incomplete, touched, changed, fields)
    _place_supervisors(allowed_users, incomplete, touched, changed, fields)
    if changed:
        bulk_update_fast(list(changed.values()), sorted(fields), model=Employee)
    return touched


def _link_employees(allowed_users, report, incomplete, touched, changed, fields) -> None:
    nips: dict[str, tuple] = {}
    for item, user in allowed_users:
        e = item.entry
        if not e.nip:
            continue
        try:
            parse_nip(e.nip)
        except ValidationError as exc:
            report.error(e.dn, _("invalid NIP %(nip)r: %(reason)s") % {"nip": e.nip, "reason": " ".join(exc.messages)})
            incomplete.add(user.pk)
            continue
        if e.nip in nips:
            incomplete.add(nips[e.nip][1].pk)  # two entries, one NIP: the later one is linked
        nips[e.nip] = (item, user)
    if not nips:
        return
    employees: dict[str, SimpleNamespace] = {}
    linked_to_user: dict[int, int] = {}
    for chunk in _chunks(list(nips)):
        for row in Employee.objects.filter(nip__in=chunk).values_list(*EMPLOYEE_COLUMNS):
            employees[row[1]] = SimpleNamespace(**dict(zip(EMPLOYEE_COLUMNS, row, strict=True)))
    for chunk in _chunks([u.pk for _i, u in nips.values()]):
        linked_to_user.update(Employee.objects.filter(user_id__in=chunk).values_list("user_id", "id"))
    unit_codes = {i.entry.unit for i, _u in nips.values() if i.entry.unit}
    units = dict(OrgUnit.objects.filter(code__in=unit_codes).values_list("code", "id")) if unit_codes else {}

    unlink: list[SimpleNamespace] = []
    for nip, (item, user) in nips.items():
        e = item.entry
        emp = employees.get(nip)
        if emp is None:
            incomplete.add(user.pk)
            continue  # no HR record yet: linked on a later run once HR has it
        emp.pk = emp.id
        if emp.user_id != user.pk:
            if emp.user_id is not None and emp.user__source == User.Source.DIRECTORY and emp.user__is_active:
                other = User.objects.filter(pk=emp.user_id).values_list("username", flat=True).first()
                report.error(
                    e.dn, _("NIP %(nip)s already belongs to the account %(other)s") % {"nip": nip, "other": other}
                )
                incomplete.add(user.pk)
                continue
            previous = linked_to_user.get(user.pk)
            if previous is not None and previous != emp.pk:
                unlink.append(SimpleNamespace(pk=previous, user_id=None))
            emp.user_id = user.pk
            fields.add("user")
            changed[emp.pk] = emp
            report.employees_linked += 1
        if e.email and emp.work_email != e.email:
            emp.work_email = e.email
            fields.add("work_email")
            changed[emp.pk] = emp
        if e.phone and emp.work_phone != e.phone:
            emp.work_phone = e.phone
            fields.add("work_phone")
            changed[emp.pk] = emp
        if e.unit:
            unit_id = units.get(e.unit)
            if unit_id is None:
                report.error(e.dn, _("unknown unit code %(code)r; unit placement skipped") % {"code": e.unit})
                incomplete.add(user.pk)
            elif emp.unit_id != unit_id:
                emp.unit_id = unit_id
                fields.add("unit")
                changed[emp.pk] = emp
        if emp.pk in changed:
            touched.add(user.pk)
    if unlink:  # before the new links: Employee.user is unique
        bulk_update_fast(unlink, ["user"], model=Employee)


def _place_supervisors(allowed_users, incomplete, touched, changed, fields) -> None:
    """The directory's manager DN → Employee.supervisor (the manager's own Employee record, through the manager's
    account), folded into the pending employee rows. An entry without a manager leaves the supervisor alone (HR may
    have set it, or the unit head applies); a manager not resolvable yet (no account or no HR record) leaves the
    entry incomplete."""
    wanted_by_user = {u.pk: normalize_dn(i.entry.manager) for i, u in allowed_users if i.entry.manager}
    if not wanted_by_user:
        return
    links = {row.user_id: row.pk for row in changed.values() if row.user_id is not None}  # this run's, not yet written
    manager_of: dict[str, int] = {}  # manager DN (normalised) → the manager's Employee id
    directory = User.objects.filter(source=User.Source.DIRECTORY, employee__isnull=False)
    if len(wanted_by_user) > 1000:
        rows = directory.values_list("directory_dn", "employee__id")
    else:
        raw = list({i.entry.manager for i, _u in allowed_users if i.entry.manager})
        rows = directory.filter(directory_dn__in=raw).values_list("directory_dn", "employee__id")
    for dn, emp_id in rows:
        manager_of[normalize_dn(dn)] = emp_id
    for item, user in allowed_users:
        if user.pk in links:
            manager_of[normalize_dn(item.entry.dn)] = links[user.pk]
    mine: dict[int, tuple[int, int | None]] = {}  # user id → (employee id, current supervisor id), linked before
    for chunk in _chunks([uid for uid in wanted_by_user if uid not in links]):
        for uid, emp_id, sup_id in Employee.objects.filter(user_id__in=chunk).values_list(
            "user_id", "id", "supervisor_id"
        ):
            mine[uid] = (emp_id, sup_id)
    extra = []
    for uid, manager_dn in wanted_by_user.items():
        if uid in links:
            emp_id = links[uid]
            sup_id = changed[emp_id].supervisor_id
        elif uid in mine:
            emp_id, sup_id = mine[uid]
        else:
            continue  # no HR record linked: nothing to place (the NIP link marks it incomplete when it applies)
        manager_emp = manager_of.get(manager_dn)
        if manager_emp is None:
            incomplete.add(uid)
        elif manager_emp != sup_id and manager_emp != emp_id:
            if emp_id in changed:
                changed[emp_id].supervisor_id = manager_emp
                fields.add("supervisor")
            else:
                extra.append(SimpleNamespace(pk=emp_id, supervisor_id=manager_emp))
            touched.add(uid)
    bulk_update_fast(extra, ["supervisor"], model=Employee)


def _sync_roles(allowed_users, plan: _RolePlan, full: bool) -> set[int]:
    Membership = User.groups.through
    role_group_ids = set(plan.group_ids_by_role.values())
    ids = [u.pk for _i, u in allowed_users]
    memberships: dict[int, set[int]] = {}
    grants: dict[int, set[int]] = {}
    scopes: dict[int, dict[tuple[int, str], HRScope]] = {}
    for chunk in _chunks(ids):
        for uid, gid in Membership.objects.filter(user_id__in=chunk, group_id__in=role_group_ids).values_list(
            "user_id", "group_id"
        ):
            memberships.setdefault(uid, set()).add(gid)
        for uid, gid in RoleGrant.objects.filter(user_id__in=chunk).values_list("user_id", "group_id"):
            grants.setdefault(uid, set()).add(gid)
        for s in HRScope.objects.filter(user_id__in=chunk):
            scopes.setdefault(s.user_id, {})[(s.unit_id, s.kind)] = s
    add_members, add_grants, remove_pairs, add_scopes, remove_scopes = [], [], [], [], []
    touched: set[int] = set()
    now = timezone.now()
    for item, user in allowed_users:
        want_groups, want_scopes = plan.desired(item.groups)
        have = memberships.get(user.pk, set())
        granted = grants.get(user.pk, set())
        for gid in want_groups - have:
            add_members.append((user.pk, gid))
            add_grants.append((user.pk, gid, now))
            touched.add(user.pk)
        for gid in granted - want_groups:
            remove_pairs.append((user.pk, gid))
            touched.add(user.pk)
        user_scopes = scopes.get(user.pk, {})
        for key in want_scopes - set(user_scopes):
            add_scopes.append(HRScope(user_id=user.pk, unit_id=key[0], kind=key[1], source="directory"))
            touched.add(user.pk)
        for key, s in user_scopes.items():
            if s.source == "directory" and key not in want_scopes:
                remove_scopes.append(s.pk)
                touched.add(user.pk)
    insert_rows(Membership, ["user", "group"], add_members, ignore_conflicts=True)
    insert_rows(RoleGrant, ["user", "group", "granted_at"], add_grants, ignore_conflicts=True)
    HRScope.objects.bulk_create(add_scopes, batch_size=BATCH, ignore_conflicts=True)
    for chunk in _chunks(remove_pairs, 500):
        q = Q()
        for uid, gid in chunk:
            q |= Q(user_id=uid, group_id=gid)
        Membership.objects.filter(q).delete()
        RoleGrant.objects.filter(q).delete()
    for chunk in _chunks(remove_scopes):
        HRScope.objects.filter(pk__in=chunk).delete()
    return touched
