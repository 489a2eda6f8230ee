"""What a payroll officer is told about a real file: a numeric NIP column, the worksheet read, thousands separators
inferred per file, and old against new pay before a correction is published."""

import io

import pytest
from django.urls import reverse
from openpyxl import Workbook

from hr.payslips import demo
from hr.payslips.models import PayslipBatch
from hr.payslips.templatetags.payslips import rupiah

from .conftest import assert_nothing_imported, import_bytes, row_for


def _dotted(n: int, sep: str = ".") -> str:
    return f"{n:,}".replace(",", sep)


def _workbook(rows, *, nip_as_number=False, sheets=("Gaji Januari",)) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = sheets[0]
    ws.append(["period", "nip", "name", *demo.CODES, "net"])
    for r in rows:
        nip = int(r["nip"]) if nip_as_number else r["nip"]
        ws.append([r["period"], nip, r["name"], *[r[c] for c in demo.CODES], r["net"]])
    for title in sheets[1:]:
        wb.create_sheet(title).append(["catatan", "bukan data gaji"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_numeric_nip_column_is_told_to_be_formatted_as_text(people):
    rows = [row_for(people[k]) for k in ("a", "b")]
    batch = import_bytes(people["officer"].user, _workbook(rows, nip_as_number=True), name="gaji.xlsx")
    assert_nothing_imported(batch)
    nip_problems = [p for p in batch.errors if p["column"] == "nip"]
    assert [p["row"] for p in nip_problems] == [2, 3]
    assert all("Format the NIP column as text" in p["hint"] for p in nip_problems)
    assert not any("payroll scope" in p["message"] for p in batch.errors), "no directory hint for a mangled NIP"


def test_the_worksheet_read_is_named(client, people):
    rows = [row_for(people[k]) for k in ("a", "b", "c")]
    batch = import_bytes(
        people["officer"].user, _workbook(rows, sheets=("Gaji Januari", "Catatan", "Rekap")), name="gaji.xlsx"
    )
    assert batch.status == PayslipBatch.Status.READY, batch.errors
    assert (batch.sheet_name, batch.sheet_count) == ("Gaji Januari", 3)
    client.force_login(people["officer"].user)
    body = client.get(reverse("payslips:batch", args=[batch.pk])).content.decode()
    assert (
        "Gaji Januari" in body and "yang pertama dari 3 lembar kerja; lembar lainnya tidak dibaca" in body
    )  # Indonesian first


def test_the_sheet_is_named_even_when_the_file_is_refused(people):
    rows = [row_for(people["a"], gaji_pokok="abc")]
    batch = import_bytes(people["officer"].user, _workbook(rows, sheets=("Januari", "Lain")), name="gaji.xlsx")
    batch.refresh_from_db()
    assert batch.status == PayslipBatch.Status.INVALID and batch.sheet_name == "Januari"


@pytest.mark.parametrize("sep", [".", ","])
def test_separators_are_inferred_per_file(people, sep):
    """A real export: large amounts show the separator (3.385.400), small ones are a single group (72.420)."""
    plain = {k: row_for(people[k]) for k in ("a", "b", "c")}
    rows = [{**r, **{c: _dotted(r[c], sep) for c in demo.CODES}, "net": _dotted(r["net"], sep)} for r in plain.values()]
    assert any(v.count(sep) == 1 for r in rows for v in r.values() if isinstance(v, str) and v[0].isdigit())
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows, delimiter=";"))
    assert batch.status == PayslipBatch.Status.READY, batch.errors
    slip = batch.payslips.get(employee=people["a"])
    assert slip.components["tunj_beras"] == str(plain["a"]["tunj_beras"]) and slip.net == plain["a"]["net"]


def test_a_single_group_stays_ambiguous_when_the_file_shows_no_convention_or_both(people):
    rows = [row_for(people["a"], tunj_umum="185.000"), row_for(people["b"])]
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows))
    assert_nothing_imported(batch)
    [problem] = batch.errors
    assert "unambiguously" in problem["message"] and "No amount in this file" in problem["hint"]

    a, b = row_for(people["a"]), row_for(people["b"])
    rows = [
        {**a, "gaji_pokok": _dotted(a["gaji_pokok"], ".")},
        {**b, "gaji_pokok": _dotted(b["gaji_pokok"], ","), "tunj_umum": "185.000"},
    ]
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows, delimiter=";"))
    assert_nothing_imported(batch)
    assert [(p["row"], p["column"]) for p in batch.errors] == [(3, "tunj_umum")]
    assert "both with '.' and with ','" in batch.errors[0]["hint"]


def test_a_cell_against_the_files_convention_is_not_read_as_thousands(people):
    a = row_for(people["a"])
    rows = [{**a, "gaji_pokok": _dotted(a["gaji_pokok"], "."), "tunj_umum": "185,000"}]
    batch = import_bytes(people["officer"].user, demo.csv_bytes(rows, delimiter=";"))
    assert_nothing_imported(batch)
    assert "groups thousands with '.'" in batch.errors[0]["message"]


def test_a_correction_shows_old_and_new_pay_per_employee_before_publishing(client, published, people):
    officer = people["officer"].user
    new_a = row_for(people["a"], seed=7)
    same_b = row_for(people["b"])
    batch = import_bytes(officer, demo.csv_bytes([new_a, same_b]), reason="Tunjangan kinerja dikoreksi")
    assert batch.status == PayslipBatch.Status.READY, batch.errors
    old_a = published.payslips.get(employee=people["a"])
    client.force_login(officer)
    body = client.get(reverse("payslips:batch", args=[batch.pk])).content.decode()
    section = body[
        body.index('data-testid="batch-corrections"') : body.index("</section>", body.index("batch-corrections"))
    ]
    assert section.count('data-testid="correction"') == 2
    assert rupiah(old_a.net) in section and rupiah(new_a["net"]) in section
    assert people["a"].nip in section and people["b"].nip in section
    assert "tidak ada (jumlah sama)" in section  # b's row changes nothing
    changed = [c for c in demo.CODES if new_a[c] != row_for(people["a"])[c]]
    assert changed and all(f"{rupiah(row_for(people['a'])[c])} → {rupiah(new_a[c])}" in section for c in changed)
    assert people["c"].nip not in section, "an employee not in the correction is not listed"


def test_the_command_names_the_worksheet_read(people, tmp_path):
    import io as _io

    from django.core.management import call_command

    path = tmp_path / "gaji.xlsx"
    path.write_bytes(_workbook([row_for(people["a"])], sheets=("Gaji Januari", "Catatan")))
    out = _io.StringIO()
    call_command("payslip_import", str(path), "--user", people["officer"].user.username, stdout=out)
    assert "“Gaji Januari” (2 in the workbook; only the first is read)" in out.getvalue()
