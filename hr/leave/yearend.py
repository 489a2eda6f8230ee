"""The turn of the year for leave kept on the ledger (cuti tahunan): projection, closing, opening and the re-check.

- A year is **closed** — its remainder carried into the next year within the caps, the rest expired — only after it
  has ended, by the year-end job (`year_end`, beat 1 January; `manage.py leave_allocate`), once: a `LedgerYearClose`
  row (unique per employee, type and year) records it, under the employee's row lock. A submission in a new year for
  an employee the job has not reached yet runs the same close for that employee (the previous year has ended).
- Previews and balance reads never write. Before a year is opened, a request in it is judged against its
  **projected** balance: what its ledger already holds (deferral credits, approved usage), the allocation still to
  come, and the carry-over the previous year's remainder (less its pending requests) would give under the caps.
- A request for next year approved before this year has closed may use next year's own allocation and deferral credit
  (the allocation is posted with the approval); the days that would come from the carry-over wait for the close.
- After the close, pending requests of the new year that no longer fit (this year's remainder shrank after they were
  submitted) stay pending; the employee and whoever must act are told, and approval refuses them until they fit.
- Days held at the close by a still-pending request of the closed year stay in that year for it.

Carry-over (PP 11/2017 art. 312–313; the article numbers are our reading, see README): entitlement plus carried days at
most 18; at most 24 when the employee had an entitlement in each of the previous two years and took none of it; with a
deferral credit in the new year the total is at most 24 including it.
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from hr.org.models import Employee
from intranet.core.bulk import insert_rows

from .errors import LeaveError
from .models import LeaveRequest, LeaveType, LedgerEntry, LedgerYearClose

logger = logging.getLogger(__name__)

Kind = LedgerEntry.Kind
BATCH = 2000


def year_ended(year: int, today: dt.date | None = None) -> bool:
    return year < (today or timezone.localdate()).year


def eligible(leave_type: LeaveType, employment_type: str, gender: str) -> bool:
    if leave_type.eligible_employment_types and employment_type not in leave_type.eligible_employment_types:
        return False
    return not (leave_type.gender and gender != leave_type.gender)


def entitled(leave_type: LeaveType, tmt: dt.date, employment_type: str, gender: str, year: int) -> bool:
    """Whether the yearly allocation of `year` is due: the service reached by the year's end and the type's
    eligibility."""
    service = year - tmt.year - ((12, 31) < (tmt.month, tmt.day))
    return service >= leave_type.min_service_years and eligible(leave_type, employment_type, gender)


def split_remainder(leave_type: LeaveType, rest: int, *, credit: int, extended: bool) -> tuple[int, int]:
    """(carried, expired) of a remainder `rest` into a year holding `credit` deferred days."""
    if rest <= 0:
        return 0, 0
    if credit:
        cap = leave_type.deferral_max
    elif extended:
        cap = leave_type.carry_over_extended_max
    else:
        cap = leave_type.carry_over_max
    carry = max(0, min(rest, cap - leave_type.yearly_entitlement - credit))
    return carry, rest - carry


def extended_history(leave_type: LeaveType, employee_ids: list[int], year: int) -> set[int]:
    """Employees who had this leave's entitlement (an allocation, posted or imported) in each of the
    `carry_over_extended_after_years` years up to `year` and took none of it. A new employee, or one without history
    for those years, is not among them."""
    n = leave_type.carry_over_extended_after_years
    if n < 1:
        return set()
    years = (year - n + 1, year)
    rows = LedgerEntry.objects.filter(leave_type=leave_type, employee_id__in=employee_ids, year__range=years)
    counted: dict[int, int] = {}
    for pk, _year in rows.filter(kind=Kind.ALLOCATION, days__gt=0).values_list("employee_id", "year").distinct():
        counted[pk] = counted.get(pk, 0) + 1
    took = set(
        rows.filter(Q(kind=Kind.USAGE) | Q(kind=Kind.REVERSAL, reverses__kind=Kind.USAGE))
        .values("employee_id", "year")
        .annotate(s=Sum("days"))
        .filter(s__lt=0)
        .values_list("employee_id", flat=True)
    )
    return {pk for pk, c in counted.items() if c == n and pk not in took}


def _holds(leave_type: LeaveType, year: int, employee_ids: list[int]) -> dict[int, int]:
    held: dict[int, int] = {}
    for pk, days, proposed in LeaveRequest.objects.filter(
        employee_id__in=employee_ids, leave_type=leave_type, status__in=LeaveRequest.PENDING, start_date__year=year
    ).values_list("employee_id", "days", "proposed_days"):
        held[pk] = held.get(pk, 0) + max(days, proposed or 0)
    return held


# --- projection (never writes) ---------------------------------------------------------------------------------------
@dataclass
class Projection:
    year: int
    ledger: int = 0  # what the ledger holds for the year now
    allocation: int = 0  # the yearly allocation still to come
    carry: int = 0  # the carry-over the previous year's remainder would give, while that year is open

    @property
    def total(self) -> int:
        return self.ledger + self.allocation + self.carry

    @property
    def projected(self) -> bool:
        return bool(self.allocation or self.carry)


def projection(employee: Employee, leave_type: LeaveType, year: int, today: dt.date | None = None) -> Projection:
    """The balance of `year` as it will stand once the year is opened (one query when nothing is to come)."""
    today = today or timezone.localdate()
    state = LedgerEntry.objects.filter(employee=employee, leave_type=leave_type, year__in=(year - 1, year)).aggregate(
        total=Sum("days", filter=Q(year=year)),
        allocations=Count("pk", filter=Q(year=year, kind=Kind.ALLOCATION)),
        prev=Sum("days", filter=Q(year=year - 1)),
        prev_rows=Count("pk", filter=Q(year=year - 1)),
        credit=Sum("days", filter=Q(year=year, kind=Kind.DEFERRAL, days__gt=0)),
    )
    result = Projection(year=year, ledger=state["total"] or 0)
    if year > today.year + 1:
        return result  # planned too far ahead: only what the ledger holds
    args = (leave_type, employee.tmt_cpns, employee.employment_type, employee.gender)
    due = entitled(*args, year)
    if not state["allocations"] and due:
        result.allocation = leave_type.yearly_entitlement
    if state["prev_rows"] and due and (state["allocations"] or result.allocation):
        if not LedgerYearClose.objects.filter(employee=employee, leave_type=leave_type, year=year - 1).exists():
            rest = (state["prev"] or 0) - _holds(leave_type, year - 1, [employee.pk]).get(employee.pk, 0)
            extended = employee.pk in extended_history(leave_type, [employee.pk], year - 1)
            result.carry, _expired = split_remainder(leave_type, rest, credit=state["credit"] or 0, extended=extended)
    return result


# --- closing ---------------------------------------------------------------------------------------------------------
@dataclass
class CloseSummary:
    year: int
    closed: int = 0
    already_closed: int = 0
    carried_days: int = 0
    expired_days: int = 0


def close_year(
    *, year: int, employee_ids: list[int] | None = None, today: dt.date | None = None, source: str = "job"
) -> CloseSummary:
    """Close `year` (carry-over and expiry into year + 1) for every active employee or those given. Refused while the
    year is running. Idempotent: an employee and type already closed for the year is skipped."""
    from .services import ledger_types

    today = today or timezone.localdate()
    if not year_ended(year, today):
        raise LeaveError(_("%(year)s has not ended: a year is closed only after its end.") % {"year": year})
    summary = CloseSummary(year=year)
    people = Employee.objects.filter(active=True)
    if employee_ids is not None:
        people = people.filter(pk__in=employee_ids)
    ids = list(people.order_by("pk").values_list("pk", flat=True))
    types = list(ledger_types())
    for i in range(0, len(ids), BATCH):
        with transaction.atomic():
            # the employees' rows first: the one lock order of every balance-changing service
            locked = list(
                Employee.objects.select_for_update(of=("self",))
                .filter(pk__in=ids[i : i + BATCH])
                .order_by("pk")
                .values_list("pk", "tmt_cpns", "employment_type", "gender")
            )
            for lt in types:
                _close_type(lt, year, locked, summary, source)
    return summary


def _close_type(lt: LeaveType, year: int, people: list[tuple], summary: CloseSummary, source: str) -> None:

    pks = [p[0] for p in people]
    ledger = LedgerEntry.objects.filter(leave_type=lt, employee_id__in=pks)
    closed = set(
        LedgerYearClose.objects.filter(leave_type=lt, year=year, employee_id__in=pks).values_list(
            "employee_id", flat=True
        )
    )
    remainder = dict(
        ledger.filter(year=year).values("employee_id").annotate(s=Sum("days")).values_list("employee_id", "s")
    )
    credit = dict(
        ledger.filter(year=year + 1, kind=Kind.DEFERRAL, days__gt=0)
        .values("employee_id")
        .annotate(s=Sum("days"))
        .values_list("employee_id", "s")
    )
    held = _holds(lt, year, pks)
    extended = extended_history(lt, pks, year)
    forfeiting = {}
    if not lt.forfeits_annual_leave:  # a long leave approved in the new year forfeits what is carried into it
        forfeiting = dict(
            LeaveRequest.objects.filter(
                employee_id__in=pks,
                status=LeaveRequest.Status.APPROVED,
                start_date__year=year + 1,
                leave_type__forfeits_annual_leave=True,
            ).values_list("employee_id", "pk")
        )
    now = timezone.now()
    rows, forfeits, closes = [], [], []
    for pk, tmt, employment_type, gender in people:
        if pk in closed:
            summary.already_closed += 1
            continue
        if pk not in remainder:
            continue  # nothing on this year's ledger: nothing to close
        keep = max(min(held.get(pk, 0), remainder[pk]), 0)
        rest = remainder[pk] - keep
        carry = expire = 0
        if rest > 0 and entitled(lt, tmt, employment_type, gender, year + 1):
            carry, expire = split_remainder(lt, rest, credit=credit.get(pk, 0), extended=pk in extended)
        elif rest > 0:
            expire = rest
        if carry:  # out of the closed year and into the next: each year's sum stays meaningful
            rows.append((pk, lt.pk, year, Kind.CARRY_OVER, -carry, f"carried to {year + 1}", now))
            rows.append((pk, lt.pk, year + 1, Kind.CARRY_OVER, carry, f"carried from {year}", now))
            if pk in forfeiting:
                forfeits.append(
                    LedgerEntry(
                        employee_id=pk,
                        leave_type=lt,
                        year=year + 1,
                        kind=Kind.EXPIRY,
                        days=-carry,
                        request_id=forfeiting[pk],
                        reason="forfeited by long leave",
                    )
                )
        if expire:
            rows.append((pk, lt.pk, year, Kind.EXPIRY, -expire, f"carry-over cap {year + 1}", now))
        closes.append(
            LedgerYearClose(
                employee_id=pk,
                leave_type=lt,
                year=year,
                carried=carry,
                expired=expire,
                held=keep,
                extended_cap=pk in extended,
                source=source,
            )
        )
        summary.closed += 1
        summary.carried_days += carry
        summary.expired_days += expire
    insert_rows(LedgerEntry, "employee leave_type year kind days reason created_at".split(), rows)
    LedgerEntry.objects.bulk_create(forfeits)
    LedgerYearClose.objects.bulk_create(closes)


# --- opening ---------------------------------------------------------------------------------------------------------
@dataclass
class YearEndSummary:
    year: int
    employees: int = 0
    allocated: int = 0
    already_allocated: int = 0
    not_eligible: int = 0
    closed: int = 0
    already_closed: int = 0
    carried_days: int = 0
    expired_days: int = 0
    short_requests: int = 0


def year_end(
    *, year: int, employee_ids: list[int] | None = None, today: dt.date | None = None, progress=None
) -> YearEndSummary:
    """The yearly job for `year`: close year − 1 when it has ended, post `year`'s allocation, re-check the pending
    requests of `year` against the balance now on the ledger. Idempotent."""
    from .services import allocate_year

    today = today or timezone.localdate()
    summary = YearEndSummary(year=year)
    if year_ended(year - 1, today):
        closed = close_year(year=year - 1, employee_ids=employee_ids, today=today)
        summary.closed, summary.already_closed = closed.closed, closed.already_closed
        summary.carried_days, summary.expired_days = closed.carried_days, closed.expired_days
    allocation = allocate_year(year=year, employee_ids=employee_ids, progress=progress)
    summary.employees, summary.allocated = allocation.employees, allocation.allocated
    summary.already_allocated, summary.not_eligible = allocation.already_allocated, allocation.not_eligible
    if year <= today.year:
        summary.short_requests = recheck_pending(year=year, employee_ids=employee_ids, today=today)
    return summary


def open_on_demand(employee: Employee, leave_type: LeaveType, year: int, today: dt.date) -> int:
    """The ledger balance of `year` for a submission or decision (called under the employee's lock). When the job has
    not reached this employee in a year that has begun, its own steps run for this employee first: close the previous
    year (it has ended), post the allocation. Two queries when the year is open already."""
    state = LedgerEntry.objects.filter(employee=employee, leave_type=leave_type, year__in=(year - 1, year)).aggregate(
        total=Sum("days", filter=Q(year=year)),
        allocations=Count("pk", filter=Q(year=year, kind=Kind.ALLOCATION)),
        prev_rows=Count("pk", filter=Q(year=year - 1)),
    )
    if year > today.year:
        return state["total"] or 0
    # The close is looked up whatever last year holds: the same queries for every employee's history.
    closed = _is_closed(employee, leave_type, year - 1)
    if state["allocations"] and (not state["prev_rows"] or closed):
        return state["total"] or 0
    year_end(year=year, employee_ids=[employee.pk], today=today)
    return (
        LedgerEntry.objects.filter(employee=employee, leave_type=leave_type, year=year).aggregate(s=Sum("days"))["s"]
        or 0
    )


def _is_closed(employee: Employee, leave_type: LeaveType, year: int) -> bool:
    return LedgerYearClose.objects.filter(employee=employee, leave_type=leave_type, year=year).exists()


def recheck_pending(*, year: int, employee_ids: list[int] | None = None, today: dt.date | None = None) -> int:
    """Pending requests of `year` that no longer fit its balance after the close stay pending; the employee and the
    next actor are told (approval refuses them until they fit). Returns how many requests were flagged."""
    from .services import current_authority, notify_all_about

    pending = LeaveRequest.objects.filter(
        status__in=LeaveRequest.PENDING, start_date__year=year, leave_type__uses_ledger=True
    )
    if employee_ids is not None:
        pending = pending.filter(employee_id__in=employee_ids)
    keys = set(pending.values_list("employee_id", "leave_type_id"))
    flagged = 0
    for employee_id, type_id in sorted(keys):
        balance = (
            LedgerEntry.objects.filter(employee_id=employee_id, leave_type_id=type_id, year=year).aggregate(
                s=Sum("days")
            )["s"]
            or 0
        )
        reqs = list(
            pending.filter(employee_id=employee_id, leave_type_id=type_id)
            .select_related("employee", "employee__user", "leave_type", "official_position")
            .order_by("created_at", "pk")
        )
        if balance - sum(r.hold_days for r in reqs) >= 0:
            continue
        for req in reqs:
            _stage, authority = current_authority(req, today or timezone.localdate())
            title = _("After the year-end close your leave balance no longer covers all your pending requests")
            notify_all_about(
                req,
                (req.employee, "leave.year_close_short", title),
                (authority and authority.employee, "leave.year_close_short", title),
            )
            flagged += 1
        logger.info("leave year %s: pending requests of employee %s exceed the balance", year, employee_id)
    return flagged
