"""Go-live: HR imports the annual leave of the two previous years (CSV or XLSX, all or nothing, over HTTP), so that the
first year-end close gives the cap of 24 only to those who really had an entitlement in both years and took none."""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hr.leave import services, yearend
from hr.leave.models import LedgerEntry, LedgerYearClose
from intranet.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
GO_LIVE = dt.datetime(2031, 1, 12, 9, tzinfo=ZoneInfo("Asia/Jakarta"))  # imports 2029 and 2030
HEADER = ["nip", "tahun", "hak", "diambil", "dibawa"]


@pytest.fixture(autouse=True)
def _go_live():
    with time_machine.travel(GO_LIVE, tick=False):
        yield


def csv_file(rows, header=HEADER, name="saldo.csv"):
    text = "\n".join(",".join(str(c) for c in row) for row in [header, *rows]) + "\n"
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows, header=HEADER, name="saldo.xlsx"):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in [header, *rows]:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload(client, user, f):
    client.force_login(user)
    return client.post(reverse("leave:hr_opening"), {"file": f})


def problems(resp):
    return [(p.row, p.column) for p in resp.context["result"].problems]


def test_import_then_first_close_gives_24_only_with_two_untouched_entitled_years(client, chain, types):
    lt = types["tahunan"]
    staff, colleague, dir_staff = chain.staff, chain.colleague, chain.dir_staff
    rows = [
        [staff.nip, 2029, 12, 0, ""],
        [staff.nip, 2030, 12, 0, 0],
        [colleague.nip, 2029, 12, 3, 0],  # took leave in 2029
        [colleague.nip, 2030, 12, 0, 6],
        [dir_staff.nip, 2030, 12, 0, 0],  # no entitlement on record for 2029
    ]
    resp = upload(client, chain.hr.user, csv_file(rows))
    assert resp.status_code == 302 and resp.url == reverse("leave:hr_opening")
    assert services.ledger_balance(colleague.pk, lt.pk, 2030) == 18
    assert LedgerYearClose.objects.filter(year=2029, source="import").count() == 2
    assert AuditEntry.objects.filter(action="leave.opening.import").exists()
    yearend.year_end(year=2031)
    assert services.ledger_balance(staff.pk, lt.pk, 2031) == 24  # 12 + 12 carried
    assert services.ledger_balance(colleague.pk, lt.pk, 2031) == 18  # took leave in 2029: 12 + 6 of 18
    assert services.ledger_balance(dir_staff.pk, lt.pk, 2031) == 18  # one year of history only
    assert services.ledger_balance(chain.head.pk, lt.pk, 2031) == 12  # no history at all: nothing to carry


def test_xlsx_with_any_problem_imports_nothing_and_names_row_and_column(client, chain):
    before = LedgerEntry.objects.count()
    rows = [
        [chain.staff.nip, 2030, 12, 0, 0],  # fine on its own
        ["12345", 2030, 12, 0, 0],  # not a NIP
        [chain.colleague.nip, 2027, 12, 0, 0],  # not N-1 or N-2
        [chain.dir_staff.nip, 2030, "=A1*2", 0, 0],  # formula
        [chain.head.nip, 2030, 12, 15, 0],  # more taken than held
        [chain.staff.nip, 2030, 12, 0, 0],  # duplicate
        [chain.director.nip, 2030, 12, "dua", 0],  # not a number
    ]
    resp = upload(client, chain.hr.user, xlsx_file(rows))
    assert resp.status_code == 200 and b'data-testid="opening-errors"' in resp.content
    assert problems(resp) == [(3, "nip"), (4, "year"), (5, "entitlement"), (6, "taken"), (7, "nip"), (8, "taken")]
    assert LedgerEntry.objects.count() == before


def test_outside_the_scope_and_own_record_are_refused_alike_for_every_row(client, chain):
    rows = [[chain.staff.nip, 2030, 12, 0, 0], [chain.outsider.nip, 2030, 12, 0, 0], [chain.hr.nip, 2030, 12, 0, 0]]
    resp = upload(client, chain.hr.user, csv_file(rows))
    assert resp.status_code == 200
    assert problems(resp) == [(3, "nip"), (4, "nip")]
    assert not LedgerEntry.objects.filter(reason="opening balance").exists()
    assert AuditEntry.objects.filter(action="segregation.refused").exists()


def test_a_year_already_on_the_ledger_is_refused(client, chain, types):
    LedgerEntry.objects.create(employee=chain.staff, leave_type=types["tahunan"], year=2030, kind="allocation", days=12)
    resp = upload(client, chain.hr.user, csv_file([[chain.staff.nip, 2030, 12, 0, 0]]))
    assert problems(resp) == [(2, "year")]
    assert LedgerEntry.objects.filter(employee=chain.staff).count() == 1


@pytest.mark.parametrize(
    "f",
    [
        SimpleUploadedFile("saldo.txt", b"nip,year"),
        SimpleUploadedFile("saldo.xlsx", b"not a workbook"),
        SimpleUploadedFile("saldo.csv", "nip;tahun\n".encode("utf-16")),
        SimpleUploadedFile("saldo.csv", b"nip,tahun,hak\n"),
        SimpleUploadedFile("saldo.csv", b""),
    ],
    ids=["extension", "bad-xlsx", "utf16", "missing-column", "empty"],
)
def test_unreadable_files_get_a_clear_message_not_an_error_page(client, chain, f):
    resp = upload(client, chain.hr.user, f)
    assert resp.status_code == 200
    errors = resp.context["form"].errors.get("file") or resp.context["result"].problems
    assert errors
    assert not LedgerEntry.objects.exists()


def test_the_page_is_for_hr_officers_only(client, chain):
    client.force_login(chain.staff.user)
    assert client.get(reverse("leave:hr_opening")).status_code == 403
    client.force_login(chain.hr.user)
    resp = client.get(reverse("leave:hr"))
    assert b'data-testid="hr-opening-link"' in resp.content
    assert client.get(reverse("leave:hr_opening")).status_code == 200
