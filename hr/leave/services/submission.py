"""Judging and submitting a leave request: the preview writes nothing; the submission holds its days."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hr.org.models import Employee
from intranet.core.private_files import private_storage

from .. import rules, units, workdays, yearend
from ..errors import LeaveError
from ..models import (
    ApprovalStep,
    LeaveRequest,
    LeaveType,
    years_of_service,
)
from ..routing import submission_route
from .attachments import sniff_document
from .authority import route_of
from .common import Outcome, Stage, Status, lock_employee
from .ledger import allocated_balance
from .notify import notify_all_about


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
    _check_who_and_when(employee, leave_type, start_date, end_date, emergency=emergency, ground=ground, today=today)
    days, versions, days_off = workdays.request_detail(leave_type, start_date, end_date)
    _check_length(leave_type, start_date, end_date, days, has_document=has_document)
    rules.check(
        employee=employee,
        leave_type=leave_type,
        ground=ground,
        start_date=start_date,
        end_date=end_date,
        has_document=has_document,
        exclude_pk=exclude_pk,
    )
    same_year = _check_other_requests(employee, leave_type, start_date, end_date, days, exclude_pk=exclude_pk)
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


def _check_who_and_when(
    employee: Employee,
    leave_type: LeaveType,
    start_date: dt.date,
    end_date: dt.date,
    *,
    emergency: bool,
    ground: str,
    today: dt.date,
) -> None:
    """The type is open to this employee, and the dates make a request of it."""
    if end_date < start_date:
        raise LeaveError(_("The end date is before the start date."), "end_date")
    if not leave_type.active or not leave_type.requestable:
        raise LeaveError(_("This leave type cannot be requested."), "leave_type")
    if not yearend.eligible(leave_type, employee.employment_type, employee.gender):
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


def _check_length(leave_type: LeaveType, start_date: dt.date, end_date: dt.date, days: int, *, has_document: bool):
    """The request's length within the type's limits per request, with the document its length needs."""
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


def _check_other_requests(
    employee: Employee, leave_type: LeaveType, start_date: dt.date, end_date: dt.date, days: int, *, exclude_pk
) -> list[LeaveRequest]:
    """No overlap with the employee's other live requests, and the type's yearly maximum kept. Returns this type's
    live requests in the year (the pending ones hold balance days)."""
    # One read of the employee's pending and approved requests that matter: those overlapping the period, and those
    # of this type starting in its year.
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
    if leave_type.max_per_year is not None and sum(r.hold_days for r in same_year) + days > leave_type.max_per_year:
        raise LeaveError(
            ngettext(
                "More than the maximum of %(n)s day per year for this leave type.",
                "More than the maximum of %(n)s days per year for this leave type.",
                leave_type.max_per_year,
            )
            % {"n": leave_type.max_per_year},
            "end_date",
        )
    return same_year


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
        employee = lock_employee(employee.pk if employee else None, "unit", "supervisor__user", "user", user=user)
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
            balance=allocated_balance(employee, leave_type, start_date.year, today),
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
        route_position_id, route_employee = (official.pk, None) if single else route_of(employee, superior)
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
        # who acts first, as `notify_next_actor` would find it again: resolved above for the route, on the same date
        first = official_authority if single else superior
        notify_all_about(
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
