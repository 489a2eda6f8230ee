"""The one writer of CSV and XLSX downloads. Every export goes through it, so every export is formula-safe.

A spreadsheet runs text starting with = + - @ (and, in some programs, tab or carriage return) as a formula: an
employee who names herself `=HYPERLINK(...)` would otherwise run code in the HR officer's spreadsheet.
- CSV: such text gets a leading apostrophe (the spreadsheet convention for "this is text"); a plain negative number
  ("-1500") stays a number.
- XLSX: every text cell is written as a string cell, never a formula; dangerous text also carries Excel's
  quote-prefix flag, so it stays text even when the cell is edited. The value itself is kept unchanged.
Numbers, dates and None pass through as they are.

(`hr.payslips.demo` writes sample *import* files, which must be able to hold hostile text; it is not an export.)
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import HttpResponse, StreamingHttpResponse

from intranet.core.private_files import safe_filename

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
_NEGATIVE_NUMBER = re.compile(r"^-\d+(?:\.\d+)?$")
_PLAIN_TYPES = (int, float, Decimal, dt.date, dt.datetime, dt.time)


def is_dangerous(text: str) -> bool:
    return text.startswith(FORMULA_START) and not _NEGATIVE_NUMBER.match(text)


def csv_cell(value):
    """The value as a CSV cell: dangerous text gets a leading apostrophe; None becomes empty."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, _PLAIN_TYPES):
        value = str(value)
    if isinstance(value, str) and is_dangerous(value):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def csv_lines(header: list, rows: Iterable[Iterable], *, bom: bool = True) -> Iterator[str]:
    """The file line by line (for streaming), with a BOM so that spreadsheet programs read UTF-8."""
    writer = csv.writer(_Echo())
    if bom:
        yield "\ufeff"
    yield writer.writerow([csv_cell(v) for v in header])
    for row in rows:
        yield writer.writerow([csv_cell(v) for v in row])


def csv_bytes(header: list, rows: Iterable[Iterable], *, bom: bool = True) -> bytes:
    return "".join(csv_lines(header, rows, bom=bom)).encode("utf-8")


def xlsx_bytes(header: list, rows: Iterable[Iterable], *, sheet_title: str | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title[:31] if sheet_title else None)

    def cell(value):
        if value is None or (isinstance(value, _PLAIN_TYPES) and not isinstance(value, bool)):
            return value
        text = str(value)
        out = WriteOnlyCell(ws, value=text)
        out.data_type = "s"  # openpyxl would store text starting with "=" as a formula
        if text.startswith(FORMULA_START):
            out.quotePrefix = True
        return out

    ws.append([cell(v) for v in header])
    for row in rows:
        ws.append([cell(v) for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def file_bytes(fmt: str, header: list, rows: Iterable[Iterable], *, sheet_title: str | None = None) -> bytes:
    if fmt == "xlsx":
        return xlsx_bytes(header, rows, sheet_title=sheet_title)
    if fmt == "csv":
        return csv_bytes(header, rows)
    raise ValueError(fmt)


def download(
    *, filename: str, header: list, rows: Iterable[Iterable], fmt: str = "csv", sheet_title: str | None = None,
    stream: bool = False,
) -> HttpResponse:
    """An attachment response (private, not cached, not sniffed). `filename` is without extension. `stream` sends a
    CSV row by row (large exports); XLSX is always built whole."""
    if fmt == "csv" and stream:
        response = StreamingHttpResponse(csv_lines(header, rows), content_type=CONTENT_TYPES["csv"])
    else:
        response = HttpResponse(file_bytes(fmt, header, rows, sheet_title=sheet_title), content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
