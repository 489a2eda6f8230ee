"""Reads for the approver's decision page: the employee's annual leave balance of the last three years (N-2, N-1, N,
as on the official form's "catatan cuti") and who of the approver's own team is away in the requested period.
Never writes."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from hr.org.models import OrgUnit
from hr.org.selectors import employee_for_user

from .models import LeaveRequest, LeaveType
from .selectors import balances, ledger_types
from .services import held_positions

ABSENCE_LIMIT = 50  # names listed on the page; the count says how many there are in all


@dataclass(frozen=True)
class YearBalance:
    year: int
    available: int  # the year's ledger sum less the days pending requests hold
    carried_in: int  # days carried over into this year from the year before
    projected: bool  # the year is not opened yet: the allocation and carry-over to come are counted


def annual_type() -> LeaveType | None:
    """The annual leave type (cuti tahunan): the first ledger type in the types' order."""
    types = sorted(ledger_types(), key=lambda t: (t.sort_order, t.pk))
    return types[0] if types else None


def annual_balance_years(req: LeaveRequest) -> list[YearBalance]:
    """The employee's annual leave balance for the request's year N and the two years before, from the ledger
    (`selectors.balances`: the same figures the employee sees on "my leave")."""
    annual = annual_type()
    if annual is None:
        return []
    year = req.start_date.year
    result = []
    for y in (year - 2, year - 1, year):
        bal = next(b for b in balances(req.employee, y) if b.leave_type.pk == annual.pk)
        carried = sum(e.days for e in bal.entries if e.kind == "carry_over" and e.days > 0)
        result.append(YearBalance(year=y, available=bal.available, carried_in=carried, projected=bool(bal.to_come)))
    return result


@dataclass(frozen=True)
class TeamAbsences:
    requests: list[LeaveRequest]  # approved leave of team members overlapping the period, at most ABSENCE_LIMIT
    people: int  # how many team members are away in all


def team_absences(user, req: LeaveRequest, today: dt.date | None = None) -> TeamAbsences:
    """Approved leave overlapping the request's period, of the requester's unit colleagues who are in the approver's
    own team: the units whose head authority the approver holds today (Plt/Plh included, with their sub-units) and
    the approver's direct reports. Nobody else's absences are shown, and no leave type (a sick leave is health data).
    Three queries, whatever the number of absences (a fourth counts them when more than ABSENCE_LIMIT are listed)."""
    empty = TeamAbsences(requests=[], people=0)
    me = employee_for_user(user)
    if me is None:
        return empty
    positions = held_positions(me, today or timezone.localdate())
    team = Q(employee__supervisor=me)
    for path in OrgUnit.objects.filter(head_position_id__in=positions).values_list("path", flat=True):
        team |= Q(employee__unit__path__startswith=path)
    overlapping = (
        LeaveRequest.objects.filter(
            team,
            employee__unit_id=req.employee.unit_id,
            status=LeaveRequest.Status.APPROVED,
            start_date__lte=req.end_date,
            end_date__gte=req.start_date,
        )
        .exclude(employee_id__in=[req.employee_id, me.pk])
        .select_related("employee")
        .only(
            "employee_id",
            "start_date",
            "end_date",
            "days",
            "employee__front_title",
            "employee__name",
            "employee__back_title",
        )
        .order_by("start_date", "employee__sort_name", "pk")
    )
    rows = list(overlapping[:ABSENCE_LIMIT])
    people = len({r.employee_id for r in rows})
    if len(rows) == ABSENCE_LIMIT:
        people = overlapping.values("employee_id").distinct().count()
    return TeamAbsences(requests=rows, people=people)
