"""The leave ledger: balances, pending holds, the yearly allocation and HR's manual adjustments."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hr.org.duties import refused_own_record
from hr.org.models import Employee
from hr.org.selectors import unit_in_scope
from intranet.core.bulk import insert_rows
from intranet.notifications.services import notify

from .. import yearend
from ..errors import LeaveError
from ..models import (
    LeaveRequest,
    LeaveType,
    LedgerEntry,
)
from .common import Kind, lock_employee


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


@dataclass
class AllocationSummary:
    year: int
    employees: int = 0
    allocated: int = 0
    already_allocated: int = 0
    not_eligible: int = 0
    carried_days: int = 0
    expired_days: int = 0


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
    now = timezone.now()
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
    insert_rows(LedgerEntry, "employee leave_type year kind days reason created_at".split(), rows, ignore_conflicts=True)


def allocated_balance(employee: Employee, leave_type: LeaveType, year: int, today: dt.date) -> int | None:
    """The balance a submission is judged against (None for a type without a ledger): the ledger's, once the year is
    open (`yearend.open_on_demand` opens a begun year the job has not reached); next year's projection before then."""
    if not leave_type.uses_ledger:
        return None
    if year <= today.year:
        return yearend.open_on_demand(employee, leave_type, year, today)
    return yearend.projection(employee, leave_type, year, today).total


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
        lock_employee(employee.pk)
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
            notify(
                employee.user,
                "leave.adjusted",
                _("Your leave balance was adjusted"),
                body=f"{leave_type.name} {year}: {days:+d} ({reason.strip()})",
                url=reverse("leave:index"),
            )
    return entry
