"""Reads about the organisation that involve scope or time. The only place that decides who is whose superior,
who holds a position's authority on a date, and which employees an HR or payroll officer covers."""

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from intranet.accounts.roles import Role, has_role

from .models import Delegation, Employee, HRScope, OrgUnit, Position, bare_name_key


@dataclass(frozen=True)
class Authority:
    """Who exercises a position's authority on a date, and the delegation that makes it so (None when it is the holder)."""

    employee: Employee
    delegation: Delegation | None = None

    @property
    def acting_for(self) -> Position | None:
        return self.delegation.position if self.delegation else None


def authority_holder(position: Position, on_date: dt.date | None = None) -> Authority | None:
    """Who holds the authority of `position` on `on_date`: a Plt/Plh delegated for that date wins over the holder
    (the decree says so for its period); otherwise the active employee who holds the position."""
    on_date = on_date or timezone.localdate()
    delegation = (
        Delegation.objects.filter(
            position=position, start_date__lte=on_date, end_date__gte=on_date, acting__active=True
        )
        .select_related("acting", "position")
        .order_by("-start_date", "-created_at")
        .first()
    )
    if delegation:
        return Authority(employee=delegation.acting, delegation=delegation)
    holder = Employee.objects.filter(position=position, active=True).order_by("pk").first()
    return Authority(employee=holder) if holder else None


def unit_head(unit: OrgUnit, on_date: dt.date | None = None) -> Authority | None:
    if unit.head_position_id is None:
        return None
    return authority_holder(unit.head_position, on_date)


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


def can_view_private(user, employee: Employee) -> bool:
    """Personal data (NIP, birth date, golongan, home details; UU 27/2022) is for the employee and scoped HR only."""
    if not user.is_authenticated:
        return False
    if employee.user_id is not None and employee.user_id == user.pk:
        return True
    return unit_in_scope(user, employee.unit)


def employee_for_user(user) -> Employee | None:
    """The user's employee record with unit and position (one query, then cached on the user for the request)."""
    if not user.is_authenticated:
        return None
    rel = Employee._meta.get_field("user").remote_field
    if rel.is_cached(user):
        return rel.get_cached_value(user)
    employee = Employee.objects.select_related("unit", "position").filter(user=user).first()
    if employee is not None:
        rel.set_cached_value(user, employee)
        Employee._meta.get_field("user").set_cached_value(employee, user)
    return employee


def directory_search(*, query: str = "", unit: OrgUnit | None = None) -> QuerySet[Employee]:
    """Active employees matching every word of `query` against bare name, position or unit; optionally within a
    unit subtree. Ordered by bare name; select_related keeps a page at a fixed number of queries."""
    qs = Employee.objects.filter(active=True).select_related("position", "unit")
    for word in query.split()[:6]:
        key = bare_name_key(word)
        if not key:
            continue
        # position and unit names as IN-subqueries over those (small) tables rather than OR across the joins, so
        # PostgreSQL can combine the trigram index on sort_name (migration org 0002) with the FK indexes instead of
        # scanning every employee
        positions = Position.objects.filter(Q(name_id__icontains=word) | Q(name_en__icontains=word)).values("pk")
        units = OrgUnit.objects.filter(Q(name_id__icontains=word) | Q(name_en__icontains=word)).values("pk")
        qs = qs.filter(Q(sort_name__contains=key) | Q(position_id__in=positions) | Q(unit_id__in=units))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("sort_name", "pk")


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
