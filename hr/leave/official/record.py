"""Catatan cuti (section V of the form): the N-2 / N-1 / N table of annual leave and what was taken of the other
types, read from the ledger and the requests.

Which year a remaining day belongs to is decided first in, first out: a carry-over moves days into the next year
without changing their year of origin, and every debit (leave taken, expiry, a negative adjustment, the carry-over
out of the last year shown) spends the oldest days first, as an HR officer counts them (last year's days go before
this year's). Days older than N-2 are shown with N-2. The three rows add up to the ledger balances of the three years
(a closed year's balance is zero, or the days it still holds for a pending request)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from hr.leave.models import LeaveRequest, LeaveType, LedgerEntry
from hr.org.models import Employee

Kind = LedgerEntry.Kind


@dataclass
class AnnualRow:
    label: str  # "N-2", "N-1", "N"
    year: int
    remaining: int
    note: str = ""


@dataclass
class OtherType:
    number: int
    name: str
    note: str


def remaining_by_origin(entries: list[LedgerEntry], year: int) -> dict[int, int]:
    """Days left of years N-2, N-1 and N (`year` = N) after `entries` (ledger rows of those three years), first in,
    first out. Carry-overs inside the window move days, they neither add nor spend them."""
    first = year - 2
    lots = {first: 0, year - 1: 0, year: 0}
    for e in sorted(entries, key=lambda e: (e.year, e.created_at, e.pk)):
        if e.kind == Kind.CARRY_OVER and ((e.days < 0 and e.year < year) or (e.days > 0 and e.year > first)):
            continue  # a transfer between two years of the window
        if e.days >= 0:
            origin = e.year - 1 if e.kind in (Kind.CARRY_OVER, Kind.DEFERRAL) else e.year
            lots[max(origin, first)] += e.days
            continue
        debit = -e.days
        for origin in sorted(lots):
            if origin > e.year or debit == 0:
                break
            spent = min(max(lots[origin], 0), debit)
            lots[origin] -= spent
            debit -= spent
        lots[e.year] -= debit  # more spent than held: shown where it was spent
    return lots


def annual_type() -> LeaveType | None:
    return LeaveType.objects.filter(uses_ledger=True, active=True).order_by("sort_order", "code").first()


def annual_table(employee: Employee, year: int, *, excluding: LeaveRequest | None = None) -> list[AnnualRow]:
    """The N-2 / N-1 / N rows for `employee` with N = `year`, before `excluding` (the request the form is for: its
    own usage and reversal are left out, so the form shows what the employee had when asking)."""
    leave_type = annual_type()
    entries: list[LedgerEntry] = []
    if leave_type is not None:
        qs = LedgerEntry.objects.filter(employee=employee, leave_type=leave_type, year__range=(year - 2, year))
        if excluding is not None:
            qs = qs.exclude(Q(request=excluding) | Q(reverses__request=excluding))
        entries = list(qs.only("year", "kind", "days", "created_at"))
    lots = remaining_by_origin(entries, year)
    allocated = any(e.kind == Kind.ALLOCATION and e.year == year for e in entries)
    rows = []
    for label, y in (("N-2", year - 2), ("N-1", year - 1), ("N", year)):
        note = "" if y != year or allocated or not entries else "hak tahun ini belum dibukukan"
        rows.append(AnnualRow(label=label, year=y, remaining=lots[y], note=note))
    return rows


# The six types of the annex, in its order (section II of the form); cuti bersama is not requested.
ANNEX_TYPES = (
    ("tahunan", "Cuti Tahunan"),
    ("besar", "Cuti Besar"),
    ("sakit", "Cuti Sakit"),
    ("melahirkan", "Cuti Melahirkan"),
    ("alasan-penting", "Cuti Karena Alasan Penting"),
    ("cltn", "Cuti di Luar Tanggungan Negara"),
)


def other_types(employee: Employee, year: int, *, excluding: LeaveRequest | None = None) -> list[OtherType]:
    """Rows 2–6 of the catatan cuti: the approved leave of each other type taken in `year` (without `excluding`)."""
    taken: dict[str, list[LeaveRequest]] = {}
    qs = (
        LeaveRequest.objects.filter(employee=employee, status=LeaveRequest.Status.APPROVED, start_date__year=year)
        .select_related("leave_type")
        .order_by("start_date")
    )
    if excluding is not None:
        qs = qs.exclude(pk=excluding.pk)
    for r in qs:
        taken.setdefault(r.leave_type.code, []).append(r)
    rows = []
    for number, (code, name) in enumerate(ANNEX_TYPES[1:], start=2):
        done = taken.get(code, [])
        note = "; ".join(f"{_short(r.start_date)}–{_short(r.end_date)} ({r.days} hari)" for r in done) or "-"
        rows.append(OtherType(number=number, name=name, note=note))
    return rows


def _short(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")
