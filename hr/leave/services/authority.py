"""Who decides: the authorised official's position, the stored route, and who holds a position's authority on a
date (Plt/Plh included)."""

import datetime as dt

from django.db.models import Q

from hr.org.models import Delegation, Employee, OrgUnit, Position
from hr.org.selectors import Authority, authority_holder, superior_of

from ..models import (
    LeaveRequest,
)
from .common import Stage, Status, setting


def official_position_for(employee: Employee) -> Position | None:
    """Head position of the nearest unit at or above the employee's with level ≤ the configured level, skipping the unit
    the employee heads themself."""
    level = setting("SERAMBI_LEAVE_OFFICIAL_LEVEL", OrgUnit.Level.ESELON_II)
    chain = [*employee.unit.get_ancestors().select_related("head_position"), employee.unit]
    for unit in reversed(chain):
        if unit.level <= level and unit.head_position_id and unit.head_position_id != employee.position_id:
            return unit.head_position
    return None


def route_of(employee: Employee, authority: Authority) -> tuple[int | None, Employee | None]:
    """Store a superior as a position id (resolved again on the decision date) or, for an explicit supervisor, a
    person."""
    if authority.delegation is not None:
        return authority.delegation.position_id, None
    if employee.supervisor_id and authority.employee.pk == employee.supervisor_id:
        return None, authority.employee
    if authority.employee.position_id:
        return authority.employee.position_id, None
    return None, authority.employee


def current_authority(request: LeaveRequest, on_date: dt.date) -> tuple[str, Authority | None]:
    """Who must act on a pending request on `on_date`: ("superior"|"official", authority)."""
    if request.status == Status.AWAITING_SUPERIOR:
        return Stage.SUPERIOR, superior_of(request.employee, on_date)
    if request.status == Status.AWAITING_OFFICIAL and request.official_position_id:
        return Stage.OFFICIAL, authority_holder(request.official_position, on_date)
    return "", None


def held_positions(employee: Employee, on_date: dt.date) -> list[int]:
    """Positions whose authority `employee` exercises on `on_date`: delegated to them (Plt/Plh), and their own unless it
    is delegated to someone else that day. One query (both questions read the same few delegation rows)."""
    active = Delegation.objects.filter(start_date__lte=on_date, end_date__gte=on_date, acting__active=True)
    wanted = Q(acting=employee) | Q(position_id=employee.position_id) if employee.position_id else Q(acting=employee)
    rows = list(active.filter(wanted).values_list("position_id", "acting_id"))
    ids = {position for position, acting in rows if acting == employee.pk}
    if employee.position_id and not any(position == employee.position_id for position, _acting in rows):
        ids.add(employee.position_id)
    return sorted(ids)
