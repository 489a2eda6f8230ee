"""Reads about the organisation that involve scope or time. The only place that decides who is whose superior,
who holds a position's authority on a date, and which employees an HR or payroll officer covers."""

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db import connection
from django.db.models import (
    Exists,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Concat
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from intranet.accounts.roles import Role, has_role
from intranet.core.caching import generation, kept_with_generation, near_get, near_set

from .models import Delegation, Employee, HRScope, OrgUnit, Position, bare_name_key
from .signals import ORG_GENERATION_KEY


@dataclass(frozen=True)
class Authority:
    """Who exercises a position's authority on a date, and the delegation that makes it so (None when it is the holder)."""

    employee: Employee
    delegation: Delegation | None = None

    @property
    def acting_for(self) -> Position | None:
        return self.delegation.position if self.delegation else None


def authority_holder(position: Position | int, on_date: dt.date | None = None) -> Authority | None:
    """Who holds the authority of `position` (or the position with that id) on `on_date`: a Plt/Plh delegated for
    that date wins over the holder (the decree says so for its period); otherwise the active employee who holds the
    position. The person comes with their user account, which whoever asks tends to notify."""
    on_date = on_date or timezone.localdate()
    position_id = getattr(position, "pk", position)
    if position_id in delegated_positions(on_date):
        delegation = (
            Delegation.objects.filter(
                position_id=position_id, start_date__lte=on_date, end_date__gte=on_date, acting__active=True
            )
            .select_related("acting__user", "position")
            .order_by("-start_date", "-created_at")
            .first()
        )
        if delegation:
            return Authority(employee=delegation.acting, delegation=delegation)
    holder = Employee.objects.filter(position_id=position_id, active=True).select_related("user").order_by("pk").first()
    return Authority(employee=holder) if holder else None


DELEGATED_SECONDS = 300


def delegated_positions(on_date: dt.date) -> frozenset[int]:
    """The positions with a delegation (Plt/Plh) in force on `on_date` whose acting official is active: a few at any
    time, so `authority_holder` asks about delegations only for those. Kept in each process under the organisation
    generation, which a delegation or an employee written bumps (`hr.org.signals`); the generation comes with every
    signed-in request's prefetch, so a hit costs no round trip."""

    key = f"org:delegated:{generation(ORG_GENERATION_KEY)}:{on_date.isoformat()}"
    found = near_get(key, DELEGATED_SECONDS)
    if found is None:
        found = frozenset(
            Delegation.objects.filter(start_date__lte=on_date, end_date__gte=on_date, acting__active=True)
            .values_list("position_id", flat=True)
            .distinct()
        )
        near_set(key, found, DELEGATED_SECONDS)
    return found


def unit_head(unit: OrgUnit, on_date: dt.date | None = None) -> Authority | None:
    if unit.head_position_id is None:
        return None
    return authority_holder(unit.head_position_id, on_date)  # by id: the position's row is not needed


def superior_of(employee: Employee, on_date: dt.date | None = None) -> Authority | None:
    """The direct superior (atasan langsung): the explicit one if set, else the head of the employee's unit, or, for the
    head themself (or a unit without a head), the head of the nearest ancestor unit that has one."""
    if employee.supervisor_id:
        sup = employee.supervisor
        if sup.active:
            return Authority(employee=sup)
    unit = employee.unit
    while unit is not None:
        if unit.head_position_id and unit.head_position_id != employee.position_id:
            authority = unit_head(unit, on_date)
            if authority and authority.employee.pk != employee.pk:
                return authority
        unit = unit.get_parent()
    return None


def direct_reports(employee: Employee) -> QuerySet[Employee]:
    """Employees whose direct superior is `employee`: explicit reports, plus — when they head a unit — the unit's staff
    without an explicit superior and the heads of its child units without one. One query."""
    q = Q(supervisor=employee)
    headed = getattr(employee.position, "headed_unit", None) if employee.position_id else None
    if headed is not None:
        child_heads = Position.objects.filter(
            headed_unit__path__startswith=headed.path, headed_unit__depth=headed.depth + 1
        )
        q |= Q(supervisor__isnull=True, unit=headed) | Q(supervisor__isnull=True, position__in=child_heads)
    return (
        Employee.objects.filter(q, active=True)
        .exclude(pk=employee.pk)
        .select_related("position", "unit")
        .order_by("sort_name")
    )


def scope_units(user, kind: str = HRScope.Kind.HR) -> list[OrgUnit]:
    """Root units of the user's HR (or payroll) scope; empty unless the user also has the matching role."""
    role = Role.HR_OFFICER if kind == HRScope.Kind.HR else Role.PAYROLL_OFFICER
    if not user.is_authenticated or not has_role(user, role):
        return []
    cache_attr = f"_serambi_scope_{kind}"
    cached = getattr(user, cache_attr, None)
    if cached is None:
        cached = [s.unit for s in HRScope.objects.filter(user=user, kind=kind).select_related("unit")]
        setattr(user, cache_attr, cached)
    return cached


def scope_q(user, kind: str = HRScope.Kind.HR, prefix: str = "unit__") -> Q | None:
    """A Q over `<prefix>path` covering the user's scope, or None when the scope is empty."""
    units = scope_units(user, kind)
    if not units:
        return None
    return reduce(or_, (Q(**{f"{prefix}path__startswith": u.path}) for u in units))


def employees_in_scope(user, kind: str = HRScope.Kind.HR) -> QuerySet[Employee]:
    """Employees whose unit lies in the user's HR (or payroll) scope. Empty for everyone else."""
    q = scope_q(user, kind)
    if q is None:
        return Employee.objects.none()
    return Employee.objects.filter(q)


def unit_in_scope(user, unit: OrgUnit, kind: str = HRScope.Kind.HR) -> bool:
    return any(unit.path.startswith(u.path) for u in scope_units(user, kind))


def is_own_record(user, employee: Employee | int | None) -> bool:
    """True when `employee` (an Employee or its pk) is the user's own: their leave, payslip or personnel file. No one
    acts on their own record as an officer (segregation of duties); every officer action asks this first."""
    if employee is None or not getattr(user, "is_authenticated", False):
        return False
    if isinstance(employee, Employee):
        return employee.user_id is not None and employee.user_id == user.pk
    return Employee.objects.filter(pk=employee, user_id=user.pk).exists()


def can_view_private(user, employee: Employee) -> bool:
    """Personal data (NIP, birth date, golongan, home details; UU 27/2022) is for the employee and scoped HR only."""
    if not user.is_authenticated:
        return False
    if employee.user_id is not None and employee.user_id == user.pk:
        return True
    return unit_in_scope(user, employee.unit)


EMPLOYEE_SECONDS = 300  # bounds a change whose bump was lost while Redis was failing


def employee_key(user_id: int) -> str:
    """The cache key of a user's employee record (read with every signed-in request's prefetch: `hr.org.apps`)."""
    return f"org:employee-of:{user_id}"


def employee_for_user(user) -> Employee | None:
    """The user's employee record with unit and position, cached on the user for the request. Kept in the cache with
    the organisation generation it was read under (any write to an employee, unit, position, scope or delegation, and
    every directory sync that changed something, bumps it: `hr.org.signals`), so most requests read no row for it."""
    if not user.is_authenticated:
        return None
    rel = Employee._meta.get_field("user").remote_field
    if rel.is_cached(user):
        return rel.get_cached_value(user)

    employee = kept_with_generation(  # kept before the user is attached below: no account data in the cache
        employee_key(user.pk),
        ORG_GENERATION_KEY,
        lambda: Employee.objects.select_related("unit", "position").filter(user=user).first(),
        EMPLOYEE_SECONDS,
        valid=lambda kept: kept is None or kept.user_id == user.pk,
    )
    if employee is not None:
        rel.set_cached_value(user, employee)
        Employee._meta.get_field("user").set_cached_value(employee, user)
    return employee


# A word's matching positions (or units) reach the employee query as a literal id list when there are at most this
# many: PostgreSQL then knows how many there are and ORs index scans on the employee (trigram on the name, the
# position and unit foreign keys) instead of reading all 50,000 rows. Longer lists (a generic word like "analis" names
# thousands of positions) cost more to plan than they save, and that many matches need the full scan anyway: those
# stay a subquery, which PostgreSQL hashes once.
INLINE_IDS_MAX = 200
NAMED = (("position_id", Position), ("unit_id", OrgUnit))  # employee column, and the model whose name is matched


def _name_q(word: str) -> Q:
    return Q(name_id__icontains=word) | Q(name_en__icontains=word)


def _named_ids(words: list[str]) -> list[dict[str, list[int] | None]]:
    """Per word, {employee column: ids of the positions / units whose name contains the word}, None where there are
    more than INLINE_IDS_MAX. One query for all the words (trigram indexes on the names, migration org 0003)."""
    branches, slots = [], []  # slots[n]: (word index, employee column) of branch n
    for i, word in enumerate(words):
        for column, model in NAMED:
            branch = model.objects.filter(_name_q(word)).annotate(slot=Value(len(branches)))
            branch = branch.values_list("pk", "slot").order_by()
            if connection.features.supports_slicing_ordering_in_compound:  # SQLite cannot: there it reads them all
                branch = branch[: INLINE_IDS_MAX + 1]
            branches.append(branch)
            slots.append((i, column))
    found: list[dict[str, list[int] | None]] = [{column: [] for column, _model in NAMED} for _word in words]
    for pk, slot in branches[0].union(*branches[1:], all=True):
        i, column = slots[slot]
        found[i][column].append(pk)
    for per_word in found:
        for column, ids in per_word.items():
            if len(ids) > INLINE_IDS_MAX:
                per_word[column] = None
    return found


def directory_search(*, query: str = "", unit: OrgUnit | None = None) -> QuerySet[Employee]:
    """Active employees matching every word of `query` against bare name, position or unit; optionally within a
    unit subtree. Ordered by bare name; select_related keeps a page at a fixed number of queries. With a query, the
    ids of the positions and units it names are read here (one query); the employees when the result is evaluated."""
    qs = Employee.objects.filter(active=True).select_related("position", "unit")
    words = [(word, key) for word in query.split()[:6] if (key := bare_name_key(word))]
    named = _named_ids([word for word, _key in words]) if words else []
    for (word, key), ids in zip(words, named, strict=True):
        # an OR of conditions on the employee row itself, not across joins, so that each can use its own index
        q = Q(sort_name__contains=key)
        for column, model in NAMED:
            if ids[column] is None:
                q |= Q(**{f"{column}__in": model.objects.filter(_name_q(word)).values("pk")})
            elif ids[column]:
                q |= Q(**{f"{column}__in": ids[column]})
        qs = qs.filter(q)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("sort_name", "pk")


# Up to this many matches, a page of them is found by sorting the matches (index lookups on the name, position,
# unit) rather than by walking the name index in order until enough of them turned up. The walk is quick when the
# matches are many or spread over the alphabet (a family name), but a first name is one cluster: "siti" walks past
# 40,000 names to reach it (33 ms against 2 ms at 50,000 employees; "wahyu" 64 against 2), and a unit's few members
# are scattered over all 50,000.
FEW_MATCHES = 2000


class DirectoryResults:
    """`directory_search` for a Paginator (or a preview slice): counts once, then fetches each page the way that
    suits the number of matches. Same people, same order; a page is still one query."""

    def __init__(self, queryset: QuerySet[Employee]):
        self.queryset = queryset
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.queryset.count()
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __iter__(self):
        return iter(self.queryset)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self.queryset[index]
        if self.count() == 0:
            return []
        if self.count() > FEW_MATCHES:
            return list(self.queryset[index])
        # sort_name || '' is the same string, so the same order, but not the indexed column: PostgreSQL sorts the
        # few matches instead of walking the index to find them; the outer query adds the joined rows for the page
        page = self.queryset.order_by(Concat("sort_name", Value("")), "pk").values("pk")[index]
        return list(self.queryset.filter(pk__in=Subquery(page)))


def directory_results(*, query: str = "", unit: OrgUnit | None = None) -> DirectoryResults:
    return DirectoryResults(directory_search(query=query, unit=unit))


def visible_employee(user, pk: int) -> Employee:
    """An active employee's public profile is visible to every logged-in staff member; inactive ones only to scoped HR."""
    emp = get_object_or_404(Employee.objects.select_related("position", "unit", "unit__head_position", "user"), pk=pk)
    if not emp.active and not unit_in_scope(user, emp.unit):
        raise Http404
    return emp


def unit_subtree(unit: OrgUnit, levels: int = 2) -> list[dict]:
    """The unit's descendants down to `levels` below it, as nested dicts for a no-JS org chart. One query."""
    rows = list(
        OrgUnit.objects.filter(
            path__startswith=unit.path, depth__gt=unit.depth, depth__lte=unit.depth + levels, active=True
        ).order_by("path")
    )
    nodes: dict[str, dict] = {unit.path: {"unit": unit, "children": []}}
    for row in rows:
        node = {"unit": row, "children": []}
        nodes[row.path] = node
        parent = nodes.get(row.path[: -OrgUnit.steplen])
        if parent is not None:
            parent["children"].append(node)
    return nodes[unit.path]["children"]


# --- The colleague profile page ------------------------------------------------------------------------------------
# `superior_of` and `direct_reports` walk the tree a query at a time (a parent, its head's delegation, then its holder,
# level after level); the profile, opened for any colleague many times a day, reads the same answers in two queries
# (three for someone with reports): the employee, then their unit chain with each head's holders and delegations.


@dataclass(frozen=True)
class ColleagueProfile:
    employee: Employee
    ancestors: list[OrgUnit]  # the ancestors of the employee's unit, root first (the breadcrumb)
    superior: Authority | None
    reports: list[Employee]  # the first `limit` direct reports by bare name, with their position
    show_private: bool


def colleague_profile(user, pk: int, *, limit: int = 50, on_date: dt.date | None = None) -> ColleagueProfile:
    """What the profile page shows of employee `pk`: the same answers as `visible_employee` (404 for an inactive
    employee outside the user's HR scope), `superior_of`, `direct_reports` and `can_view_private`."""
    emp = get_object_or_404(
        Employee.objects.select_related("position__headed_unit", "unit", "supervisor").annotate(
            has_explicit_reports=Exists(Employee.objects.filter(supervisor=OuterRef("pk"), active=True))
        ),
        pk=pk,
    )
    if not emp.active and not unit_in_scope(user, emp.unit):
        raise Http404
    headed = getattr(emp.position, "headed_unit", None) if emp.position_id else None
    chain, child_heads = _unit_chain(emp.unit, headed, on_date or timezone.localdate())
    if emp.supervisor_id and emp.supervisor.active:
        superior = Authority(employee=emp.supervisor)
    else:  # the nearest unit up the chain whose head's authority someone else holds
        superior = next(
            (
                authority
                for unit, authority in reversed(chain)
                if unit.head_position_id != emp.position_id and authority and authority.employee.pk != emp.pk
            ),
            None,
        )
    reports = []
    if headed is not None or emp.has_explicit_reports:
        q = Q(supervisor=emp)
        if headed is not None:
            q |= Q(supervisor__isnull=True, unit=headed) | Q(supervisor__isnull=True, position__in=child_heads)
        reports = list(
            Employee.objects.filter(q, active=True)
            .exclude(pk=emp.pk)
            .select_related("position")
            .only("id", "name", "front_title", "back_title", "photo", "position__name_id", "position__name_en")
            .order_by("sort_name", "pk")[:limit]  # pk: a stable order for equal names
        )
    return ColleagueProfile(
        employee=emp,
        ancestors=[unit for unit, _authority in chain[:-1]],
        superior=superior,
        reports=reports,
        show_private=can_view_private(user, emp),
    )


def chain_paths(unit: OrgUnit) -> list[str]:
    """Tree paths of `unit` and every unit above it, root first."""
    steplen = OrgUnit.steplen
    return [unit.path[:end] for end in range(steplen, len(unit.path) + 1, steplen)]


def units_with_head_authority(q: Q, on_date: dt.date):
    """The units matching `q`, left-joined to their head position's active holders (`holder`) and to the
    delegations of that position in force on `on_date` (`acting`): what `authority_holder` decides from, for many
    units in one query. Callers pick the columns they need."""
    return OrgUnit.objects.filter(q).annotate(
        holder=FilteredRelation("head_position__holders", condition=Q(head_position__holders__active=True)),
        acting=FilteredRelation(
            "head_position__delegations",
            condition=Q(
                head_position__delegations__start_date__lte=on_date,
                head_position__delegations__end_date__gte=on_date,
            ),
        ),
    )


def _unit_chain(
    unit: OrgUnit, headed: OrgUnit | None, on_date: dt.date
) -> tuple[list[tuple[OrgUnit, Authority | None]], list[int]]:
    """The units from the root down to `unit`, each with `authority_holder` of its head position on `on_date`; and,
    for the head of `headed`, the head positions of its child units (literal ids: with a subquery PostgreSQL
    mis-estimates the reports query and reads every employee). One query: the units left-joined to their head's
    active holders and to the delegations for the date."""
    paths = chain_paths(unit)
    q = Q(path__in=paths)
    if headed is not None:
        q |= Q(path__startswith=headed.path, depth=headed.depth + 1)
    rows = (
        units_with_head_authority(q, on_date)
        .values_list(
            *("id", "path", "depth", "code", "name_id", "name_en", "head_position_id"),
            *("holder__id", "holder__name", "holder__front_title", "holder__back_title"),
            *("acting__id", "acting__kind", "acting__start_date", "acting__created_at"),
            *("acting__acting__id", "acting__acting__active", "acting__acting__name"),
            *("acting__acting__front_title", "acting__acting__back_title"),
        )
    )
    units: dict[str, OrgUnit] = {}
    holders: dict[int, Employee] = {}  # head position -> its active holder with the lowest pk
    delegations: dict[int, Delegation] = {}  # head position -> the delegation with the latest start, then creation
    child_heads: set[int] = set()
    for row in rows:
        uid, path, depth, code, name_id, name_en, position = row[:7]
        if path not in units:
            units[path] = OrgUnit(
                id=uid, path=path, depth=depth, code=code, name_id=name_id, name_en=name_en, head_position_id=position
            )
        if headed is not None and depth == headed.depth + 1 and path.startswith(headed.path) and position:
            child_heads.add(position)
        hid, name, front, back = row[7:11]
        if hid is not None and (position not in holders or hid < holders[position].pk):
            holders[position] = Employee(id=hid, name=name, front_title=front, back_title=back)
        did, kind, start, created, aid, active, name, front, back = row[11:]
        if did is not None and active:
            best = delegations.get(position)
            if best is None or (start, created) > (best.start_date, best.created_at):
                acting = Employee(id=aid, name=name, front_title=front, back_title=back)
                delegations[position] = Delegation(
                    id=did, position_id=position, acting=acting, kind=kind, start_date=start, created_at=created
                )
    chain = []
    for path in paths:
        if path not in units:
            continue
        position = units[path].head_position_id
        authority = None
        if position in delegations:
            authority = Authority(employee=delegations[position].acting, delegation=delegations[position])
        elif position in holders:
            authority = Authority(employee=holders[position])
        chain.append((units[path], authority))
    return chain, sorted(child_heads)
