"""Opening balances of annual leave for the two years before go-live (N − 1 and N − 2), imported by an HR officer from
a CSV or XLSX file, all or nothing.

Why: the carry-over cap of 24 days needs an entitlement in each of the two previous years with none of it taken (PP
11/2017, see README); without that history an employee gets the cap of 18. The import records that history on the
ledger, so the first year-end close after go-live is right.

File: a header row, then one row per employee and year — ``nip``, ``year`` (``tahun``), ``entitlement`` (``hak``:
the year's annual leave entitlement, 0 when the employee had none), ``taken`` (``diambil``: days of annual leave taken
that year), optionally ``carried`` (``dibawa``: days carried into that year from the year before). Reading (encodings,
sizes, formulas) is shared with the payroll import (`intranet.core.table_files`); every problem names its row and column.

Posting: for each row an allocation (+entitlement), a carry-over (+carried) and a usage (−taken) in that year, marked
"opening balance". Year N − 2 is recorded as closed (its remainder is what the imported carry-over of N − 1 says);
year N − 1 is closed by the year-end job like any ended year. A year already on the ledger or already closed for an
employee is refused, as are employees outside the officer's HR scope and the officer's own record.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hr.org.duties import refused_own_record
from hr.org.models import Employee
from hr.org.selectors import employees_in_scope
from intranet.audit.services import audit_record
from intranet.core.table_files import FileUnreadable, Problem, column_letter, read_table, text_cell
from intranet.core.tabular import FORMULA_START

from .errors import LeaveError
from .models import LeaveType, LedgerEntry, LedgerYearClose

COLUMNS = ("nip", "year", "entitlement", "taken", "carried")
REQUIRED = ("nip", "year", "entitlement", "taken")
ALIASES = {"tahun": "year", "hak": "entitlement", "diambil": "taken", "dibawa": "carried"}
MAX_BYTES = 5 * 1024 * 1024
MAX_PROBLEMS = 500
_NIP = re.compile(r"^\d{18}$")
Kind = LedgerEntry.Kind


@dataclass
class OpeningRow:
    row: int
    nip: str
    year: int
    entitlement: int
    taken: int
    carried: int
    employee_id: int = 0


@dataclass
class OpeningFile:
    rows: list[OpeningRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def add(self, row, column, message, hint=""):
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, message, hint))


def annual_type() -> LeaveType:
    return (
        LeaveType.objects.filter(uses_ledger=True, active=True, forfeits_annual_leave=False)
        .order_by("sort_order")
        .first()
    )


def _whole(raw, column: str, n: int, result: OpeningFile, *, low: int, high: int, required: bool = True) -> int | None:
    text = text_cell(raw)
    if not text:
        if required:
            result.add(n, column, _("The cell is empty."), _("Write a whole number of days (0 when none)."))
            return None
        return 0
    if text.startswith(FORMULA_START) and not text.lstrip("-").isdigit():
        result.add(n, column, _("The cell holds a formula."), _("Paste values only (no formulas)."))
        return None
    if not re.fullmatch(r"\d{1,4}", text):
        result.add(
            n, column, _("'%(v)s' is not a whole number of days.") % {"v": text[:20]}, _("Write digits only, e.g. 12.")
        )
        return None
    value = int(text)
    if not low <= value <= high:
        result.add(
            n,
            column,
            _("%(v)s is outside %(low)s–%(high)s.") % {"v": value, "low": low, "high": high},
            _("Check the value against the employee's leave card."),
        )
        return None
    return value


def parse(data: bytes, file_format: str, *, today: dt.date, leave_type: LeaveType) -> OpeningFile:
    """Check the file's format and every row on its own (no database)."""
    result = OpeningFile()
    try:
        table = read_table(data, file_format)
        index = _column_index(table.header, result)
        if result.problems:
            return result
        seen: dict[tuple[str, int], int] = {}
        for n, cells in table.rows:
            cells = list(cells) + [None] * (len(table.header) - len(cells))
            if any(text_cell(c) for c in cells):
                _parse_row(n, cells, index, result, seen, years=(today.year - 2, today.year - 1), leave_type=leave_type)
    except FileUnreadable as exc:
        result.problems.append(exc.problem)
    if not result.rows and not result.problems:
        result.add(None, "", _("The file has no data rows."), _("Add one row per employee and year below the header."))
    return result


def _column_index(header, result: OpeningFile) -> dict[str, int]:
    """Column name → position, with a problem for each unknown, repeated or missing column."""
    index: dict[str, int] = {}
    for idx, cell in enumerate(header):
        name = text_cell(cell).lstrip("\ufeff").strip().lower().replace(" ", "_")
        name = ALIASES.get(name, name)
        if not name:
            continue
        if name not in COLUMNS:
            result.add(1, column_letter(idx), _("Unknown column '%(c)s'.") % {"c": name[:40]}, _("Remove it."))
        elif name in index:
            result.add(1, name, _("Column '%(c)s' appears twice.") % {"c": name}, _("Keep one of them."))
        else:
            index[name] = idx
    for name in REQUIRED:
        if name not in index:
            result.add(1, name, _("Required column '%(c)s' is missing.") % {"c": name}, _("Add it to the header."))
    return index


def _parse_row(n, cells, index, result: OpeningFile, seen: dict, *, years: tuple[int, int], leave_type: LeaveType):
    """One data row: checked on its own, then against the rows before it (one per employee and year)."""
    cap = max(leave_type.deferral_max, leave_type.carry_over_extended_max, leave_type.yearly_entitlement)
    nip = text_cell(cells[index["nip"]])
    if not _NIP.match(nip):
        result.add(n, "nip", _("'%(v)s' is not an 18-digit NIP.") % {"v": nip[:30]}, _("Write the NIP as text."))
    year = _whole(cells[index["year"]], "year", n, result, low=0, high=9999)
    if year is not None and year not in years:
        result.add(
            n,
            "year",
            _("Opening balances are for %(a)s and %(b)s only, not %(y)s.") % {"a": years[0], "b": years[1], "y": year},
            _("Later years are on the ledger already; use an HR adjustment."),
        )
        year = None
    entitlement = _whole(
        cells[index["entitlement"]], "entitlement", n, result, low=0, high=leave_type.yearly_entitlement
    )
    carried = _whole(
        cells[index["carried"]] if "carried" in index else None,
        "carried",
        n,
        result,
        low=0,
        high=max(cap - leave_type.yearly_entitlement, 0),
        required=False,
    )
    taken = _whole(cells[index["taken"]], "taken", n, result, low=0, high=cap)
    if None in (year, entitlement, carried, taken) or not _NIP.match(nip):
        return
    if taken > entitlement + carried:
        result.add(
            n,
            "taken",
            _("%(t)s days taken exceed the %(a)s days the year held.") % {"t": taken, "a": entitlement + carried},
            _("Check the entitlement, carried and taken days."),
        )
        return
    if (nip, year) in seen:
        result.add(
            n,
            "nip",
            _("NIP %(nip)s and %(y)s already appear in row %(r)s.") % {"nip": nip, "y": year, "r": seen[(nip, year)]},
            _("Keep one row per employee and year."),
        )
        return
    seen[(nip, year)] = n
    result.rows.append(OpeningRow(n, nip, year, entitlement, taken, carried))


def _check_employees(parsed: OpeningFile, user, leave_type: LeaveType) -> None:
    """Scope, own record, and years already on the ledger or closed (read under the employees' locks)."""
    scope = dict(employees_in_scope(user).filter(nip__in={r.nip for r in parsed.rows}).values_list("nip", "pk"))
    own = getattr(getattr(user, "employee", None), "pk", None)
    for r in parsed.rows:
        r.employee_id = scope.get(r.nip, 0)
        if not r.employee_id:
            parsed.add(
                r.row,
                "nip",
                _("NIP %(nip)s is not an employee in your HR scope.") % {"nip": r.nip},
                _("Rows of other units are imported by their HR officer."),
            )
        elif r.employee_id == own:
            refused_own_record(user, own, act="leave.opening.import")
            parsed.add(
                r.row, "nip", _("Row %(row)s is your own record.") % {"row": r.row}, _("Another HR officer imports it.")
            )
    ids = [r.employee_id for r in parsed.rows if r.employee_id]
    list(Employee.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk").values_list("pk"))
    on_ledger = set(
        LedgerEntry.objects.filter(employee_id__in=ids, leave_type=leave_type, year__in={r.year for r in parsed.rows})
        .values_list("employee_id", "year")
        .distinct()
    )
    closed = set(
        LedgerYearClose.objects.filter(employee_id__in=ids, leave_type=leave_type).values_list("employee_id", "year")
    )
    for r in parsed.rows:
        if (r.employee_id, r.year) in on_ledger or (r.employee_id, r.year) in closed:
            parsed.add(
                r.row,
                "year",
                _("NIP %(nip)s already has annual leave on the ledger for %(y)s.") % {"nip": r.nip, "y": r.year},
                _("Opening balances are imported once, before the year-end job; correct with an HR adjustment."),
            )


def import_opening(*, upload, user, today: dt.date | None = None) -> OpeningFile:
    """Check the whole file and post every row, or post nothing and return the problems. One transaction."""
    today = today or timezone.localdate()
    name = (getattr(upload, "name", "") or "").lower()
    file_format = "xlsx" if name.endswith(".xlsx") else "csv" if name.endswith(".csv") else ""
    if not file_format:
        raise LeaveError(_("Upload a .csv or .xlsx file."), "file")
    if upload.size > MAX_BYTES:
        raise LeaveError(_("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}, "file")
    leave_type = annual_type()
    if leave_type is None:
        raise LeaveError(_("No annual leave type is kept on the ledger."))
    parsed = parse(upload.read(), file_format, today=today, leave_type=leave_type)
    if parsed.problems:
        return parsed
    with transaction.atomic():
        _check_employees(parsed, user, leave_type)
        if parsed.problems:
            return parsed
        entries, closes = [], []
        for r in parsed.rows:
            common = {"employee_id": r.employee_id, "leave_type": leave_type, "year": r.year, "created_by": user}
            for kind, days in ((Kind.ALLOCATION, r.entitlement), (Kind.CARRY_OVER, r.carried), (Kind.USAGE, -r.taken)):
                if days:
                    entries.append(LedgerEntry(kind=kind, days=days, reason="opening balance", **common))
            if r.year == today.year - 2:
                closes.append(
                    LedgerYearClose(employee_id=r.employee_id, leave_type=leave_type, year=r.year, source="import")
                )
        LedgerEntry.objects.bulk_create(entries)
        LedgerYearClose.objects.bulk_create(closes)
        audit_record(
            action="leave.opening.import",
            actor=user,
            details={"rows": len(parsed.rows), "employees": len({r.employee_id for r in parsed.rows})},
        )
    return parsed
