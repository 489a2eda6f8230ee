"""Every validation rule with a bad file: the problem names row and column with a hint, and nothing is imported."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import Workbook

from hr.org.models import Employee
from hr.payslips import demo
from hr.payslips.models import Component, Payslip, PayslipBatch

from .conftest import assert_nothing_imported, import_bytes, row_for


def _three(people, **b_overrides):
    return [row_for(people["a"]), row_for(people["b"], **b_overrides), row_for(people["c"])]


def _problem(batch, row, column):
    found = [p for p in batch.errors if p["row"] == row and p["column"] == column]
    assert found, batch.errors
    assert found[0]["message"] and found[0]["hint"]
    return found[0]


def _next_month():
    today = timezone.localdate()
    y, m = divmod(today.year * 12 + today.month, 12)
    return f"{y}-{m + 1:02d}"


BAD_CELLS = [
    # (column, value, what the message mentions)
    ("gaji_pokok", "1.5e6", "scientific"),
    ("gaji_pokok", "3.250", "unambiguous"),
    ("gaji_pokok", "3,250", "unambiguous"),
    ("gaji_pokok", "3250000,50", "whole rupiah"),
    ("gaji_pokok", "3250000.5", "whole rupiah"),
    ("gaji_pokok", "-3250000", "negative"),
    ("pot_iwp", "-1000", "negative"),
    ("tunj_anak", "=A1*2", "formula"),
    ("tunj_anak", "@SUM(A1)", "formula"),
    ("tunj_anak", "abc", "not an amount"),
    ("tunj_anak", "1.250.000,5", "whole rupiah"),
    ("period", "2026/01", "not a period"),
    ("period", "2026-13", "not a period"),
    ("period", "__future__", "future"),
    ("nip", "12345", "18-digit"),
    ("name", '=HYPERLINK("http://x")', "formula"),
    ("name", "", "empty"),
    ("net", "", "empty"),
]


@pytest.mark.parametrize("column,value,mentions", BAD_CELLS)
def test_bad_cell_reported_with_row_column_and_nothing_imported(people, column, value, mentions):
    if value == "__future__":
        value = _next_month()
    rows = _three(people, **{column: value})
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows))
    assert_nothing_imported(batch)
    problem = _problem(batch, 3, column)
    assert mentions.lower() in problem["message"].lower()


def test_net_must_equal_earnings_minus_deductions(people):
    rows = _three(people)
    rows[1]["net"] = demo.net_of({c: rows[1][c] for c in demo.CODES}) + 1
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows))
    assert_nothing_imported(batch)
    assert "net column says" in _problem(batch, 3, "net")["message"]


def test_unknown_nip(people):
    rows = _three(people, nip="199001152015031999")
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows))
    assert_nothing_imported(batch)
    assert "is not an employee in your payroll scope" in _problem(batch, 3, "nip")["message"]


def test_nip_name_mismatch(people):
    rows = _three(people, name="Orang Lain")
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows))
    assert_nothing_imported(batch)
    assert "belongs to" in _problem(batch, 3, "name")["message"]


def test_name_compare_ignores_titles_and_case(people):
    rows = [row_for(people["a"], name="SITI RAHMA"), row_for(people["b"], name="Drs. budi santoso, S.E.")]
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows))
    assert batch.status == PayslipBatch.Status.READY, batch.errors


def test_employee_outside_payroll_scope(people):
    rows = _three(people, nip=people["outsider"].nip, name=people["outsider"].name)
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows))
    assert_nothing_imported(batch)
    assert "is not an employee in your payroll scope" in _problem(batch, 3, "nip")["message"]


def test_unknown_and_out_of_scope_nips_are_indistinguishable(people):
    """The import is no oracle for which NIPs exist: a real NIP of another unit and a NIP nobody has get the same
    message and hint (only the NIP itself differs)."""
    outsider = people["outsider"]
    unknown_nip = "1" * 18
    assert not Employee.objects.filter(nip=unknown_nip).exists()
    rows = [
        row_for(people["a"]),
        row_for(outsider, name=outsider.name),
        {**row_for(outsider, name=outsider.name), "nip": unknown_nip},
    ]
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows))
    assert_nothing_imported(batch)
    real, fake = _problem(batch, 3, "nip"), _problem(batch, 4, "nip")
    assert real["message"].replace(outsider.nip, "N") == fake["message"].replace(unknown_nip, "N")
    assert real["hint"] == fake["hint"]


def test_duplicate_rows(people):
    rows = [row_for(people["a"]), row_for(people["b"]), row_for(people["b"])]
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows))
    assert_nothing_imported(batch)
    assert "row 3" in _problem(batch, 4, "nip")["message"]


def test_mixed_periods(people):
    rows = [row_for(people["a"], period="2026-01"), row_for(people["b"], period="2026-02")]
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows))
    assert_nothing_imported(batch)
    assert "One file holds one month" in _problem(batch, 3, "period")["hint"]


def test_unknown_and_missing_columns(people):
    data = demo.csv_bytes(_three(people)).decode()
    data = data.replace("tunj_anak", "tunjangan_kucing", 1)
    batch = import_bytes(people["officer"].user, data.encode())
    assert_nothing_imported(batch)
    assert "Unknown column" in _problem(batch, 1, "tunjangan_kucing")["message"]
    assert "missing" in _problem(batch, 1, "tunj_anak")["message"]


def test_inactive_component_column_not_required(people):
    Component.objects.filter(code="pot_lain").update(active=False)
    row = row_for(people["b"], pot_lain=0)
    codes = [c for c in demo.CODES if c != "pot_lain"]
    net = demo.net_of({c: row[c] for c in demo.CODES})
    csv_text = ",".join(["period", "nip", "name", *codes, "net"]) + "\n"
    csv_text += ",".join([row["period"], row["nip"], "Budi Santoso", *[str(row[c]) for c in codes], str(net)]) + "\n"
    batch = import_bytes(people["officer"].user, csv_text.encode())
    assert batch.status == PayslipBatch.Status.READY, batch.errors


def test_encoding_other_than_utf8_is_refused(people):
    text = demo.csv_bytes([row_for(people["b"], name="Budi Santoso")]).decode()
    data = text.replace("Budi Santoso", "Budi Santoso").encode("utf-8") + "Café;é\n".encode("cp1252")
    batch = import_bytes(people["officer"].user, data)
    assert_nothing_imported(batch)
    assert "UTF-8" in batch.errors[0]["message"] and "CSV UTF-8" in batch.errors[0]["hint"]


def test_utf16_is_refused(people):
    data = demo.csv_bytes([row_for(people["b"])]).decode().encode("utf-16")
    batch = import_bytes(people["officer"].user, data)
    assert_nothing_imported(batch)
    assert "UTF-16" in batch.errors[0]["message"]


def test_empty_file_and_header_only(people):
    batch = import_bytes(people["officer"].user, b"")
    assert_nothing_imported(batch)
    header_only = demo.csv_bytes([])
    batch = import_bytes(people["officer"].user, header_only)
    assert_nothing_imported(batch)
    assert "no data rows" in batch.errors[0]["message"]


def test_every_problem_reported_not_just_the_first(people):
    rows = [row_for(people["a"], gaji_pokok="1.5e6"), row_for(people["b"], nip="1"), row_for(people["c"], period="x")]
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows))
    assert_nothing_imported(batch)
    assert {(p["row"], p["column"]) for p in batch.errors} >= {(2, "gaji_pokok"), (3, "nip"), (4, "period")}


def test_thousand_separators_read_when_unambiguous(people):
    row = row_for(people["b"])
    gp = row["gaji_pokok"]
    dotted = f"{gp:,}".replace(",", ".")
    rows = [
        row_for(people["a"], gaji_pokok=f"{row_for(people['a'])['gaji_pokok']:,}"),  # 3,385,400
        row_for(people["b"], gaji_pokok=f"Rp {dotted}"),  # Rp 3.385.400
        row_for(people["c"], gaji_pokok=f"{row_for(people['c'])['gaji_pokok']}.00"),  # 3385400.00
    ]
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows, delimiter=";"))
    assert batch.status == PayslipBatch.Status.READY, batch.errors
    slip = Payslip.objects.get(batch=batch, employee=people["b"])
    assert slip.components["gaji_pokok"] == str(gp)


def _xlsx(rows, mutate=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["period", "nip", "name", *demo.CODES, "net"])
    for r in rows:
        ws.append(
            [r["period"], r["nip"], r["name"], *[r[c] for c in demo.CODES], demo.net_of({c: r[c] for c in demo.CODES})]
        )
    if mutate:
        mutate(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_xlsx_formula_cell_rejected(people):
    def mutate(ws):
        ws["F3"] = "=D3*2%"  # tunj_anak of row 3

    batch = import_bytes(people["officer"].user, _xlsx(_three(people), mutate), name="payroll.xlsx")
    assert_nothing_imported(batch)
    assert "formula" in _problem(batch, 3, "tunj_anak")["message"]


def test_xlsx_fractional_number_rejected(people):
    def mutate(ws):
        ws["D3"] = 3250000.5

    batch = import_bytes(people["officer"].user, _xlsx(_three(people), mutate), name="payroll.xlsx")
    assert_nothing_imported(batch)
    assert "whole rupiah" in _problem(batch, 3, "gaji_pokok")["message"]


def test_xlsx_date_period_and_numeric_nip_text(people):
    rows = _three(people)

    def mutate(ws):
        ws["A2"] = dt.datetime(2026, 1, 1)

    batch = import_bytes(people["officer"].user, _xlsx(rows, mutate), name="payroll.xlsx")
    assert batch.status == PayslipBatch.Status.READY, batch.errors


def test_not_a_workbook(people):
    batch = import_bytes(people["officer"].user, b"not a zip", name="payroll.xlsx")
    assert_nothing_imported(batch)
    assert "XLSX" in batch.errors[0]["message"]


def test_already_published_needs_a_reason(published, people):
    batch = import_bytes(people["officer"].user, demo.csv_bytes([row_for(people["a"], seed=99)]))
    batch.refresh_from_db()
    assert batch.status == PayslipBatch.Status.INVALID
    assert "reason" in batch.errors[0]["hint"]
    assert Payslip.objects.filter(batch=batch).count() == 0
    assert Payslip.objects.filter(status=Payslip.Status.PUBLISHED).count() == 3


def test_messages_in_uploader_language(people):
    from django.utils import translation

    with translation.override("id"):
        batch = import_bytes(people["officer"].user, demo.csv_bytes(_three(people, gaji_pokok="1.5e6")))
    assert batch.language == "id"
    assert "notasi ilmiah" in _problem(batch, 3, "gaji_pokok")["message"]
