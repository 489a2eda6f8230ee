"""The payslip document as a treasury slip has it: the period in words, every catalogue component even at zero, the
net pay in words, and NPWP, bank account and family status from the payroll file's optional columns (validated)."""

import re

import pytest

from hr.payslips import demo
from hr.payslips.models import Component, Payslip, PayslipBatch
from hr.payslips.printed_slip import payslip_html
from tests.document_text import words as text

from .conftest import import_bytes, publish_rows, row_for

pytestmark = pytest.mark.django_db


def zeroed(employee, **extra) -> dict:
    row = row_for(employee, period="2026-10")
    for code in ("tunj_jabatan", "tunj_anak", "pot_lain"):
        row[code] = "0" if code != "tunj_anak" else ""  # zero and empty both mean nothing paid
    values = {c: int(row[c] or 0) for c in demo.CODES}
    row["net"] = demo.net_of(values)
    row.update(extra)
    return row


def test_payslip_lists_every_component_the_period_and_the_net_in_words(people):
    officer = people["officer"].user
    extra = {"npwp": "01.234.567.8-901.000", "bank": "BRI", "rekening": "0123-4567-8901", "status_keluarga": "k/2"}
    publish_rows(officer, [zeroed(people["a"], **extra), zeroed(people["b"])])
    slip = Payslip.objects.get(employee=people["a"])
    assert slip.particulars == {
        "npwp": "012345678901000",
        "bank": "BRI",
        "rekening": "012345678901",
        "status_keluarga": "K/2",
    }
    html = payslip_html(slip)
    words = text(html)
    assert "Periode / Period: Oktober 2026" in words
    assert "Pangkat/golongan / Rank : Penata Muda, III/a" in words
    active = Component.objects.filter(active=True)
    assert html.count('data-testid="payslip-line"') == active.count()
    for comp in active:
        assert comp.label_id in words
    assert re.search(r'Tunjangan jabatan <span class="en">/ [^<]*</span></td><td class="num">0</td>', html, flags=re.I)
    net_words = words.split("Terbilang: ")[1].split(" rupiah")[0]
    from intranet.core.indonesian import terbilang

    assert net_words == terbilang(slip.net)
    assert "NPWP : 01.234.567.8-901.000" in words and "Bank : BRI" in words
    assert "Nomor rekening : 012345678901" in words and "Status keluarga : K/2" in words
    assert html.count('<div id="tte" class="tte-slot"></div>') == 1
    # the file's other row left the optional cells empty: nothing printed for them
    other = payslip_html(Payslip.objects.get(employee=people["b"]))
    assert 'data-testid="payslip-particular"' not in other


def test_payslip_pdf_renders(people):
    from hr.payslips import services
    from intranet.core.private_files import private_storage

    publish_rows(people["officer"].user, [zeroed(people["a"], npwp="0123456789012345")])
    name = services.payslip_pdf(payslip=Payslip.objects.get(employee=people["a"]))
    with private_storage().open(name, "rb") as fh:
        assert fh.read(5) == b"%PDF-"


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("npwp", "12345", "is not an NPWP"),
        ("npwp", "01.234.567.8-901.0000X", "is not an NPWP"),
        ("rekening", "12A45678", "is not a bank account number"),
        ("status_keluarga", "K/5", "is not a family status"),
        ("bank", "=HYPERLINK()", "is not a bank name"),
    ],
)
def test_optional_columns_are_checked(people, column, value, message):
    data = demo.csv_bytes([zeroed(people["a"], **{column: value})])
    batch = import_bytes(people["officer"].user, data)
    assert batch.status == PayslipBatch.Status.INVALID
    assert [(e["row"], e["column"]) for e in batch.errors] == [(2, column)]
    assert message in batch.errors[0]["message"] and batch.errors[0]["hint"]


def test_optional_columns_accept_their_aliases(people):
    row = zeroed(people["a"], no_rekening="1234567", ptkp="TK/0")
    publish_rows(people["officer"].user, [row])
    assert Payslip.objects.get(employee=people["a"]).particulars == {"rekening": "1234567", "status_keluarga": "TK/0"}
