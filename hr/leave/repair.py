"""Repair of years closed early: before the year-end job existed, planning next year's leave in December ran the
next year's allocation at once, carrying this year's remainder over and expiring the rest while the year was running.

Such a close is recognised on the ledger: a carry-over out of year Y or an expiry of Y without a request (the close's
entries) posted before Y ended, or a carry-over into Y + 1 posted before Y ended. The repair reverses those entries
(the ledger is never edited: each gets a reversal entry that names it), then closes Y again with the year-end job's own
rules when Y has ended, and re-checks Y + 1's pending requests. `manage.py leave_repair_year_close` reports every
employee changed; it writes only with `--apply`, in one transaction.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from hr.org.models import Employee

from .models import LedgerEntry, LedgerYearClose
from .yearend import close_year, recheck_pending, year_ended

Kind = LedgerEntry.Kind


@dataclass
class Repaired:
    employee: Employee
    leave_type_id: int
    year: int  # the year that was closed early
    early_carried: int = 0
    early_expired: int = 0
    carried: int | None = None  # after the repair (None: the year has not ended, it stays open for the job)
    expired: int | None = None
    balance_before: dict = field(default_factory=dict)  # {year: balance}
    balance_after: dict = field(default_factory=dict)


def early_entries():
    """The entries of closes posted before the closed year ended, not reversed yet."""
    posted = LedgerEntry.objects.annotate(posted_year=ExtractYear("created_at")).filter(reversed_by__isnull=True)
    return posted.filter(
        Q(kind=Kind.CARRY_OVER, days__lt=0, posted_year__lte=F("year"))
        | Q(kind=Kind.EXPIRY, request__isnull=True, posted_year__lte=F("year"))
        | Q(kind=Kind.CARRY_OVER, days__gt=0, posted_year__lt=F("year"))
    )


def _balances(employee_id: int, leave_type_id: int, years) -> dict:
    rows = LedgerEntry.objects.filter(employee_id=employee_id, leave_type_id=leave_type_id, year__in=years)
    found = dict(rows.values("year").annotate(s=Sum("days")).values_list("year", "s"))
    return {y: found.get(y, 0) for y in years}


def repair_early_closes(*, apply: bool = False, today: dt.date | None = None, user=None) -> list[Repaired]:
    """Find and rebuild every early close. Without `apply` the same work runs and is rolled back, so the report shows
    what `apply` would do."""
    today = today or timezone.localdate()
    with transaction.atomic():
        groups: dict[tuple[int, int, int], list[LedgerEntry]] = {}
        for entry in early_entries().order_by("employee_id", "leave_type_id", "year", "pk"):
            closed = entry.year - 1 if entry.kind == Kind.CARRY_OVER and entry.days > 0 else entry.year
            groups.setdefault((entry.employee_id, entry.leave_type_id, closed), []).append(entry)
        people = Employee.objects.select_for_update(of=("self",)).in_bulk({k[0] for k in groups})
        report = []
        for (employee_id, type_id, year), entries in sorted(groups.items()):
            years = (year, year + 1)
            item = Repaired(employee=people[employee_id], leave_type_id=type_id, year=year)
            item.balance_before = _balances(employee_id, type_id, years)
            for e in entries:
                if e.kind == Kind.CARRY_OVER and e.days < 0:
                    item.early_carried += -e.days
                elif e.kind == Kind.EXPIRY:
                    item.early_expired += -e.days
                LedgerEntry.objects.create(
                    employee_id=employee_id,
                    leave_type_id=type_id,
                    year=e.year,
                    kind=Kind.REVERSAL,
                    days=-e.days,
                    reverses=e,
                    reason=f"early close of {year} reversed",
                    created_by=user,
                )
            LedgerYearClose.objects.filter(employee_id=employee_id, leave_type_id=type_id, year=year).delete()
            report.append(item)
        for item in report:
            if year_ended(item.year, today):
                close_year(year=item.year, employee_ids=[item.employee.pk], today=today, source="repair")
                done = LedgerYearClose.objects.filter(
                    employee=item.employee, leave_type_id=item.leave_type_id, year=item.year
                ).first()
                if done is not None:
                    item.carried, item.expired = done.carried, done.expired
                if item.year + 1 <= today.year:
                    recheck_pending(year=item.year + 1, employee_ids=[item.employee.pk], today=today)
            item.balance_after = _balances(item.employee.pk, item.leave_type_id, (item.year, item.year + 1))
        if not apply:
            transaction.set_rollback(True)
    return report
