"""Every write about leave. Keyword-only, one transaction each, row locks where writes could race.

Locking: every service that changes a balance or a request locks the employee's row first (`Employee` is the
"balance account": one row per person that already exists), then the request. One lock order everywhere, so two
services never deadlock, and two concurrent submissions for the same person are serialised: the second one sees the
first one's hold. Pending requests hold their days (computed from the pending requests, not posted to the ledger), so the
ledger contains only real movements.

Routing: the direct superior is `superior_of(employee, date)` and the authorised official (pejabat yang berwenang) is the
head of the nearest unit at or above the employee's unit whose level is at most SERAMBI_LEAVE_OFFICIAL_LEVEL (default 2,
Eselon II: the director) — or the next one up when the employee heads that unit. Both are resolved **on the decision
date** through `authority_holder`, so a Plt/Plh in office that day decides and is recorded as acting for the position.
When the superior and the official are the same person there is one step. A submission resolves both, with their user
accounts for the notifications, in one query (`routing.submission_route`, held to the answers of those selectors).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hr.org.duties import refused_own_record
from hr.org.models import Employee, OrgUnit, Position
from hr.org.selectors import Authority, authority_holder, superior_of, unit_in_scope
from intranet.audit.services import audit_record
from intranet.core.images import ImageTooLarge, check_pixels
from intranet.core.private_files import private_storage

from . import rules, units, workdays, yearend
from .errors import LeaveError
from .models import (
    ApprovalStep,
    CalendarFeedToken,
    LeaveLetter,
    LeaveRequest,
    LeaveType,
    LedgerEntry,
    LetterCounter,
    years_of_service,
)
from .routing import submission_route

logger = logging.getLogger(__name__)

Status = LeaveRequest.Status
Outcome = ApprovalStep.Outcome
Stage = ApprovalStep.Stage
Kind = LedgerEntry.Kind

ALLOWED_DOCUMENTS = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG\r\n\x1a\n", "image/jpeg": b"\xff\xd8\xff"}


class LeaveDenied(LeaveError):
    """The user holds no authority for this act on this request; `reason` names it for the audit trail."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- documents -------------------------------------------------------------------------------------------------------
def sniff_document(upload) -> str:
    """Content type of an uploaded supporting document from its first bytes (never the name or the browser's word)."""
    limit = _setting("SERAMBI_LEAVE_DOCUMENT_MAX_BYTES", 5 * 1024 * 1024)
    if upload.size > limit:
        raise LeaveError(
            _("The document is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)}, "document"
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, magic in ALLOWED_DOCUMENTS.items():
        if head.startswith(magic):
            if content_type.startswith("image/"):
                try:
                    check_pixels(upload)
                except ImageTooLarge as exc:
                    raise LeaveError(str(exc), "document") from None
            return content_type
    raise LeaveError(_("The document must be a PDF, JPG or PNG file."), "document")


# --- routing ---------------------------------------------------------------------------------------------------------
def official_position_for(employee: Employee) -> Position | None:
    """Head position of the nearest unit at or above the employee's with level ≤ the configured level, skipping the unit
    the employee heads themself."""
    level = _setting("SERAMBI_LEAVE_OFFICIAL_LEVEL", OrgUnit.Level.ESELON_II)
    chain = [*employee.unit.get_ancestors().select_related("head_position"), employee.unit]
    for unit in reversed(chain):
        if unit.level <= level and unit.head_position_id and unit.head_position_id != employee.position_id:
            return unit.head_position
    return None


def _route_of(employee: Employee, authority: Authority) -> tuple[int | None, Employee | None]:
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
    from django.db.models import Q

    from hr.org.models import Delegation

    active = Delegation.objects.filter(start_date__lte=on_date, end_date__gte=on_date, acting__active=True)
    wanted = Q(acting=employee) | Q(position_id=employee.position_id) if employee.position_id else Q(acting=employee)
    rows = list(active.filter(wanted).values_list("position_id", "acting_id"))
    ids = {position for position, acting in rows if acting == employee.pk}
    if employee.position_id and not any(position == employee.position_id for position, _acting in rows):
        ids.add(employee.position_id)
    return sorted(ids)


# --- balances --------------------------------------------------------------------------------------------------------
def ledger_balance(employee_id: int, leave_type_id: int, year: int) -> int:
    return (
        LedgerEntry.objects.filter(employee_id=employee_id, leave_type_id=leave_type_id, year=year).aggregate(
            s=Sum("days")
        )["s"]
        or 0
    )


def pending_hold(employee_id: int, leave_type_id: int, year: int, exclude_pk: int | None = None) -> int:
    qs = LeaveRequest.objects.filter(
        employee_id=employee_id,
        leave_type_id=leave_type_id,
        status__in=LeaveRequest.PENDING,
        start_date__year=year,
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return sum(r.hold_days for r in qs.only("days", "proposed_days"))


def available_days(employee_id: int, leave_type_id: int, year: int, exclude_pk: int | None = None) -> int:
    return ledger_balance(employee_id, leave_type_id, year) - pending_hold(employee_id, leave_type_id, year, exclude_pk)


def _lock_employee(employee_id: int | Subquery | None, *related: str, user=None) -> Employee:
    """Lock the employee's row (only that row, whatever `related` joins in) and read it afresh; found by `user`'s
    account instead when the caller has not read the employee yet (Employee.DoesNotExist when there is none).
    `employee_id` may be a subquery that selects it (one round trip)."""
    rows = Employee.objects.select_for_update(of=("self",)).select_related(*related)
    return rows.get(pk=employee_id) if user is None else rows.get(user=user)


def _lock_request(request_id: int) -> LeaveRequest:
    """Lock the employee's row, then the request's (one lock order for every service). Two round trips: the employee
    is found from the request inside its locking statement, and the request comes with that locked employee (read
    once, with its unit and account) instead of joining the employee's tables again."""
    owner = LeaveRequest.objects.filter(pk=request_id).values("employee_id")[:1]
    try:
        employee = _lock_employee(Subquery(owner), "unit", "user")
    except Employee.DoesNotExist:
        raise LeaveError(_("This leave request does not exist.")) from None
    req = (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("leave_type", "official_position")
        .get(pk=request_id)
    )
    req.employee = employee
    return req


# --- yearly allocation -----------------------------------------------------------------------------------------------
@dataclass
class AllocationSummary:
    year: int
    employees: int = 0
    allocated: int = 0
    already_allocated: int = 0
    not_eligible: int = 0
    carried_days: int = 0
    expired_days: int = 0


_eligible = yearend.eligible


def ledger_types():
    return LeaveType.objects.filter(active=True, uses_ledger=True, yearly_entitlement__gt=0)


def allocate_year(*, year: int, employee_ids: list[int] | None = None, progress=None) -> AllocationSummary:
    """Post the yearly allocation of every ledger leave type. Idempotent: an employee already allocated for
    (type, year) is skipped, and a unique constraint backs it up. It never touches the previous year: carry-over and
    expiry are the year-end close's (`yearend.close_year`), after that year has ended."""
    summary = AllocationSummary(year=year)
    types = list(ledger_types())
    emps = Employee.objects.filter(active=True)
    if employee_ids is not None:
        emps = emps.filter(pk__in=employee_ids)
    people = list(emps.values_list("pk", "tmt_cpns", "employment_type", "gender").order_by("pk"))
    summary.employees = len(people)
    batch = 5000
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for lt in types:
        ledger = LedgerEntry.objects.filter(leave_type=lt)
        if employee_ids is not None:
            ledger = ledger.filter(employee_id__in=employee_ids)
        done = set(ledger.filter(year=year, kind=Kind.ALLOCATION).values_list("employee_id", flat=True))
        rows: list[tuple] = []
        for i, (pk, tmt, employment_type, gender) in enumerate(people, 1):
            if progress and i % batch == 0:
                progress(batch)
            if pk in done:
                summary.already_allocated += 1
                continue
            if not yearend.entitled(lt, tmt, employment_type, gender, year):
                summary.not_eligible += 1
                continue
            summary.allocated += 1
            rows.append((pk, lt.pk, year, Kind.ALLOCATION, lt.yearly_entitlement, "", now))
            if len(rows) >= batch:
                _insert_ledger_rows(rows)
                rows = []
        _insert_ledger_rows(rows)
        if progress:
            progress(len(people) % batch)
    return summary


def _insert_ledger_rows(rows: list[tuple]) -> None:
    """Yearly-job entries (employee, type, year, kind, days, reason, created_at); rows the unique constraint already
    holds are skipped, so a re-run is harmless."""
    bulk_insert(LedgerEntry, "employee leave_type year kind days reason created_at", rows, ignore_conflicts=True)


def bulk_insert(model, fields: str, rows: list[tuple], *, ignore_conflicts: bool = False, per_statement=1000) -> None:
    """Append rows with multi-row INSERT statements and no per-field ORM preparation (values come adapted by the
    caller). Used by the yearly job and the demo seeder, where the ORM's per-field work dominated at 50,000
    employees. Append-only: it never updates or deletes."""
    if not rows:
        return
    from django.db.models.constants import OnConflict

    opts = model._meta
    cols = [opts.get_field(n) for n in fields.split()]
    qn = connection.ops.quote_name
    on_conflict = OnConflict.IGNORE if ignore_conflicts else None
    one = "(" + ", ".join(["%s"] * len(cols)) + ")"
    per_statement = max(1, min(per_statement, 30000 // len(cols)))
    head = "{} {} ({}) VALUES ".format(  # noqa: S608 - identifiers from model metadata, quoted
        connection.ops.insert_statement(on_conflict=on_conflict),
        qn(opts.db_table),
        ", ".join(qn(c.column) for c in cols),
    )
    tail = " " + (connection.ops.on_conflict_suffix_sql(cols, on_conflict, None, None) or "")
    with connection.cursor() as cursor:
        for i in range(0, len(rows), per_statement):
            chunk = rows[i : i + per_statement]
            cursor.execute(head + ", ".join([one] * len(chunk)) + tail, [v for row in chunk for v in row])


def _allocated_balance(employee: Employee, leave_type: LeaveType, year: int, today: dt.date) -> int | None:
    """The balance a submission is judged against (None for a type without a ledger): the ledger's, once the year is
    open (`yearend.open_on_demand` opens a begun year the job has not reached); next year's projection before then."""
    if not leave_type.uses_ledger:
        return None
    if year <= today.year:
        return yearend.open_on_demand(employee, leave_type, year, today)
    return yearend.projection(employee, leave_type, year, today).total


# --- notifications ---------------------------------------------------------------------------------------------------
def _notify(employee: Employee | None, kind: str, title: str, body: str, req: LeaveRequest) -> None:
    _notify_all(req, (employee, kind, title), body=body)


def _notify_all(req: LeaveRequest, *events: tuple[Employee | None, str, str], body: str | None = None) -> None:
    """Notify each (employee, kind, title) about `req` (those without an employee or account are skipped), in one
    batch: `notify_many`."""
    from intranet.notifications.services import Notice, notify_many

    url = reverse("leave:detail", args=[req.pk])
    text = _describe(req) if body is None else body
    notices = [Notice(e.user, kind, title, body=text, url=url) for e, kind, title in events if e and e.user_id]
    if notices:
        notify_many(notices)


def _describe(req: LeaveRequest) -> str:
    return _("%(type)s for %(name)s, %(start)s to %(end)s (%(days)s).") % {
        "type": req.leave_type.name,
        "name": req.employee.full_name,
        "start": req.start_date.strftime("%d-%m-%Y"),
        "end": req.end_date.strftime("%d-%m-%Y"),
        "days": units.counted(req.days, req.leave_type.unit),
    }


def _notify_next_actor(req: LeaveRequest, on_date: dt.date) -> None:
    _stage, authority = current_authority(req, on_date)
    if authority is not None:
        _notify(authority.employee, "leave.action_needed", _("A leave request needs your action"), _describe(req), req)


# --- submit ----------------------------------------------------------------------------------------------------------
@dataclass
class Assessment:
    days: int
    calendar_versions: dict
    available: int | None  # for ledger types: available before this request
    remaining: int | None
    days_off: tuple = ()  # (date, name) of holidays a working-day count skipped; the preview lists them
    ground: str = ""  # a ground of `rules` that set a condition aside (first hajj, fourth birth)
    projected: bool = False  # the balance includes next year's allocation or carry-over still to come


def assess(
    *,
    employee: Employee,
    leave_type: LeaveType,
    start_date: dt.date,
    end_date: dt.date,
    emergency: bool = False,
    has_document: bool = True,
    exclude_pk: int | None = None,
    today: dt.date | None = None,
    balance: int | None = None,
    ground: str = "",
) -> Assessment:
    """Validate a request against every rule (raises LeaveError) and return its length and the balance after it.
    Used by the preview (without locks) and by the services (under the employee's lock). `balance`: the ledger
    balance of the type for the request's year, when the caller has just read it (under the lock)."""
    today = today or timezone.localdate()
    if end_date < start_date:
        raise LeaveError(_("The end date is before the start date."), "end_date")
    if not leave_type.active or not leave_type.requestable:
        raise LeaveError(_("This leave type cannot be requested."), "leave_type")
    if not _eligible(leave_type, employee.employment_type, employee.gender):
        raise LeaveError(_("This leave type is not available to you."), "leave_type")
    if years_of_service(employee, start_date) < leave_type.min_service_years and not rules.waives_service(ground):
        raise LeaveError(
            ngettext(
                "This leave type needs at least %(n)s year of service.",
                "This leave type needs at least %(n)s years of service.",
                leave_type.min_service_years,
            )
            % {"n": leave_type.min_service_years},
            "leave_type",
        )
    if emergency and not leave_type.emergency_allowed:
        raise LeaveError(_("Emergency permission is only possible for leave for important reasons."), "emergency")
    if start_date < today and not emergency:
        raise LeaveError(_("The leave cannot start in the past."), "start_date")
    if leave_type.uses_ledger and start_date.year != end_date.year:
        raise LeaveError(_("Split the leave at the turn of the year: one request per year."), "end_date")
    days, versions, days_off = workdays.request_detail(leave_type, start_date, end_date)
    if days == 0:
        raise LeaveError(_("There are no working days in this period."), "end_date")
    if days < leave_type.min_per_request:
        raise LeaveError(
            _("At least %(n)s per request.") % {"n": units.quantity(leave_type.min_per_request, leave_type.unit)},
            "end_date",
        )
    if workdays.exceeds_max(leave_type, start_date, end_date, days):
        raise LeaveError(
            _("More than the maximum of %(n)s per request.")
            % {"n": units.quantity(leave_type.max_per_request, leave_type.unit)},
            "end_date",
        )
    if leave_type.document_required(days) and not has_document:
        raise LeaveError(
            _("This leave needs a supporting document: %(hint)s.") % {"hint": leave_type.document_hint or "-"},
            "document",
        )
    rules.check(
        employee=employee,
        leave_type=leave_type,
        ground=ground,
        start_date=start_date,
        end_date=end_date,
        has_document=has_document,
        exclude_pk=exclude_pk,
    )
    # One read of the employee's pending and approved requests that matter: those overlapping the period, and those
    # of this type starting in its year (they count against the yearly maximum; the pending ones hold balance days).
    live = list(
        LeaveRequest.objects.filter(
            Q(start_date__lte=end_date, end_date__gte=start_date)
            | Q(leave_type=leave_type, start_date__year=start_date.year),
            employee=employee,
            status__in=[*LeaveRequest.PENDING, Status.APPROVED],
        )
        .exclude(pk=exclude_pk or 0)
        .only("leave_type_id", "start_date", "end_date", "status", "days", "proposed_days")
        .order_by()
    )
    if any(r.start_date <= end_date and r.end_date >= start_date for r in live):
        raise LeaveError(_("This period overlaps another leave request of yours."), "start_date")
    same_year = [r for r in live if r.leave_type_id == leave_type.pk and r.start_date.year == start_date.year]
    if leave_type.max_per_year is not None:
        taken = sum(r.hold_days for r in same_year)
        if taken + days > leave_type.max_per_year:
            raise LeaveError(
                ngettext(
                    "More than the maximum of %(n)s day per year for this leave type.",
                    "More than the maximum of %(n)s days per year for this leave type.",
                    leave_type.max_per_year,
                )
                % {"n": leave_type.max_per_year},
                "end_date",
            )
    available = remaining = None
    projected = False
    if leave_type.uses_ledger:
        if balance is None:  # the preview and decisions: what the year holds or will hold, without writing
            outlook = yearend.projection(employee, leave_type, start_date.year, today)
            balance, projected = outlook.total, outlook.projected
        available = balance - sum(r.hold_days for r in same_year if r.status in LeaveRequest.PENDING)
        remaining = available - days
        if remaining < 0:
            raise LeaveError(
                _("Not enough leave balance: %(available)s available, %(days)s requested.")
                % {
                    "available": units.counted(max(available, 0), leave_type.unit),
                    "days": units.counted(days, leave_type.unit),
                },
                "end_date",
            )
    return Assessment(
        days=days,
        calendar_versions=versions,
        available=available,
        remaining=remaining,
        days_off=tuple(days_off),
        ground=ground,
        projected=projected,
    )


def leave_request_preview(
    *,
    employee: Employee,
    leave_type: LeaveType,
    start_date: dt.date,
    end_date: dt.date,
    emergency: bool = False,
    first_hajj: bool = False,
) -> Assessment:
    """What the form's Preview shows: the length and the balance after the request. It writes nothing: a year the job
    has not opened yet (next year's leave planned in December) shows its projected balance."""
    resolution = rules.resolve(employee=employee, leave_type=leave_type, first_hajj=first_hajj)
    return assess(
        employee=employee,
        leave_type=resolution.leave_type,
        start_date=start_date,
        end_date=end_date,
        emergency=emergency,
        has_document=True,
        ground=resolution.ground,
    )


def leave_request_submit(
    *,
    employee: Employee | None = None,
    user=None,
    leave_type: LeaveType,
    start_date: dt.date,
    end_date: dt.date,
    reason: str,
    address_during_leave: str,
    phone_during_leave: str,
    document=None,
    emergency: bool = False,
    first_hajj: bool = False,
    today: dt.date | None = None,
) -> LeaveRequest:
    """Submit a request: validate every rule under the employee's lock, hold the days, route it, notify. The employee
    is `employee`, or the employee record of `user`'s account, read only under the lock (the form's view need not read
    it first; Employee.DoesNotExist when the account has none). `rules.resolve` decides what it is granted as (a
    fourth birth's maternity leave is long leave) and the ground recorded on it."""
    if (employee is None) == (user is None):
        raise TypeError("leave_request_submit() takes either employee or user")
    today = today or timezone.localdate()
    if not reason.strip():
        raise LeaveError(_("Give the reason for the leave."), "reason")
    document_type = sniff_document(document) if document else ""
    with transaction.atomic():
        # read afresh under the lock, with what routing (unit, explicit superior) and the notifications (the users of
        # the employee and of that superior) read next
        employee = _lock_employee(employee.pk if employee else None, "unit", "supervisor__user", "user", user=user)
        resolution = rules.resolve(employee=employee, leave_type=leave_type, first_hajj=first_hajj)
        leave_type = resolution.leave_type
        result = assess(
            employee=employee,
            leave_type=leave_type,
            start_date=start_date,
            end_date=end_date,
            emergency=emergency,
            has_document=bool(document),
            today=today,
            balance=_allocated_balance(employee, leave_type, start_date.year, today),
            ground=resolution.ground,
        )
        # `official_position_for`, `authority_holder` of it and `superior_of` on the same date, in one query
        route = submission_route(employee, today)
        official, official_authority, superior = route.official, route.official_authority, route.superior
        if official is None:
            raise LeaveError(_("No authorised official was found for your unit; please contact HR."))
        single = superior is None or (
            official_authority is not None and superior.employee.pk == official_authority.employee.pk
        )
        route_position_id, route_employee = (official.pk, None) if single else _route_of(employee, superior)
        req = LeaveRequest.objects.create(
            employee=employee,
            leave_type=leave_type,
            start_date=start_date,
            end_date=end_date,
            days=result.days,
            reason=reason.strip(),
            address_during_leave=address_during_leave.strip(),
            phone_during_leave=phone_during_leave.strip(),
            ground=resolution.ground,
            emergency=emergency,
            status=Status.AWAITING_OFFICIAL if single else Status.AWAITING_SUPERIOR,
            route_position_id=route_position_id,
            route_employee=route_employee,
            official_position=official,
            single_step=single,
            calendar_versions=result.calendar_versions,
            document_type=document_type,
            last_action_at=timezone.now(),
        )
        if document:
            ext = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[document_type]
            req.document_name = private_storage().save(f"leave/documents/{start_date.year}/{req.pk}.{ext}", document)
            req.save(update_fields=["document_name"])
        ApprovalStep.objects.create(
            request=req, stage=Stage.SUBMITTED, outcome=Outcome.SUBMIT, actor=employee, actor_user=employee.user
        )
        # who acts first, as `_notify_next_actor` would find it again: resolved above for the route, on the same date
        first = official_authority if single else superior
        _notify_all(
            req,
            (employee, "leave.submitted", _("Your leave request was submitted")),
            (first and first.employee, "leave.action_needed", _("A leave request needs your action")),
            (
                official_authority and official_authority.employee if emergency and not single else None,
                "leave.emergency",
                _("Emergency leave: temporary permission requested"),
            ),
        )
    return req


# --- decisions -------------------------------------------------------------------------------------------------------
def _actor_authority(req: LeaveRequest, user, today: dt.date) -> tuple[str, Authority, Employee]:
    actor = getattr(user, "employee", None) if user is not None else None
    stage, authority = current_authority(req, today)
    if not stage:
        raise LeaveError(_("This request has already been decided."))
    if actor is None or authority is None or authority.employee.pk != actor.pk:
        raise LeaveDenied(_("You may not decide this request."), "not the deciding official")
    return stage, authority, actor


def _acting_text(authority: Authority) -> str:
    if authority.delegation is None:
        return ""
    d = authority.delegation
    return f"{d.kind}. {d.position.name_id} ({d.decree_number})"  # "Plh. Kepala …": acting in the position


def opinion_text(outcome: str, reason: str) -> str:
    """The superior's opinion in plain words for the employee: it is advisory, the authorised official decides
    (Perban BKN 24/2017)."""
    said = {
        Outcome.APPROVE: _("Your superior's opinion: approve."),
        Outcome.CHANGE: _("Your superior's opinion: change the dates."),
        Outcome.DEFER: _("Your superior's opinion: defer."),
        Outcome.REFUSE: _("Your superior's opinion: refuse."),
    }.get(outcome, "")
    parts = [
        said,
        _("Reason: %(reason)s") % {"reason": reason} if reason else "",
        _("The authorised official decides."),
    ]
    return " ".join(p for p in parts if p)


def _refuse_own_request(request_id: int, user, *, act: str) -> None:
    """A decision or permission on one's own request is refused (even when one holds the deciding position, e.g. as
    Plt of one's superior), and the attempt audited."""
    owner = LeaveRequest.objects.filter(pk=request_id).values_list("employee_id", flat=True).first()
    if owner is not None and refused_own_record(user, owner, act=act):
        raise LeaveError(_("You may not decide on your own leave; it goes to another official."))


def _check_reason(outcome: str, reason: str) -> None:
    if outcome != Outcome.APPROVE and not reason.strip():
        raise LeaveError(_("Give a reason for this outcome."), "reason")


def leave_request_decide(
    *,
    request_id: int,
    user,
    outcome: str,
    reason: str = "",
    proposed_start: dt.date | None = None,
    proposed_end: dt.date | None = None,
    today: dt.date | None = None,
) -> LeaveRequest:
    """The superior's opinion or the official's decision, whichever is due; one immutable step. Concurrent calls for
    the same request are serialised by the row locks: the second one finds the request already moved on."""
    today = today or timezone.localdate()
    if outcome not in ApprovalStep.DECISIONS:
        raise LeaveError(_("Choose approve, change, defer or refuse."), "outcome")
    _check_reason(outcome, reason)
    _refuse_own_request(request_id, user, act="leave.decide")
    with transaction.atomic():
        req = _lock_request(request_id)
        stage, authority, actor = _actor_authority(req, user, today)
        if stage == Stage.SUPERIOR and req.official_position_id:
            official = authority_holder(req.official_position, today)
            if official is not None and official.employee.pk == actor.pk:
                stage, authority = Stage.OFFICIAL, official  # same person: one step
        proposed_days = None
        if outcome == Outcome.CHANGE:
            if not proposed_start or not proposed_end:
                raise LeaveError(_("Give the proposed new dates."), "proposed_start")
            proposed_days = assess(
                employee=req.employee,
                leave_type=req.leave_type,
                start_date=proposed_start,
                end_date=proposed_end,
                exclude_pk=req.pk,
                today=today,
                ground=req.ground,
            ).days
        ApprovalStep.objects.create(
            request=req,
            stage=stage,
            outcome=outcome,
            actor=actor,
            actor_user=user,
            acting_for=authority.delegation,
            acting_for_text=_acting_text(authority),
            reason=reason.strip(),
            proposed_start=proposed_start if outcome == Outcome.CHANGE else None,
            proposed_end=proposed_end if outcome == Outcome.CHANGE else None,
        )
        audit_record(
            action=f"leave.decision.{outcome}",
            actor=user,
            obj=req,
            subject_employee=req.employee,
            acting_for=_acting_text(authority),
            details={"stage": stage, "reason": reason.strip()[:255]},
        )
        req.last_action_at = timezone.now()
        req.reminded_at = None
        if stage == Stage.SUPERIOR:
            req.status = Status.AWAITING_OFFICIAL
            req.route_position, req.route_employee = req.official_position, None
            req.save()
            _notify(
                req.employee,
                "leave.opinion",
                _("Your superior gave an opinion on your leave request"),
                f"{_describe(req)} {opinion_text(outcome, reason.strip())}",
                req,
            )
            _notify_next_actor(req, today)
            return req
        req.route_position = req.route_employee = None
        if outcome == Outcome.APPROVE:
            _approve(req, user, today)
        elif outcome == Outcome.CHANGE:
            req.status = Status.CHANGED
            req.proposed_start, req.proposed_end, req.proposed_days = proposed_start, proposed_end, proposed_days
            req.save()
            _notify(req.employee, "leave.changed", _("A change to your leave was proposed"), _describe(req), req)
        elif outcome == Outcome.DEFER:
            req.status = Status.DEFERRED
            req.save()
            _post_deferral(req, user, today)
            _notify(req.employee, "leave.deferred", _("Your leave was deferred"), _describe(req), req)
        else:
            req.status = Status.REFUSED
            req.save()
            _notify(req.employee, "leave.refused", _("Your leave request was refused"), _describe(req), req)
    return req


def _open_for_decision(req: LeaveRequest, leave_type: LeaveType, today: dt.date) -> None:
    """Before a decision posts to the ledger: open a begun year the job has not reached (close the previous one,
    allocate), or post next year's allocation alone (the close of this year waits for its end)."""
    if req.year <= today.year:
        yearend.open_on_demand(req.employee, leave_type, req.year, today)
    elif req.year == today.year + 1:
        allocate_year(year=req.year, employee_ids=[req.employee_id])


def _approve(req: LeaveRequest, user, today: dt.date | None = None) -> None:
    """Status approved, usage posted (and cuti tahunan forfeited for cuti besar), letter queued."""
    today = today or timezone.localdate()
    lt = req.leave_type
    if lt.uses_ledger:
        _open_for_decision(req, lt, today)
        others = pending_hold(req.employee_id, lt.pk, req.year, exclude_pk=req.pk)
        if req.year > today.year:
            # next year before this one has closed: the usage must fit what next year's ledger holds (never
            # negative), and the other pending requests must still fit its projection
            if ledger_balance(req.employee_id, lt.pk, req.year) < req.days:
                raise LeaveError(
                    _(
                        "Next year's allocation does not cover this request: the days carried over from %(year)s "
                        "are added when that year is closed, after its end; decide then."
                    )
                    % {"year": today.year}
                )
            room = yearend.projection(req.employee, lt, req.year, today).total - others
        else:
            room = ledger_balance(req.employee_id, lt.pk, req.year) - others
        if room < req.days:
            raise LeaveError(_("Not enough leave balance to approve this request."))
        LedgerEntry.objects.create(
            employee=req.employee,
            leave_type=lt,
            year=req.year,
            kind=Kind.USAGE,
            days=-req.days,
            request=req,
            created_by=user,
        )
    if lt.forfeits_annual_leave:
        # that year's annual leave is forfeited even when its allocation was not posted yet; what is carried into it
        # at the close is forfeited then (`yearend.close_year`)
        for annual in LeaveType.objects.filter(uses_ledger=True, active=True, forfeits_annual_leave=False):
            if req.year <= today.year + 1:
                _open_for_decision(req, annual, today)
            rest = ledger_balance(req.employee_id, annual.pk, req.year)
            if rest > 0:
                LedgerEntry.objects.create(
                    employee=req.employee,
                    leave_type=annual,
                    year=req.year,
                    kind=Kind.EXPIRY,
                    days=-rest,
                    request=req,
                    reason=f"forfeited by {lt.code}",
                    created_by=user,
                )
    req.status = Status.APPROVED
    req.save()
    _notify(req.employee, "leave.approved", _("Your leave was approved"), _describe(req), req)
    from intranet.issued.services import issue

    from .documents import LETTER

    issue(LETTER, req)  # recorded with the approval; rendered after commit, or by the sweep


def _post_deferral(req: LeaveRequest, user, today: dt.date) -> None:
    """Deferred days move to next year's balance, within the deferral cap (entitlement + deferred ≤ 24) and within
    what the request's year holds for it (a year not opened yet is opened first, as for an approval)."""
    lt = req.leave_type
    if not (lt.uses_ledger and lt.deferrable):
        return
    _open_for_decision(req, lt, today)
    already = (
        LedgerEntry.objects.filter(
            employee=req.employee, leave_type=lt, year=req.year + 1, kind=Kind.DEFERRAL, days__gt=0
        ).aggregate(s=Sum("days"))["s"]
        or 0
    )
    room = max(ledger_balance(req.employee_id, lt.pk, req.year), 0)  # the year's sum never goes negative
    credit = min(req.days, room, max(lt.deferral_max - lt.yearly_entitlement - already, 0))
    if credit <= 0:
        return
    common = {"employee": req.employee, "leave_type": lt, "kind": Kind.DEFERRAL, "request": req, "created_by": user}
    LedgerEntry.objects.create(year=req.year, days=-credit, reason=f"deferred to {req.year + 1}", **common)
    LedgerEntry.objects.create(year=req.year + 1, days=credit, reason=f"deferred from {req.year}", **common)


def leave_request_accept_change(*, request_id: int, user, today: dt.date | None = None) -> LeaveRequest:
    """The employee accepts the official's proposed dates: the request is approved with them."""
    today = today or timezone.localdate()
    with transaction.atomic():
        req = _lock_request(request_id)
        if req.employee.user_id != getattr(user, "pk", None):
            raise LeaveError(_("Only the employee can answer a proposed change."))
        if req.status != Status.CHANGED:
            raise LeaveError(_("There is no proposed change to accept."))
        result = assess(
            employee=req.employee,
            leave_type=req.leave_type,
            start_date=req.proposed_start,
            end_date=req.proposed_end,
            exclude_pk=req.pk,
            today=today,
            ground=req.ground,
        )
        req.start_date, req.end_date, req.days = req.proposed_start, req.proposed_end, result.days
        req.calendar_versions = result.calendar_versions or req.calendar_versions
        req.proposed_start = req.proposed_end = req.proposed_days = None
        req.last_action_at = timezone.now()
        ApprovalStep.objects.create(
            request=req, stage=Stage.EMPLOYEE, outcome=Outcome.ACCEPT, actor=req.employee, actor_user=user
        )
        _approve(req, user, today)
    return req


def leave_request_withdraw(*, request_id: int, user) -> LeaveRequest:
    """The employee withdraws a request that has no final decision yet (also the answer 'no' to a change)."""
    with transaction.atomic():
        req = _lock_request(request_id)
        if req.employee.user_id != getattr(user, "pk", None):
            raise LeaveError(_("Only the employee can withdraw this request."))
        if not req.is_pending:
            raise LeaveError(_("Only a request without a final decision can be withdrawn."))
        today = timezone.localdate()
        _stage, authority = current_authority(req, today)
        req.status = Status.WITHDRAWN
        req.route_position = req.route_employee = None
        req.last_action_at = timezone.now()
        req.save(update_fields=["status", "route_position", "route_employee", "last_action_at", "updated_at"])
        ApprovalStep.objects.create(
            request=req, stage=Stage.EMPLOYEE, outcome=Outcome.WITHDRAW, actor=req.employee, actor_user=user
        )
        _notify_all(
            req,
            (req.employee, "leave.withdrawn", _("Your leave request was withdrawn")),
            (authority and authority.employee, "leave.withdrawn", _("A leave request was withdrawn")),
        )
    return req


def leave_request_cancel(*, request_id: int, user, reason: str = "", today: dt.date | None = None) -> LeaveRequest:
    """Cancel an approved leave: the employee before it starts, or HR in scope (with a reason) at any time. Every
    ledger movement of the request is reversed by a new entry."""
    today = today or timezone.localdate()
    own = LeaveRequest.objects.filter(pk=request_id, employee__user_id=getattr(user, "pk", None), start_date__lte=today)
    own = own.select_related("employee__unit").first()
    if own is not None and unit_in_scope(user, own.employee.unit):
        refused_own_record(user, own.employee, act="leave.cancel")
        raise LeaveError(_("You may not cancel your own leave as an HR officer; another HR officer must."))
    with transaction.atomic():
        req = _lock_request(request_id)
        if req.status != Status.APPROVED:
            raise LeaveError(_("Only an approved leave can be cancelled."))
        is_owner = req.employee.user_id == getattr(user, "pk", None)
        is_hr = not is_owner and unit_in_scope(user, req.employee.unit)  # an HR officer cancels her own as employee
        if is_owner and not is_hr:
            if req.start_date <= today:
                raise LeaveError(_("A leave that has started can only be cancelled by HR."))
        elif is_hr:
            if not reason.strip():
                raise LeaveError(_("Give a reason for the cancellation."), "reason")
        else:
            raise LeaveDenied(_("You may not cancel this leave."), "neither the employee nor HR in scope")
        for entry in LedgerEntry.objects.filter(request=req, reversed_by__isnull=True).exclude(kind=Kind.REVERSAL):
            LedgerEntry.objects.create(
                employee_id=entry.employee_id,
                leave_type_id=entry.leave_type_id,
                year=entry.year,
                kind=Kind.REVERSAL,
                days=-entry.days,
                request=req,
                reverses=entry,
                reason=(reason.strip() or "cancelled")[:255],
                created_by=user,
            )
        req.status = Status.CANCELLED
        req.cancel_reason = reason.strip()
        req.last_action_at = timezone.now()
        req.save()
        ApprovalStep.objects.create(
            request=req,
            stage=Stage.EMPLOYEE if is_owner and not is_hr else Stage.HR,
            outcome=Outcome.CANCEL,
            actor=getattr(user, "employee", None) if hasattr(user, "employee") else None,
            actor_user=user,
            reason=reason.strip(),
        )
        audit_record(
            action="leave.cancel",
            actor=user,
            obj=req,
            subject_employee=req.employee,
            details={"as": "employee" if is_owner and not is_hr else "hr", "reason": reason.strip()[:255]},
        )
        from intranet.issued.services import cancel as cancel_documents

        cancel_documents(req)  # its letter's code now says "cancelled"
        _notify(req.employee, "leave.cancelled", _("Your leave was cancelled"), _describe(req), req)
    return req


def leave_request_grant_temporary(*, request_id: int, user, today: dt.date | None = None) -> LeaveRequest:
    """Emergency path (alasan penting): the head of office — the authorised official's position, resolved today —
    lets the employee go now; the superior's opinion and the formal decision follow as usual."""
    today = today or timezone.localdate()
    _refuse_own_request(request_id, user, act="leave.permit")
    with transaction.atomic():
        req = _lock_request(request_id)
        if not (req.emergency and req.is_pending and req.temporary_permission_at is None):
            raise LeaveError(_("No temporary permission is pending for this request."))
        authority = authority_holder(req.official_position, today) if req.official_position_id else None
        actor = getattr(user, "employee", None)
        if authority is None or actor is None or authority.employee.pk != actor.pk:
            raise LeaveDenied(_("Only the head of office can give temporary permission."), "not the head of office")
        ApprovalStep.objects.create(
            request=req,
            stage=Stage.EMERGENCY,
            outcome=Outcome.PERMIT,
            actor=actor,
            actor_user=user,
            acting_for=authority.delegation,
            acting_for_text=_acting_text(authority),
        )
        req.temporary_permission_at = timezone.now()
        req.save(update_fields=["temporary_permission_at", "updated_at"])
        audit_record(
            action="leave.permit",
            actor=user,
            obj=req,
            subject_employee=req.employee,
            acting_for=_acting_text(authority),
        )
        _notify(
            req.employee, "leave.permitted", _("Temporary permission given: you may leave now"), _describe(req), req
        )
    return req


def ledger_adjust(*, employee: Employee, leave_type: LeaveType, year: int, days: int, reason: str, user) -> LedgerEntry:
    """A manual adjustment by HR in scope (e.g. a cuti bersama day worked), with a reason."""
    if not unit_in_scope(user, employee.unit):
        raise LeaveError(_("This employee is outside your HR scope."))
    if refused_own_record(user, employee, act="leave.ledger.adjust"):
        raise LeaveError(_("You may not adjust your own leave balance; another HR officer must."))
    if not reason.strip():
        raise LeaveError(_("Give a reason for the adjustment."), "reason")
    if days == 0:
        raise LeaveError(_("An adjustment must change the balance."), "days")
    with transaction.atomic():
        _lock_employee(employee.pk)
        if ledger_balance(employee.pk, leave_type.pk, year) - pending_hold(employee.pk, leave_type.pk, year) + days < 0:
            raise LeaveError(_("The balance would become negative."), "days")
        entry = LedgerEntry.objects.create(
            employee=employee,
            leave_type=leave_type,
            year=year,
            kind=Kind.ADJUSTMENT,
            days=days,
            reason=reason.strip()[:255],
            created_by=user,
        )
        if employee.user_id:
            from intranet.notifications.services import notify

            notify(
                employee.user,
                "leave.adjusted",
                _("Your leave balance was adjusted"),
                body=f"{leave_type.name} {year}: {days:+d} ({reason.strip()})",
                url=reverse("leave:index"),
            )
    return entry


# --- letters ---------------------------------------------------------------------------------------------------------
def letter_next_number(year: int) -> int:
    with transaction.atomic():
        counter, _created = LetterCounter.objects.select_for_update().get_or_create(year=year)
        counter.last += 1
        counter.save(update_fields=["last"])
        return counter.last


def letter_generate(*, request_id: int) -> LeaveLetter | None:
    """The Surat Izin Cuti of an approved request, rendered, signed and stored now if it is not yet (`documents`)."""
    from .documents import letter_generate as generate

    return generate(request_id=request_id)


# --- reminders and feeds ---------------------------------------------------------------------------------------------
def _working_days_between(start: dt.date, end: dt.date) -> int:
    if end <= start:
        return 0
    return workdays.working_days(start + dt.timedelta(days=1), end)[0]


def send_reminders(*, today: dt.date | None = None) -> int:
    """Remind the next actor of requests idle for SERAMBI_LEAVE_REMINDER_WORKING_DAYS working days (once per period)."""
    today = today or timezone.localdate()
    threshold = _setting("SERAMBI_LEAVE_REMINDER_WORKING_DAYS", 3)
    sent = 0
    pending = LeaveRequest.objects.filter(
        status__in=[Status.AWAITING_SUPERIOR, Status.AWAITING_OFFICIAL]
    ).select_related("employee", "employee__unit", "leave_type", "official_position")
    for req in pending.iterator(chunk_size=500):
        since = timezone.localtime(req.reminded_at or req.last_action_at or req.created_at).date()
        if _working_days_between(since, today) < threshold:
            continue
        with transaction.atomic():
            _stage, authority = current_authority(req, today)
            if authority is None:
                continue
            _notify(
                authority.employee,
                "leave.reminder",
                _("Reminder: a leave request awaits your action"),
                _describe(req),
                req,
            )
            stamp = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
            LeaveRequest.objects.filter(pk=req.pk).update(reminded_at=stamp)
            sent += 1
    return sent


def feed_token_rotate(*, user) -> CalendarFeedToken:
    """Create or replace (revoke the old) the user's private iCal feed token."""
    import uuid

    with transaction.atomic():
        token, created = CalendarFeedToken.objects.select_for_update().get_or_create(user=user)
        if not created:
            token.token = uuid.uuid4()
            token.save(update_fields=["token"])
    return token


def feed_token_revoke(*, user) -> None:
    CalendarFeedToken.objects.filter(user=user).delete()


def scope_filter(user) -> Q | None:
    from hr.org.selectors import scope_q

    return scope_q(user, prefix="employee__unit__")
