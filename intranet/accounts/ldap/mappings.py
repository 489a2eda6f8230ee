"""The directory group → role mapping: LDAP_GROUP_ROLE_MAP and LDAP_DEFAULT_ROLES checked and reconciled with the
mapping rows, and the role plan (which role groups and HR/payroll scopes an entry's groups grant)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.utils.translation import gettext as _

from intranet.audit.services import audit_record
from intranet.core.caching import digest, kept_with_generation

from ..models import DirectoryGroupMapping
from ..roles import Role
from .config import DirectoryConfig, normalize_dn

logger = logging.getLogger("intranet.accounts.ldap")


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
    emergency stop; kept until the setting drops it); rows added in the admin and never declared are left alone.
    With `write=False` (a dry run) nothing is written: the result is what would be in force."""
    rows = list(DirectoryGroupMapping.objects.select_related("scope_unit"))
    declared = _declared(config)
    kept = _reconcile_rows(rows, declared, write)
    have = {_mapping_key(m) for m in rows}
    kept += _missing_declared([k for k in declared if k not in have], write)
    return [m for m in kept if m.active]


def _mapping_key(m: DirectoryGroupMapping) -> tuple:
    return (m.group_dn, m.role, m.scope_unit.code if m.scope_unit else "", m.scope_kind)


def _reconcile_rows(rows: list[DirectoryGroupMapping], declared: dict, write: bool) -> list[DirectoryGroupMapping]:
    """The existing rows kept: declared ones become the environment's (its removal removes them), rows seeded from
    the setting that it no longer declares are deleted (and audited), rows added in the admin stay."""
    kept, retired = [], []
    for m in rows:
        if _mapping_key(m) in declared:
            if write and not m.from_settings:
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
    return kept


def _missing_declared(keys: list[tuple], write: bool) -> list[DirectoryGroupMapping]:
    """Rows for the declared mappings that have none yet (unsaved ones for a dry run)."""
    # the unit model through the mapping's own foreign key: the accounts layer does not import the HR apps
    units = DirectoryGroupMapping._meta.get_field("scope_unit").related_model.objects
    made = []
    for group_dn, role, unit_code, kind in keys:
        unit = None
        if unit_code:
            unit = units.filter(code=unit_code).first()
            if unit is None:
                logger.warning("LDAP_GROUP_ROLE_MAP: unknown unit %r; mapping for %s skipped", unit_code, role)
                continue
        fields = {"group_dn": group_dn, "role": role, "scope_unit": unit, "scope_kind": kind}
        if write:
            mapping, _created = DirectoryGroupMapping.objects.get_or_create(**fields, defaults={"from_settings": True})
        else:
            mapping = DirectoryGroupMapping(**fields, from_settings=True)
        made.append(mapping)
    return made


@dataclass
class RolePlan:
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


def role_plan(config: DirectoryConfig, mappings: list[DirectoryGroupMapping]) -> RolePlan:
    groups_by_name = dict(Group.objects.filter(name__in=[r.value for r in Role]).values_list("name", "id"))
    return RolePlan(
        group_ids_by_role=groups_by_name,
        default_group_ids=frozenset(
            groups_by_name[v] for v in (_role_value(r) for r in config.default_roles) if v in groups_by_name
        ),
        mappings=mappings,
    )


# Every directory login needs the role plan; it changes only when an administrator edits a mapping or a role group.
# Logins read it from the cache, kept under a generation that those edits bump (connected in `AccountsConfig.ready`).
# A sync reads the database: it runs rarely and in one transaction.
ROLE_PLAN_GENERATION = "directory:role-plan:generation"
ROLE_PLAN_SECONDS = 600


def login_role_plan(config: DirectoryConfig) -> RolePlan:
    settings_key = digest(repr((config.role_map, config.default_roles)))  # deployments may differ in settings
    return kept_with_generation(
        f"directory:role-plan:2:{settings_key}",  # 2: the plan's class moved (copies of the old one are not read)
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
