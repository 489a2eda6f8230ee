"""Every read about leave that involves permission or scope. A request is visible to its employee, to whoever must act
on it today, to everyone who has acted on it, and to HR officers whose scope covers the employee's unit. Anything
else answers 404."""

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from hr.org.models import Employee, OrgUnit, Position
from hr.org.selectors import employee_for_user, scope_q, scope_units, unit_in_scope
from intranet.core.caching import cache_get, cache_set, generation, near_get, near_set

from .models import ApprovalStep, LeaveLetter, LeaveRequest, LeaveType, LedgerEntry
from .services import current_authority, held_positions
from .yearend import projection

REQUEST_RELATED = ("employee", "employee__unit", "employee__position", "leave_type")
# What the request lists (my requests, the inbox, the dashboard panel) show of a request, its leave type and its
# employee: wide rows of four joined tables cost more to turn into objects than the queries cost to run. A row from
# these lists is for display; `visible_request` gives the whole request.
LIST_FIELDS = (
    "employee_id",
    "leave_type_id",
    "start_date",
    "end_date",
    "days",
    "status",
    "emergency",
    "temporary_permission_at",
    "leave_type__name_id",
    "leave_type__name_en",
)
INBOX_FIELDS = (
    *LIST_FIELDS,
    "employee__front_title",
    "employee__name",
    "employee__back_title",
    "employee__unit_id",
    "employee__unit__name_id",
    "employee__unit__name_en",
)


@dataclass
class Balance:
    leave_type: LeaveType
    year: int
    total: int = 0
    held: int = 0
    entries: list = field(default_factory=list)
    to_come: int = 0  # projected: the allocation and carry-over the year will receive when it is opened

    @property
    def available(self) -> int:
        return self.total + self.to_come - self.held


LEDGER_TYPES_CACHE_KEY = "leave:ledger-types"


def ledger_types() -> list[LeaveType]:
    """Active leave types kept on the ledger: read on every balance display, edited a few times a year. Kept in the
    shared cache; saving or deleting a leave type drops it (`hr.leave.signals`)."""
    types = cache_get(LEDGER_TYPES_CACHE_KEY)
    if types is None:
        types = list(LeaveType.objects.filter(active=True, uses_ledger=True))
        cache_set(LEDGER_TYPES_CACHE_KEY, types, 3600)
    return types


LEAVE_TYPES_GENERATION = "leave:types:generation"
REQUESTABLE = {"active": True, "requestable": True}  # the leave types the request form offers


def requestable_types_key() -> str:
    return f"leave:requestable-types:{generation(LEAVE_TYPES_GENERATION)}"


def requestable_types() -> dict[int, LeaveType]:
    """The leave types employees may request (REQUESTABLE), by id in the types' order: what the request form offers
    and every submission and preview resolves, edited a few times a year. Kept in the shared cache under a generation
    that saving or deleting a leave type bumps now and after its commit (`hr.leave.signals`), so a list read while an
    edit was not committed yet is never served after it. Each process keeps a copy too (the generation, read with every
    request's prefetch, still decides): a form reads them twice."""
    key = requestable_types_key()
    types = near_get(key, 3600)
    if types is None:
        types = {t.pk: t for t in LeaveType.objects.filter(**REQUESTABLE)}
        near_set(key, types, 3600)
    return types


def requestable_type(pk: int) -> LeaveType | None:
    """The leave type `pk` if employees may request it (`requestable_types`), else None."""
    return requestable_types().get(pk)


def balances(employee: Employee, year: int | None = None) -> list[Balance]:
    """Every ledger balance of the employee for `year` with its entries ("why do I have 14 days?"). Three queries, and
    the projection's for a year not opened yet. Never writes."""
    year = year or timezone.localdate().year
    types = ledger_types()
    result = {t.pk: Balance(leave_type=t, year=year) for t in types}
    entries = LedgerEntry.objects.filter(employee=employee, year=year, leave_type__in=types)
    for entry in entries.only("leave_type_id", "kind", "days", "reason", "created_at").order_by("created_at", "pk"):
        bal = result[entry.leave_type_id]
        bal.total += entry.days
        bal.entries.append(entry)
    for r in LeaveRequest.objects.filter(
        employee=employee, status__in=LeaveRequest.PENDING, start_date__year=year, leave_type__in=types
    ).only("leave_type_id", "days", "proposed_days"):
        result[r.leave_type_id].held += r.hold_days
    today = timezone.localdate()
    for bal in result.values():
        # a year not opened yet (next year, or this year before the job reached the employee): shown as projected,
        # computed without writing anything
        if year > today.year or (year == today.year and not any(e.kind == "allocation" for e in bal.entries)):
            outlook = projection(employee, bal.leave_type, year, today)
            bal.to_come = outlook.allocation + outlook.carry
    return list(result.values())


def my_requests(employee: Employee) -> QuerySet[LeaveRequest]:
    """The employee's requests as listed (LIST_FIELDS), latest first."""
    return (
        LeaveRequest.objects.filter(employee=employee)
        .select_related("leave_type")
        .only(*LIST_FIELDS)
        .order_by("-start_date", "-pk")
    )


def _hr_q(user) -> Q | None:
    return scope_q(user, prefix="employee__unit__")


def _actor_q(me: Employee, today: dt.date) -> Q:
    positions = held_positions(me, today)
    awaiting = Q(status__in=[LeaveRequest.Status.AWAITING_SUPERIOR, LeaveRequest.Status.AWAITING_OFFICIAL])
    q = awaiting & (Q(route_position_id__in=positions) | Q(route_employee=me))
    emergency = Q(
        emergency=True,
        temporary_permission_at__isnull=True,
        status__in=LeaveRequest.PENDING,
        official_position_id__in=positions,
    )
    return q | emergency


def awaiting_action(user, today: dt.date | None = None) -> QuerySet[LeaveRequest]:
    """Requests waiting for the user's opinion, decision or temporary permission today (Plt/Plh included), as listed
    (INBOX_FIELDS); `with_unit_overlaps` adds the unit's absences."""
    me = employee_for_user(user)
    if me is None:
        return LeaveRequest.objects.none()
    today = today or timezone.localdate()
    return (
        LeaveRequest.objects.filter(_actor_q(me, today))
        .exclude(employee=me)
        .select_related("employee", "employee__unit", "leave_type")
        .only(*INBOX_FIELDS)
        .order_by("start_date", "pk")
    )


def recently_decided_by(user, limit: int = 10) -> list[ApprovalStep]:
    """The user's latest opinions and decisions, with what the inbox shows of their request (who, which leave)."""
    me = employee_for_user(user)
    if me is None:
        return []
    return list(
        ApprovalStep.objects.filter(actor=me, stage__in=[ApprovalStep.Stage.SUPERIOR, ApprovalStep.Stage.OFFICIAL])
        .select_related("request", "request__employee", "request__leave_type")
        .only(
            "request_id",
            "outcome",
            "created_at",
            "request__employee_id",
            "request__leave_type_id",
            "request__employee__front_title",
            "request__employee__name",
            "request__employee__back_title",
            "request__leave_type__name_id",
            "request__leave_type__name_en",
        )
        .order_by("-created_at")[:limit]
    )


def visible_request(user, pk: int) -> LeaveRequest:
    """The request if the user may see it, else 404: with its employee (unit, account, position), leave type and
    positions. The three positions come in one query of their own: joined with the rest, PostgreSQL spent 3–5 ms
    planning the eight-table query (against well under 1 ms to run it), more than the query it saves."""
    req = LeaveRequest.objects.select_related("employee__unit", "employee__user", "leave_type").filter(pk=pk).first()
    if req is None or not can_view(user, req):
        raise Http404
    slots = [
        (obj, name, getattr(obj, f"{name}_id"))
        for obj, name in ((req.employee, "position"), (req, "official_position"), (req, "route_position"))
    ]
    ids = {position_id for _obj, _name, position_id in slots} - {None}
    found = Position.objects.in_bulk(ids) if ids else {}
    for obj, name, position_id in slots:
        if position_id in found:
            setattr(obj, name, found[position_id])
    return req


def check_visible_request(user, pk: int) -> None:
    """404 unless the user may see the request (as `visible_request`), for an action that reads what it needs under
    its own lock: the employee's own request is known by one small query."""
    if not LeaveRequest.objects.filter(pk=pk, employee__user_id=user.pk).exists():
        visible_request(user, pk)


def can_view(user, req: LeaveRequest) -> bool:
    if not user.is_authenticated:
        return False
    if req.employee.user_id == user.pk:
        return True
    if unit_in_scope(user, req.employee.unit):
        return True
    me = employee_for_user(user)
    if me is None:
        return False
    if ApprovalStep.objects.filter(request=req, actor=me).exists():
        return True
    # the head of office asked for temporary permission on an emergency request acts on it before his turn to decide
    return can_act(user, req) or can_permit(user, req)


def can_act(user, req: LeaveRequest, today: dt.date | None = None) -> bool:
    """Whether the user must give the opinion/decision now (on today's org structure and delegations)."""
    me = employee_for_user(user)
    if me is None or me.pk == req.employee_id:
        return False
    _stage, authority = current_authority(req, today or timezone.localdate())
    return authority is not None and authority.employee.pk == me.pk


def can_permit(user, req: LeaveRequest, today: dt.date | None = None) -> bool:
    from hr.org.selectors import authority_holder

    if not (req.emergency and req.is_pending and req.temporary_permission_at is None and req.official_position_id):
        return False
    me = employee_for_user(user)
    authority = authority_holder(req.official_position, today or timezone.localdate())
    return me is not None and authority is not None and authority.employee.pk == me.pk and me.pk != req.employee_id


def request_steps(req: LeaveRequest) -> list[ApprovalStep]:
    return list(req.steps.select_related("actor", "acting_for", "acting_for__position").order_by("created_at", "pk"))


def superior_opinion(steps: list[ApprovalStep]) -> ApprovalStep | None:
    """The direct superior's opinion among a request's steps (advisory: the authorised official decides)."""
    return next((s for s in steps if s.stage == ApprovalStep.Stage.SUPERIOR), None)


def visible_letter(user, pk: int) -> LeaveLetter:
    """The letter of a visible request (employee, decision makers, HR in scope), else 404."""
    req = visible_request(user, pk)
    letter = LeaveLetter.objects.filter(request=req).first()
    if letter is None or not letter.file_name:
        raise Http404
    return letter


# --- unit absences ---------------------------------------------------------------------------------------------------
def with_unit_overlaps(requests: QuerySet[LeaveRequest]) -> QuerySet[LeaveRequest]:
    """Annotate each request with `unit_away` (colleagues of the employee's unit on approved leave on overlapping
    days) and `unit_staff` (active staff of that unit): correlated subqueries, which the database evaluates for the
    rows of a page only (after its ORDER BY ... LIMIT), with no further query and no Python loop over absences."""
    unit = OuterRef("employee__unit_id")
    staff = Employee.objects.filter(unit_id=unit, active=True).order_by().values("unit_id")
    away = (
        LeaveRequest.objects.filter(
            employee__unit_id=unit,
            status=LeaveRequest.Status.APPROVED,
            start_date__lte=OuterRef("end_date"),
            end_date__gte=OuterRef("start_date"),
        )
        .exclude(employee_id=OuterRef("employee_id"))
        .order_by()
        .values("employee__unit_id")
    )
    return requests.annotate(
        unit_staff=Coalesce(Subquery(staff.annotate(n=Count("pk")).values("n")), 0),
        unit_away=Coalesce(Subquery(away.annotate(n=Count("employee_id", distinct=True)).values("n")), 0),
    )


# --- team calendar ---------------------------------------------------------------------------------------------------
def calendar_units(user, today: dt.date | None = None) -> list[OrgUnit]:
    """Units whose calendar the user may see: their own unit, units whose head authority they hold today, HR scope."""
    me = employee_for_user(user)
    units: dict[int, OrgUnit] = {}
    if me is not None:
        units[me.unit_id] = me.unit
        positions = held_positions(me, today or timezone.localdate())
        for u in OrgUnit.objects.filter(head_position_id__in=positions):
            units[u.pk] = u
    for u in scope_units(user):
        units[u.pk] = u
    return sorted(units.values(), key=lambda u: u.path)


def sees_leave_types(user, unit: OrgUnit, today: dt.date | None = None) -> bool:
    """Heads (and their Plt/Plh) and HR in scope see the leave type; colleagues only see 'away' (health data)."""
    me = employee_for_user(user)
    if unit_in_scope(user, unit):
        return True
    if me is None:
        return False
    return unit.head_position_id in held_positions(me, today or timezone.localdate())


@dataclass
class MonthGrid:
    year: int
    month: int
    days: list[dt.date]
    rows: list[tuple[Employee, list[str]]]
    working: set


def month_grid(unit: OrgUnit, year: int, month: int, show_types: bool) -> MonthGrid:
    """Active staff of the unit (no sub-units) × days of the month, each cell the leave code or ''. Four queries."""
    from . import workdays

    last = calendar.monthrange(year, month)[1]
    first_day, last_day = dt.date(year, month, 1), dt.date(year, month, last)
    days = [first_day + dt.timedelta(days=i) for i in range(last)]
    cal = workdays.year_calendar(year)
    working = {d for d in days if cal.is_working_day(d)}
    staff = list(Employee.objects.filter(unit=unit, active=True).order_by("sort_name", "pk")[:200])
    leaves = defaultdict(list)
    for r in LeaveRequest.objects.filter(
        employee__in=staff, status=LeaveRequest.Status.APPROVED, start_date__lte=last_day, end_date__gte=first_day
    ).select_related("leave_type"):
        leaves[r.employee_id].append(r)
    rows = []
    for emp in staff:
        cells = []
        for d in days:
            hit = next((r for r in leaves[emp.pk] if r.start_date <= d <= r.end_date), None)
            cells.append((hit.leave_type.code if show_types else "x") if hit else "")
        rows.append((emp, cells))
    return MonthGrid(year=year, month=month, days=days, rows=rows, working=working)


# --- HR --------------------------------------------------------------------------------------------------------------
def hr_requests(user, *, status: str = "", leave_type: int | None = None, unit: OrgUnit | None = None, year=None):
    q = _hr_q(user)
    if q is None:
        return LeaveRequest.objects.none()
    qs = LeaveRequest.objects.filter(q).select_related(*REQUEST_RELATED)
    if status:
        qs = qs.filter(status=status)
    if leave_type:
        qs = qs.filter(leave_type_id=leave_type)
    if unit is not None:
        qs = qs.filter(employee__unit__path__startswith=unit.path)
    if year:
        qs = qs.filter(start_date__year=year)
    return qs.order_by("-start_date", "-pk")


def hr_employee(user, pk: int) -> Employee:
    q = scope_q(user)
    if q is None:
        raise Http404
    emp = Employee.objects.filter(q, pk=pk).select_related("unit").first()
    if emp is None:
        raise Http404
    return emp


def hr_balances(user, year: int, unit: OrgUnit | None = None):
    """Annual balances of employees in scope: (employee, total, held). One query (annotated)."""
    q = scope_q(user)
    if q is None:
        return Employee.objects.none()
    annual = LeaveType.objects.filter(uses_ledger=True, active=True).order_by("sort_order").first()
    qs = Employee.objects.filter(q, active=True).select_related("unit")
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if annual is None:
        return qs.order_by("sort_name")
    total = (
        LedgerEntry.objects.filter(employee=OuterRef("pk"), leave_type=annual, year=year)
        .values("employee")
        .annotate(s=Sum("days"))
        .values("s")
    )
    pending = LeaveRequest.objects.filter(
        employee=OuterRef("pk"), leave_type=annual, status__in=LeaveRequest.PENDING, start_date__year=year
    )
    return qs.annotate(balance=total, has_pending=Exists(pending)).order_by("sort_name", "pk")


# --- iCal ------------------------------------------------------------------------------------------------------------
def feed_requests(user) -> list[LeaveRequest]:
    """Approved leave of the feed owner and, for a superior, of their direct reports and the units they head."""
    me = employee_for_user(user)
    if me is None:
        return []
    from hr.org.selectors import direct_reports

    team = list(direct_reports(me).values_list("pk", flat=True))
    horizon = timezone.localdate() - dt.timedelta(days=366)
    return list(
        LeaveRequest.objects.filter(
            Q(employee=me) | Q(employee_id__in=team), status=LeaveRequest.Status.APPROVED, end_date__gte=horizon
        )
        .select_related("employee", "leave_type")
        .order_by("start_date")[:2000]
    )
