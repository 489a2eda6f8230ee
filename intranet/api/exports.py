"""CSV and XLSX files of approved leave (the same rows as the leave endpoint), safe to open in a spreadsheet:
text cells that a spreadsheet would run as a formula (= + - @, tab, carriage return) get a leading apostrophe."""

import csv
import io

from django.utils.translation import gettext as _

from intranet.core.spreadsheet import formula_safe


def _columns(with_nip: bool) -> list[tuple[str, str]]:
    cols = [
        ("unit_code", _("Unit code")),
        ("unit_name", _("Unit")),
        ("employee_name", _("Name")),
    ]
    if with_nip:
        cols.append(("nip", _("NIP")))
    cols += [
        ("leave_type_code", _("Leave type code")),
        ("leave_type_name", _("Leave type")),
        ("start_date", _("From")),
        ("end_date", _("Until")),
        ("days", _("Days")),
        ("days_unit", _("Counted in")),
        ("period_start", _("From (in period)")),
        ("period_end", _("Until (in period)")),
        ("working_days_in_period", _("Working days in period")),
    ]
    return cols


def _flat(item: dict) -> dict:
    return {
        **item,
        "employee_name": item["employee"]["full_name"],
        "nip": item["employee"].get("nip", ""),
    }


def leave_csv(items: list[dict], *, with_nip: bool = False) -> bytes:
    cols = _columns(with_nip)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _key, label in cols])
    for item in items:
        row = _flat(item)
        writer.writerow([formula_safe(row[key]) for key, _label in cols])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: spreadsheets then read UTF-8 names correctly


def leave_xlsx(items: list[dict], *, with_nip: bool = False) -> bytes:
    from openpyxl import Workbook

    cols = _columns(with_nip)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Approved leave"))
    ws.append([label for _key, label in cols])
    for item in items:
        row = _flat(item)
        ws.append([formula_safe(row[key]) for key, _label in cols])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def leave_file(items: list[dict], *, fmt: str, with_nip: bool = False) -> bytes:
    return leave_xlsx(items, with_nip=with_nip) if fmt == "xlsx" else leave_csv(items, with_nip=with_nip)
