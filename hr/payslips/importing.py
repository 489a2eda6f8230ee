"""Reading and checking a payroll results file (CSV or XLSX). Pure functions over bytes and plain data: no writes.
The file itself is read by `intranet.core.table_files`; this module checks what it holds.

File format (documented in hr/payslips/examples/README.md): a header row, then one row per employee —
``period`` (YYYY-MM), ``nip``, ``name``, one column per catalogue component (its code), ``net``; optionally
``npwp``, ``bank``, ``rekening`` and ``status_keluarga`` (`particulars.py`).
Amounts are whole rupiah. Every problem is reported with its row (the spreadsheet row number, header = row 1),
its column and a hint on how to fix it.
"""

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from hr.org.models import bare_name_key
from hr.payslips import particulars
from hr.payslips.amounts import AmountError, is_single_group, parse_amount, thousands_evidence
from hr.payslips.templatetags.payslips import rupiah
from intranet.core.table_files import (  # noqa: F401 - read_table, FileUnreadable, MAX_PROBLEM_CHARS: this module's API
    MAX_PROBLEM_CHARS,
    FileUnreadable,
    Problem,
    clip,
    column_letter,
    read_table,
    text_cell,
)
from intranet.core.tabular import FORMULA_START

BASE_COLUMNS = ("period", "nip", "name", "net")
ALIASES = {"periode": "period", "nama": "name", "gaji_bersih": "net", "jumlah_bersih": "net"}
MAX_PROBLEMS_KEPT = 1000
DANGEROUS_PREFIXES = FORMULA_START

_PERIOD = re.compile(r"^(\d{4})-(\d{1,2})$")
_NIP = re.compile(r"^\d{18}$")
_FRONT_TITLES = re.compile(r"^(?:(?:prof|dr|drs|dra|ir|hj|drg|apt|ns)\.?\s+|h\.\s*)+", re.IGNORECASE)


# --- Cells ------------------------------------------------------------------------------------------------------------


def parse_period(raw, today: dt.date) -> dt.date:
    if isinstance(raw, dt.datetime | dt.date):
        value = dt.date(raw.year, raw.month, 1)
    else:
        text = ("" if raw is None else str(raw)).strip()
        m = _PERIOD.match(text)
        if not m or not (1 <= int(m.group(2)) <= 12):
            raise AmountError(
                _("'%(v)s' is not a period.") % {"v": text},
                _("Write the period as YYYY-MM, e.g. 2026-10."),
            )
        value = dt.date(int(m.group(1)), int(m.group(2)), 1)
    if value > today.replace(day=1):
        raise AmountError(
            _("The period %(p)s is in the future.") % {"p": value.strftime("%Y-%m")},
            _("Payslips can be published for the current month or earlier."),
        )
    return value


def bare_name(name: str) -> str:
    """The bare name from a name written with titles: 'Dr. Siti Rahma, S.Kom., M.T.' → 'siti rahma'."""
    head = name.split(",", 1)[0]
    return bare_name_key(_FRONT_TITLES.sub("", head.strip()))


# --- Checking ---------------------------------------------------------------------------------------------------------


@dataclass
class ParsedRow:
    row: int
    nip: str
    name: str
    amounts: dict  # code -> Decimal
    gross: Decimal
    deductions: Decimal
    net: Decimal
    particulars: dict = field(default_factory=dict)


@dataclass
class ParsedFile:
    period: dt.date | None = None
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(problem)


def check_header(raw_header: list, components: dict) -> tuple[dict, list[Problem]]:
    """Map each column index to 'period'/'nip'/'name'/'net' or a component code. `components` maps code → Component
    (all of them, active or not); active ones are required."""
    problems: list[Problem] = []
    columns: dict[int, str] = {}
    seen: dict[str, int] = {}
    for idx, cell in enumerate(raw_header):
        name = text_cell(cell).lstrip("\ufeff").strip().lower().replace(" ", "_")
        if not name:
            continue
        name = particulars.ALIASES.get(name, ALIASES.get(name, name))
        letter = column_letter(idx)
        if name not in BASE_COLUMNS and name not in components and name not in particulars.COLUMNS:
            problems.append(
                Problem(
                    1,
                    text_cell(cell) or letter,
                    _("Unknown column '%(c)s' (column %(l)s).") % {"c": text_cell(cell), "l": letter},
                    _("Use the component codes of the catalogue; rename or remove this column."),
                )
            )
            continue
        if name in seen:
            problems.append(
                Problem(
                    1,
                    name,
                    _("Column '%(c)s' appears twice (columns %(a)s and %(b)s).")
                    % {"c": name, "a": column_letter(seen[name]), "b": letter},
                    _("Keep one of them."),
                )
            )
            continue
        seen[name] = idx
        columns[idx] = name
    required = list(BASE_COLUMNS) + [code for code, c in components.items() if c.active]
    for name in required:
        if name not in seen:
            problems.append(
                Problem(
                    1,
                    name,
                    _("Required column '%(c)s' is missing.") % {"c": name},
                    _("Add the column to the header row (an empty cell means 0 for a component)."),
                )
            )
    return columns, problems


def parse_rows(
    header: list,
    rows: Iterator[tuple[int, list]],
    *,
    components: dict,
    today: dt.date,
    progress: Callable[[int], None] | None = None,
) -> ParsedFile:
    """Check every row on its own (format, amounts, sums, duplicates, one period per file). Employee checks follow in
    `check_employees` with the database."""
    result = ParsedFile()
    columns, header_problems = check_header(header, components)
    for p in header_problems:
        result.add(p)
    if header_problems:
        return result
    index = {name: idx for idx, name in columns.items()}
    optional = [(name, idx) for idx, name in columns.items() if name in particulars.COLUMNS]
    extras: dict[int, dict] = {}  # row → the optional columns' values, attached to the rows kept
    comp_cols = [(name, components[name].kind == "earning") for idx, name in columns.items() if name in components]
    amount_cols = [idx for idx, name in columns.items() if name in components] + [index["net"]]
    evidence: dict[str, int] = {}  # thousands separator → first row showing it
    deferred: list[tuple] = []
    width = len(header)
    seen_nips: dict[str, int] = {}
    period_row: int | None = None
    counter = 0
    for n, row in rows:
        counter += 1
        if progress and counter % 2000 == 0:
            progress(counter)
        if not any(c is not None and str(c).strip() for c in row):
            continue
        bad = False
        if len(row) > width and any(c is not None and str(c).strip() for c in row[width:]):
            result.add(
                Problem(
                    n,
                    column_letter(width),
                    _("The row has more cells than the header."),
                    _("Remove the extra cells or add a column header."),
                )
            )
            bad = True
        row = list(row) + [None] * (width - len(row))

        # period
        try:
            period = parse_period(row[index["period"]], today)
        except AmountError as exc:
            result.add(Problem(n, "period", exc.message, exc.hint))
            bad, period = True, None
        if period is not None:
            if result.period is None:
                result.period, period_row = period, n
            elif period != result.period:
                result.add(
                    Problem(
                        n,
                        "period",
                        _("Period %(p)s differs from %(first)s on row %(row)s.")
                        % {"p": period.strftime("%Y-%m"), "first": result.period.strftime("%Y-%m"), "row": period_row},
                        _("One file holds one month: split the file by period."),
                    )
                )
                bad = True

        # nip
        raw_nip = row[index["nip"]]
        nip = text_cell(raw_nip).replace(" ", "").lstrip("'")
        if isinstance(raw_nip, int | float | Decimal) and not isinstance(raw_nip, bool):
            # A spreadsheet keeps 15 significant digits of a number: an 18-digit NIP stored as one has lost some.
            result.add(
                Problem(
                    n,
                    "nip",
                    _("The NIP column is formatted as a number, so the spreadsheet may have changed the NIP (%(v)s).")
                    % {"v": nip[:40]},
                    _("Format the NIP column as text, enter the NIPs again and save the file."),
                )
            )
            bad = True
        elif not _NIP.match(nip):
            result.add(
                Problem(
                    n,
                    "nip",
                    _("'%(v)s' is not an 18-digit NIP.") % {"v": nip[:40]},
                    _("Format the NIP column as text so that no digits are lost."),
                )
            )
            bad = True
        elif nip in seen_nips:
            result.add(
                Problem(
                    n,
                    "nip",
                    _("NIP %(nip)s already appears on row %(row)s.") % {"nip": nip, "row": seen_nips[nip]},
                    _("Each employee has one row per period; remove the duplicate."),
                )
            )
            bad = True
        else:
            seen_nips[nip] = n

        # name
        name = text_cell(row[index["name"]])
        if not name:
            result.add(Problem(n, "name", _("The name is empty."), _("Fill in the employee's name.")))
            bad = True
        elif name.startswith(DANGEROUS_PREFIXES):
            result.add(
                Problem(
                    n,
                    "name",
                    _("The name starts with =, +, - or @ and could run as a formula in a spreadsheet."),
                    _("Remove the leading character."),
                )
            )
            bad = True

        for column, idx in optional:
            try:
                value = particulars.check(column, text_cell(row[idx]))
            except AmountError as exc:
                result.add(Problem(n, column, exc.message, exc.hint))
                bad = True
            else:
                if value:
                    extras.setdefault(n, {})[column] = value

        cells, single_group = [row[idx] for idx in amount_cols], False
        for raw in cells:
            if type(raw) is str and not raw.isdigit():  # plain digits and spreadsheet numbers show no separator
                if sep := thousands_evidence(raw):
                    evidence.setdefault(sep, n)
                single_group = single_group or is_single_group(raw)
        if single_group:  # read once the whole file has shown its thousands separator
            deferred.append((n, nip, name, bad, cells))
            continue
        _add_row(result, n, nip, name, bad, cells, comp_cols, thousands=None)
    seps = evidence.keys()
    for n, nip, name, bad, cells in deferred:
        _add_row(
            result,
            n,
            nip,
            name,
            bad,
            cells,
            comp_cols,
            thousands=next(iter(seps)) if len(seps) == 1 else None,
            conflicting=len(seps) > 1,
        )
    if deferred:
        result.rows.sort(key=lambda r: r.row)
        result.problems.sort(key=lambda p: p.row or 0)
    for r in result.rows if extras else ():
        r.particulars = extras.get(r.row, {})
    if progress:
        progress(counter)
    if not result.rows and not result.problem_count:
        result.add(Problem(None, "", _("The file has no data rows."), _("Add one row per employee below the header.")))
    return result


def _add_row(
    result: ParsedFile,
    n: int,
    nip: str,
    name: str,
    bad: bool,
    cells: list,
    comp_cols: list,
    *,
    thousands: str | None,
    conflicting: bool = False,
) -> None:
    """Read a row's amounts (component cells in `comp_cols` order, then net) and keep the row when nothing is wrong."""
    amounts: dict[str, Decimal] = {}
    gross = deductions = Decimal(0)
    for (code, is_earning), raw in zip(comp_cols, cells, strict=False):
        try:
            value = parse_amount(raw, thousands, conflicting=conflicting)
        except AmountError as exc:
            result.add(Problem(n, code, exc.message, exc.hint))
            bad = True
            continue
        if value is None:
            continue
        if value < 0:
            result.add(
                Problem(
                    n,
                    code,
                    (_("Earnings cannot be negative (%(v)s).") if is_earning else _("Deduction is negative (%(v)s)."))
                    % {"v": rupiah(value)},
                    _("Correct the payroll result; earnings are never negative.")
                    if is_earning
                    else _("Enter deductions as positive amounts; they are subtracted from the earnings."),
                )
            )
            bad = True
            continue
        if value:
            amounts[code] = value
        if is_earning:
            gross += value
        else:
            deductions += value
    try:
        net = parse_amount(cells[-1], thousands, conflicting=conflicting)
    except AmountError as exc:
        result.add(Problem(n, "net", exc.message, exc.hint))
        bad, net = True, None
    else:
        if net is None:
            result.add(Problem(n, "net", _("The net pay is empty."), _("Fill in the net pay (take-home pay).")))
            bad = True
    if not bad and net != gross - deductions:
        result.add(
            Problem(
                n,
                "net",
                _("Earnings %(g)s − deductions %(d)s = %(c)s, but the net column says %(n)s.")
                % {"g": rupiah(gross), "d": rupiah(deductions), "c": rupiah(gross - deductions), "n": rupiah(net)},
                _("Export the payroll results again; the components and the net pay must agree to the rupiah."),
            )
        )
        bad = True
    if not bad:
        result.rows.append(ParsedRow(n, nip, name, amounts, gross, deductions, net))


@dataclass
class EmployeeRef:
    pk: int
    nip: str
    sort_name: str
    full_name: str
    unit_name: str
    position_name: str
    grade: str
    user_id: int | None
    active: bool = True


def check_employees(parsed: ParsedFile, *, in_scope: dict[str, EmployeeRef]) -> None:
    """A NIP that is not in the importer's scope, NIP/name mismatch. Adds problems to `parsed`. An unknown NIP and
    one outside the scope get the same message: the import must not tell whether a NIP exists elsewhere."""
    for r in parsed.rows:
        ref = in_scope.get(r.nip)
        if ref is None:
            parsed.add(
                Problem(
                    r.row,
                    "nip",
                    _("NIP %(nip)s is not an employee in your payroll scope.") % {"nip": r.nip},
                    _(
                        "Check the NIP against the employee directory; rows of other units are imported by their "
                        "payroll officer."
                    ),
                )
            )
            continue
        if bare_name(r.name) != ref.sort_name:
            parsed.add(
                Problem(
                    r.row,
                    "name",
                    _("NIP %(nip)s belongs to %(expected)s, not %(given)s.")
                    % {"nip": r.nip, "expected": ref.full_name, "given": r.name[:100]},
                    _("Check that the NIP and name are on the same row."),
                )
            )
