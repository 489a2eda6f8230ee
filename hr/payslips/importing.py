"""Reading and checking a payroll results file (CSV or XLSX). Pure functions over bytes and plain data: no writes.

File format (documented in hr/payslips/examples/README.md): a header row, then one row per employee —
``period`` (YYYY-MM), ``nip``, ``name``, one column per catalogue component (its code), ``net``; optionally
``npwp``, ``bank``, ``rekening`` and ``status_keluarga`` (`particulars.py`).
Amounts are whole rupiah. Every problem is reported with its row (the spreadsheet row number, header = row 1),
its column and a hint on how to fix it.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.utils.translation import gettext as _

from hr.org.models import bare_name_key
from hr.payslips import particulars
from hr.payslips.amounts import AmountError, is_single_group, parse_amount, thousands_evidence
from hr.payslips.templatetags.payslips import rupiah
from intranet.core.safezip import XLSX_READ_LIMITS, UnsafeArchive, check_archive
from intranet.core.tabular import FORMULA_START

BASE_COLUMNS = ("period", "nip", "name", "net")
ALIASES = {"periode": "period", "nama": "name", "gaji_bersih": "net", "jumlah_bersih": "net"}
MAX_PROBLEMS_KEPT = 1000
MAX_ROWS = 200_000  # a ministry's whole payroll is well below this
MAX_COLUMNS = 500
MAX_CELL_CHARS = 1000  # names with titles, NIPs and amounts are far shorter
MAX_PROBLEM_CHARS = 300  # stored problem text never copies a whole cell
DANGEROUS_PREFIXES = FORMULA_START

_PERIOD = re.compile(r"^(\d{4})-(\d{1,2})$")
_NIP = re.compile(r"^\d{18}$")
_FRONT_TITLES = re.compile(r"^(?:(?:prof|dr|drs|dra|ir|hj|drg|apt|ns)\.?\s+|h\.\s*)+", re.IGNORECASE)


@dataclass
class Problem:
    row: int | None
    column: str
    message: str
    hint: str = ""

    def __post_init__(self):
        self.column, self.message, self.hint = clip(self.column, 80), clip(self.message), clip(self.hint)

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": self.message, "hint": self.hint}


def clip(text, limit: int = MAX_PROBLEM_CHARS) -> str:
    text = "" if text is None else str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class FileUnreadable(Exception):
    """The file as a whole cannot be read (encoding, format). Carries one Problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem

    def __reduce__(self):  # picklable with its problem (task results, worker processes)
        return type(self), (self.problem,)


# --- Reading ----------------------------------------------------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """UTF-8 with or without BOM; anything else is refused with a clear message (never guessed)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileUnreadable(
            Problem(
                None,
                "",
                _("The file is encoded as UTF-16, which is not accepted."),
                _("Save it again as 'CSV UTF-8 (comma delimited)'."),
            )
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileUnreadable(
            Problem(
                line,
                "",
                _("The file is not valid UTF-8 text (first bad byte on line %(line)s).") % {"line": line},
                _("Save it again as 'CSV UTF-8 (comma delimited)' in your spreadsheet or payroll system."),
            )
        ) from None


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _lines(text: str) -> Iterator[str]:
    """The lines of `text` with their endings, as slices (io.StringIO would hold a second, 4-byte-per-character copy)."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        stop = end if stop == -1 else stop + 1
        yield text[start:stop]
        start = stop


class Table(NamedTuple):
    header: list
    rows: Iterator[tuple[int, list]]
    estimate: int  # data rows, estimated
    sheet: str = ""  # the worksheet read (XLSX): the first one
    sheet_count: int = 0


def read_csv(data: bytes) -> Table:
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(_lines(text), delimiter=_sniff_delimiter(first_line))
    try:
        header = _bounded(1, next(reader))
    except StopIteration:
        raise FileUnreadable(Problem(1, "", _("The file is empty."), _("Export the payroll results again."))) from None
    except csv.Error as exc:
        raise FileUnreadable(Problem(1, "", _("The header row cannot be read: %(e)s") % {"e": exc}, "")) from None

    def rows():
        n = 1
        try:
            for row in reader:
                n += 1
                yield n, _bounded(n, row)
        except csv.Error as exc:
            raise FileUnreadable(
                Problem(
                    n + 1,
                    "",
                    _("Row %(row)s cannot be read as CSV: %(e)s") % {"row": n + 1, "e": exc},
                    _("Check for an unbalanced quote character."),
                )
            ) from None

    return Table(header, rows(), max(text.count("\n") - 1, 0))


def read_xlsx(data: bytes) -> Table:
    """Streamed (read-only) after the archive passed `check_archive`; the sheet's declared dimensions are ignored (a
    forged one would pad every row to 16,384 cells) and rows, columns and cell lengths are bounded."""
    import zipfile

    from openpyxl import load_workbook

    unreadable = FileUnreadable(
        Problem(None, "", _("The file is not a readable XLSX workbook."), _("Save it as Excel Workbook (.xlsx)."))
    )
    try:
        check_archive(data, XLSX_READ_LIMITS)
    except UnsafeArchive as exc:
        raise FileUnreadable(Problem(None, "", clip(exc.message), _("Save it as Excel Workbook (.xlsx)."))) from None
    except zipfile.BadZipFile:
        raise unreadable from None
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        ws = wb.worksheets[0]
    except (zipfile.BadZipFile, KeyError, IndexError, ValueError, TypeError, OSError, SyntaxError):
        raise unreadable from None
    estimate = min(max((ws.max_row or 1) - 1, 0), MAX_ROWS)
    ws.reset_dimensions()
    it = ws.iter_rows(values_only=True)

    def cells():
        try:
            for n, row in enumerate(it, start=1):
                yield n, _bounded(n, list(row))
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError, SyntaxError):
            raise unreadable from None
        finally:
            wb.close()

    all_rows = cells()
    try:
        _n, header = next(all_rows)
    except StopIteration:
        raise FileUnreadable(Problem(1, "", _("The file is empty."), _("Export the payroll results again."))) from None
    return Table(header, all_rows, estimate, clip(ws.title, 100), len(wb.sheetnames))


def _bounded(n: int, row: list) -> list:
    """Refuse a row beyond MAX_ROWS, wider than MAX_COLUMNS or with a cell longer than MAX_CELL_CHARS."""
    if n > MAX_ROWS + 1:
        raise FileUnreadable(
            Problem(
                n,
                "",
                _("The file has more than %(max)s data rows.") % {"max": MAX_ROWS},
                _("Split the file by unit."),
            )
        )
    if len(row) > MAX_COLUMNS:
        raise FileUnreadable(
            Problem(
                n,
                "",
                _("Row %(row)s has more than %(max)s cells.") % {"row": n, "max": MAX_COLUMNS},
                _("Remove the extra columns."),
            )
        )
    for idx, cell in enumerate(row):
        if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
            raise FileUnreadable(
                Problem(
                    n,
                    column_letter(idx),
                    _("The cell in row %(row)s, column %(col)s holds %(n)s characters; at most %(max)s are accepted.")
                    % {"row": n, "col": column_letter(idx), "n": len(cell), "max": MAX_CELL_CHARS},
                    _("Payroll cells hold short values: check that the right sheet was exported."),
                )
            )
    return row


def read_table(data: bytes, file_format: str) -> Table:
    """Header cells, an iterator of (row number, cells), the estimated number of data rows and, for XLSX, the
    worksheet read (the first) and how many the workbook has. Every row, the header
    included, is bounded in width and cell length (`_bounded`), whatever the format."""
    return read_xlsx(data) if file_format == "xlsx" else read_csv(data)


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


def text_cell(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


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


def column_letter(idx: int) -> str:
    letters = ""
    idx += 1
    while idx:
        idx, rem = divmod(idx - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


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
