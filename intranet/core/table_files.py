"""Reading an uploaded table (CSV in UTF-8, or the first sheet of an XLSX workbook), bounded and safe: pure functions
over bytes, no writes. Every row, the header included, is bounded in width and cell length, and every problem names
its row (the spreadsheet row number, header = row 1), its column and a hint. The payroll import and the leave opening
balances read their files with it (`hr.payslips.importing`, `hr.leave.opening`)."""

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

from django.utils.translation import gettext as _

from intranet.core.safezip import XLSX_READ_LIMITS, UnsafeArchive, check_archive

MAX_ROWS = 200_000  # a ministry's whole payroll is well below this
MAX_COLUMNS = 500
MAX_CELL_CHARS = 1000  # names with titles, NIPs and amounts are far shorter
MAX_PROBLEM_CHARS = 300  # stored problem text never copies a whole cell


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
    from openpyxl import load_workbook  # imported on first use: a large library most requests never need

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


def text_cell(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return str(raw).strip()


def column_letter(idx: int) -> str:
    letters = ""
    idx += 1
    while idx:
        idx, rem = divmod(idx - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
