"""Applying directory entries to Serambi: accounts, the Employee link by NIP, directory fields, unit placement, and
the group → role mapping (with HR/payroll scopes). One engine serves both a single login and a full sync, in bulk:
everything is compared in memory and only differences are written, so a run with no directory change writes nothing.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, is_password_usable
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hr.org.models import Employee, HRScope, OrgUnit
from hr.org.nip import parse_nip

from ..models import DirectoryAccount, DirectoryGroupMapping, RoleGrant, User
from ..roles import Role
from ..sessions import end_sessions
from .bulk import bulk_update_fast
from .config import DirectoryConfig, normalize_dn
from .directory import USERNAME_RE, DirectoryEntry

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


def active_mappings(config: DirectoryConfig) -> list[DirectoryGroupMapping]:
    """The mappings in force; rows named in LDAP_GROUP_ROLE_MAP are created when missing (admins edit them after)."""
    rows = list(DirectoryGroupMapping.objects.select_related("scope_unit"))
    have = {(m.group_dn, m.role, m.scope_unit.code if m.scope_unit else "", m.scope_kind) for m in rows}
    for item in config.role_map:
        role = _role_value(item.role)
        if role is None:
            logger.warning("LDAP_GROUP_ROLE_MAP: unknown role %r ignored", item.role)
            continue
        kind = item.scope_kind or (
            "hr" if (item.scope_unit and role == Role.HR_OFFICER) else "payroll" if item.scope_unit else ""
        )
        key = (normalize_dn(item.group_dn), role, item.scope_unit, kind)
        if key in have:
            continue
        unit = None
        if item.scope_unit:
            unit = OrgUnit.objects.filter(code=item.scope_unit).first()
            if unit is None:
                logger.warning("LDAP_GROUP_ROLE_MAP: unknown unit %r; mapping for %s skipped", item.scope_unit, role)
                continue
        mapping, _created = DirectoryGroupMapping.objects.get_or_create(
            group_dn=key[0], role=role, scope_unit=unit, scope_kind=kind, defaults={"from_settings": True}
        )
        rows.append(mapping)
        have.add(key)
    return [m for m in rows if m.active]


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


def apply_entries(
    *,
    config: DirectoryConfig,
    items: list[Item],
    full: bool,
    dry_run: bool = False,
    report: SyncReport | None = None,
    mappings: list[DirectoryGroupMapping] | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[SyncReport, dict[str, User]]:
    """Bring Serambi in line with `items`. With `full=True` the items are the whole directory: directory accounts not
    among them are deactivated. Returns the report and the allowed users by entry DN (normalised)."""
    report = report or SyncReport(dry_run=dry_run)
    deactivated_ids: list[int] = []
    with transaction.atomic():
        mappings = active_mappings(config) if mappings is None else mappings
        users = _apply(config, items, full, report, mappings, deactivated_ids, progress)
        if dry_run:
            transaction.set_rollback(True)
    if deactivated_ids and not dry_run:
        report.sessions_ended += end_sessions(deactivated_ids)
    return report, users


def _apply(config, items, full, report, mappings, deactivated_ids, progress):
    now = timezone.now()
    groups_by_name = dict(Group.objects.filter(name__in=[r.value for r in Role]).values_list("name", "id"))
    plan = _RolePlan(
        group_ids_by_role=groups_by_name,
        default_group_ids=frozenset(
            groups_by_name[v] for v in (_role_value(r) for r in config.default_roles) if v in groups_by_name
        ),
        mappings=mappings,
    )

    # 1. Validate entries and decide access.
    seen_usernames: set[str] = set()
    allowed: list[Item] = []
    refused: list[Item] = []
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
        (allowed if access_for(config, e, item.groups) == Access.ALLOWED else refused).append(item)

    # 2. Load the accounts concerned.
    if full:
        qs = User.objects.filter(Q(source=User.Source.DIRECTORY) | Q(username__in=seen_usernames))
        if len(seen_usernames) > 5000:
            qs = User.objects.all()
    else:
        dns = [i.entry.dn for i in items]
        qs = User.objects.filter(Q(username__in=seen_usernames) | Q(directory_dn__in=dns))
    existing = list(qs.only("id", "username", "password", "is_superuser", "is_staff", *USER_FIELDS))
    by_dn = {normalize_dn(u.directory_dn): u for u in existing if u.directory_dn and u.source == User.Source.DIRECTORY}
    by_username = {u.username: u for u in existing}

    def match(entry: DirectoryEntry) -> User | None:
        return by_dn.get(normalize_dn(entry.dn)) or by_username.get(entry.username)

    # 3. Create or update allowed accounts.
    to_create: list[User] = []
    to_update: list[User] = []
    update_fields: set[str] = set()
    users_by_dn: dict[str, User] = {}
    kept_ids: set[int] = set()
    for item in allowed:
        e = item.entry
        user = match(e)
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

    # 4. Refused entries (disabled, deny group, not in required group): deactivate their accounts.
    to_deactivate: list[User] = []
    for item in refused:
        user = match(item.entry)
        if user is not None and user.source == User.Source.DIRECTORY and user.is_active:
            to_deactivate.append(user)
        elif user is not None:
            kept_ids.add(user.pk)
        if progress:
            progress(1)
    if full:
        if not allowed and not refused and any(u.source == User.Source.DIRECTORY and u.is_active for u in existing):
            raise SyncAborted(_("The directory returned no users; nothing was deactivated. Check LDAP_USER_BASE_DN."))
        matched = kept_ids | {u.pk for u in to_deactivate}
        to_deactivate += [
            u for u in existing if u.source == User.Source.DIRECTORY and u.is_active and u.pk not in matched
        ]

    User.objects.bulk_create(to_create, batch_size=BATCH)
    if to_update:
        bulk_update_fast(to_update, sorted(update_fields))
    if to_deactivate:
        ids = [u.pk for u in to_deactivate]
        for chunk in _chunks(ids):
            User.objects.filter(pk__in=chunk).update(is_active=False, directory_synced_at=now)
        deactivated_ids.extend(ids)
        report.deactivated += len(ids)
        _remove_directory_roles(ids)

    # 5. Directory fields, Employee link and placement, roles.
    allowed_users = [
        (item, users_by_dn[normalize_dn(item.entry.dn)])
        for item in allowed
        if normalize_dn(item.entry.dn) in users_by_dn
    ]
    touched = set()
    touched |= _sync_accounts(allowed_users, full)
    touched |= _sync_employees(allowed_users, report)
    touched |= _sync_roles(allowed_users, plan, full)
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


def _sync_accounts(allowed_users, full) -> set[int]:
    ids = [u.pk for _i, u in allowed_users]
    existing: dict[int, tuple] = {}
    for chunk in _chunks(ids):
        for row in DirectoryAccount.objects.filter(user_id__in=chunk).values_list("user_id", *ACCOUNT_FIELDS):
            existing[row[0]] = row[1:]
    create, update, touched = [], [], set()
    for item, user in allowed_users:
        e = item.entry
        wanted = (e.nip[:32], e.title, e.unit, e.phone, e.manager)
        have = existing.get(user.pk)
        if have is None:
            create.append(DirectoryAccount(user_id=user.pk, **dict(zip(ACCOUNT_FIELDS, wanted, strict=True))))
            touched.add(user.pk)
        elif have != wanted:
            update.append(SimpleNamespace(pk=user.pk, **dict(zip(ACCOUNT_FIELDS, wanted, strict=True))))
            touched.add(user.pk)
    DirectoryAccount.objects.bulk_create(create, batch_size=BATCH)
    bulk_update_fast(update, list(ACCOUNT_FIELDS), model=DirectoryAccount)
    return touched


EMPLOYEE_COLUMNS = ("id", "nip", "user_id", "work_email", "work_phone", "unit_id", "user__source", "user__is_active")


def _sync_employees(allowed_users, report: SyncReport) -> set[int]:
    """Link each account to the Employee with its NIP; update work e-mail, phone and unit placement.
    Reads plain rows (no model instances): this runs over every directory account on each sync."""
    touched: set[int] = set()
    nips: dict[str, tuple] = {}
    for item, user in allowed_users:
        e = item.entry
        if not e.nip:
            continue
        try:
            parse_nip(e.nip)
        except ValidationError as exc:
            report.error(e.dn, _("invalid NIP %(nip)r: %(reason)s") % {"nip": e.nip, "reason": " ".join(exc.messages)})
            continue
        nips[e.nip] = (item, user)
    if not nips:
        return touched
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
    changed: dict[int, SimpleNamespace] = {}
    fields: set[str] = set()
    for nip, (item, user) in nips.items():
        e = item.entry
        emp = employees.get(nip)
        if emp is None:
            continue  # no HR record yet: linked on a later run once HR has it
        emp.pk = emp.id
        if emp.user_id != user.pk:
            if emp.user_id is not None and emp.user__source == User.Source.DIRECTORY and emp.user__is_active:
                other = User.objects.filter(pk=emp.user_id).values_list("username", flat=True).first()
                report.error(
                    e.dn, _("NIP %(nip)s already belongs to the account %(other)s") % {"nip": nip, "other": other}
                )
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
            elif emp.unit_id != unit_id:
                emp.unit_id = unit_id
                fields.add("unit")
                changed[emp.pk] = emp
        if emp.pk in changed:
            touched.add(user.pk)
    if unlink:
        bulk_update_fast(unlink, ["user"], model=Employee)
    if changed:
        bulk_update_fast(list(changed.values()), sorted(fields), model=Employee)
    return touched


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
    for item, user in allowed_users:
        want_groups, want_scopes = plan.desired(item.groups)
        have = memberships.get(user.pk, set())
        granted = grants.get(user.pk, set())
        for gid in want_groups - have:
            add_members.append(Membership(user_id=user.pk, group_id=gid))
            add_grants.append(RoleGrant(user_id=user.pk, group_id=gid))
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
    Membership.objects.bulk_create(add_members, batch_size=BATCH, ignore_conflicts=True)
    RoleGrant.objects.bulk_create(add_grants, batch_size=BATCH, ignore_conflicts=True)
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
