"""Self-service pages, PDF, IDOR, audit, least privilege, payroll pages, exports, query counts that do not grow."""

import datetime as dt
import io
import uuid

import pytest
from django.urls import reverse
from pypdf import PdfReader

from hr.payslips import demo, services
from hr.payslips.dashboard import panel
from hr.payslips.models import Component, Payslip, PayslipBatch
from hr.payslips.templatetags.payslips import rupiah
from intranet.audit.models import AuditEntry
from intranet.core.caching import bump_user_generation
from tests import factories
from tests.query_bounds import assert_flat, queries

from .conftest import row_for


def _client(client, user):
    client.force_login(user)
    return client


def _slip(published, employee):
    return Payslip.objects.get(batch=published, employee=employee)


def _pdf_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def test_my_payslips_list_and_year_summary(client, published, people):
    slip = _slip(published, people["a"])
    r = _client(client, people["a"].user).get(reverse("payslips:index"))
    assert r.status_code == 200
    assert r["Cache-Control"] == "private, no-store"
    body = r.content.decode()
    assert rupiah(slip.net) in body
    assert body.count('data-testid="payslip-row"') == 1
    assert rupiah(slip.gross) in body  # yearly summary
    assert AuditEntry.objects.filter(action="payslip.list", actor=people["a"].user).exists()


def test_detail_in_catalogue_order_and_audited(client, published, people):
    slip = _slip(published, people["a"])
    Component.objects.filter(code="tunj_beras").update(order=1)  # moves above gaji pokok
    r = _client(client, people["a"].user).get(reverse("payslips:detail", args=[slip.pk]))
    assert r.status_code == 200
    assert r["Cache-Control"] == "private, no-store"
    body = r.content.decode()
    assert body.index("Tunjangan beras") < body.index("Gaji pokok") < body.index("Tunjangan kinerja")
    assert slip.nip in body and rupiah(slip.net) in body
    entry = AuditEntry.objects.get(action="payslip.view", object_id=str(slip.pk))
    assert entry.outcome == "allowed" and entry.subject_employee_id == people["a"].pk
    assert entry.actor_id == people["a"].user_id and entry.ip == "127.0.0.1"


def test_pdf_contents_cache_and_audit(client, published, people, settings):
    slip = _slip(published, people["b"])
    c = _client(client, people["b"].user)
    r = c.get(reverse("payslips:pdf", args=[slip.pk]))
    assert r.status_code == 200
    assert r["Content-Type"] == "application/pdf"
    assert r["Cache-Control"] == "private, no-store"
    assert "attachment" in r["Content-Disposition"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(_pdf_bytes(r))).pages)
    assert slip.nip in text
    assert f"{int(slip.net):,}".replace(",", ".") in text
    assert "Gaji pokok" in text and "Basic salary" in text  # bilingual labels
    assert settings.SERAMBI_AGENCY_NAME.upper() in text.upper()
    # kept in private storage: a second request reuses the file
    name = services.payslip_pdf(payslip=slip)
    assert name.startswith("issued/payslip-pdf/") and services.payslip_pdf(payslip=slip) == name
    c.get(reverse("payslips:pdf", args=[slip.pk]))
    assert AuditEntry.objects.filter(action="payslip.download", object_id=str(slip.pk), outcome="allowed").count() == 2


def test_pdf_password_option(client, published, people, settings):
    settings.SERAMBI_PAYSLIP_PDF_PASSWORD = "birth_date"
    slip = _slip(published, people["b"])
    r = _client(client, people["b"].user).get(reverse("payslips:pdf", args=[slip.pk]))
    reader = PdfReader(io.BytesIO(_pdf_bytes(r)))
    assert reader.is_encrypted
    assert not reader.decrypt("wrong")
    assert reader.decrypt(people["b"].birth_date.strftime("%d%m%Y"))
    assert slip.nip in reader.pages[0].extract_text()


@pytest.mark.parametrize("name", ["payslips:detail", "payslips:pdf"])
def test_idor_other_employees_payslip_is_404_and_audited(client, published, people, name):
    theirs = _slip(published, people["b"])
    r = _client(client, people["a"].user).get(reverse(name, args=[theirs.pk]))
    assert r.status_code == 404
    action = "payslip.view" if name == "payslips:detail" else "payslip.download"
    entry = AuditEntry.objects.get(action=action, object_id=str(theirs.pk))
    assert entry.outcome == "denied"
    assert entry.actor_id == people["a"].user_id
    assert entry.subject_employee_id == people["b"].pk


@pytest.mark.parametrize("name", ["payslips:detail", "payslips:pdf"])
def test_unknown_uuid_is_404_and_audited(client, published, people, name):
    pk = uuid.uuid4()
    r = _client(client, people["a"].user).get(reverse(name, args=[pk]))
    assert r.status_code == 404
    assert AuditEntry.objects.get(object_id=str(pk)).outcome == "denied"


def test_non_uuid_urls_do_not_resolve(client, published, people):
    slip = _slip(published, people["b"])
    c = _client(client, people["a"].user)
    for path in (f"/slip-gaji/{slip.nip}/", "/slip-gaji/1/", "/slip-gaji/1/pdf/"):
        assert c.get(path).status_code == 404


def test_draft_not_visible_to_employee(client, people):
    from .conftest import import_bytes

    batch = import_bytes(people["officer"].user, demo.csv_bytes([row_for(people["a"])]))
    draft = Payslip.objects.get(batch=batch)
    c = _client(client, people["a"].user)
    assert c.get(reverse("payslips:detail", args=[draft.pk])).status_code == 404
    assert 'data-testid="payslip-row"' not in c.get(reverse("payslips:index")).content.decode()


def test_payroll_officer_sees_scope_hr_officer_does_not(client, published, people, org):
    slip = _slip(published, people["a"])
    officer = people["officer"].user
    c = _client(client, officer)
    assert c.get(reverse("payslips:detail", args=[slip.pk])).status_code == 200
    assert AuditEntry.objects.get(action="payslip.view", actor=officer).details["basis"] == "payroll"
    assert c.get(reverse("payslips:batch", args=[published.pk])).status_code == 200
    # an HR officer with HR scope over the same units: no payroll pages, no payslips
    hr = factories.EmployeeFactory(unit=org["DIR1"])
    factories.give_scope(hr.user, org["KEM"], "hr")
    client.force_login(hr.user)
    assert client.get(reverse("payslips:detail", args=[slip.pk])).status_code == 404
    assert client.get(reverse("payslips:pdf", args=[slip.pk])).status_code == 404
    assert client.get(reverse("payslips:batches")).status_code == 403
    assert client.get(reverse("payslips:batch", args=[published.pk])).status_code == 403
    # a payroll officer of another directorate: batch and payslip invisible
    other = factories.EmployeeFactory(unit=org["DIR2"])
    factories.give_scope(other.user, org["DIR2"], "payroll")
    client.force_login(other.user)
    assert client.get(reverse("payslips:detail", args=[slip.pk])).status_code == 404
    assert client.get(reverse("payslips:batch", args=[published.pk])).status_code == 404
    assert str(published.pk) not in client.get(reverse("payslips:batches")).content.decode()


def test_superseded_payslip_shows_history(client, published, people):
    from .conftest import publish_rows

    old = _slip(published, people["a"])
    fix = publish_rows(people["officer"].user, [row_for(people["a"], seed=9)], reason="Koreksi")
    new = Payslip.objects.get(batch=fix)
    c = _client(client, people["a"].user)
    body = c.get(reverse("payslips:detail", args=[new.pk])).content.decode()
    assert "Koreksi" in body and str(old.pk) in body
    old_page = c.get(reverse("payslips:detail", args=[old.pk])).content.decode()
    assert 'data-testid="superseded-note"' in old_page
    listing = c.get(reverse("payslips:index")).content.decode()
    assert listing.count('data-testid="payslip-row"') == 1 and str(new.pk) in listing


def _months(employee, n, officer, first=0):
    """n monthly payslips from month `first` counted from January 2023, one batch per month (as real imports are)."""
    months = range(first, first + n)
    batches = PayslipBatch.objects.bulk_create(
        [
            PayslipBatch(
                created_by=officer, source_name=f"m{i}.csv", file_name="", file_format="csv", status="published"
            )
            for i in months
        ]
    )
    Payslip.objects.bulk_create(
        [
            Payslip(
                batch=batch,
                employee=employee,
                period=dt.date(2023 + i // 12, i % 12 + 1, 1),
                status="published",
                nip=employee.nip,
                name=employee.full_name,
                components={"gaji_pokok": "1000"},
                gross=1000,
                deductions=0,
                net=1000,
            )
            for i, batch in zip(months, batches, strict=True)
        ]
    )


def test_my_payslips_queries_do_not_grow_with_the_months(client, people):
    """A year's page lists 8 payslips of 20 months (January 2023 to August 2024), then 12 of 2,000 months among 167
    years to choose from: the same queries. A year without payslips costs no more."""
    employee, officer = people["a"], people["officer"].user
    added = []

    def months(n):
        _months(employee, n, officer, first=len(added))
        added.extend(range(n))

    client.force_login(employee.user)

    def year_page(year=2024):
        response = client.get(reverse("payslips:index") + f"?year={year}")
        assert response.status_code == 200
        return response.content.decode()

    # the page built from the rows: the bulk inserts did not retire the reader's copy, as a publication would
    body = assert_flat(year_page, grow=months, prepare=lambda: bump_user_generation(employee.user_id), at_most=9)
    assert body.count('data-testid="payslip-row"') == 12 and "2189" in body
    bump_user_generation(employee.user_id)
    with queries(at_most=9):
        year_page(2022)


def test_upload_view_runs_task_and_shows_preview(client, people, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = _client(client, people["officer"].user)
    data = demo.csv_bytes([row_for(people["a"]), row_for(people["b"])])
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("payslips:batches"), {"file": SimpleUploadedFile("jan.csv", data, "text/csv")})
    assert r.status_code == 302
    batch = PayslipBatch.objects.get()
    assert batch.status == "ready"
    page = c.get(r["Location"]).content.decode()
    assert 'data-testid="batch-preview"' in page and 'data-status="ready"' in page
    assert 'http-equiv="refresh"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        c.post(reverse("payslips:batch_publish", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "published" and batch.notified_count == 2


def test_pending_batch_page_shows_progress_and_refreshes(client, people):
    from django.core.files.base import ContentFile

    officer = people["officer"].user
    batch = services.batch_upload(
        user=officer, uploaded_file=ContentFile(demo.csv_bytes([row_for(people["a"])]), name="a.csv"), run_async=False
    )
    PayslipBatch.objects.filter(pk=batch.pk).update(
        status="validating", phase="reading", progress_done=40, progress_total=100
    )
    page = _client(client, officer).get(reverse("payslips:batch", args=[batch.pk])).content.decode()
    assert 'http-equiv="refresh"' in page and 'value="40"' in page


def test_problem_export_neutralises_formula_injection(client, people):
    from .conftest import import_bytes

    batch = import_bytes(people["officer"].user, demo.csv_bytes([row_for(people["a"], nip="=1+1")]))
    assert batch.status == "invalid"
    r = _client(client, people["officer"].user).get(reverse("payslips:batch_errors", args=[batch.pk]))
    text = r.content.decode("utf-8-sig")
    assert r["Cache-Control"] == "private, no-store"
    for line in text.splitlines()[1:]:
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "@")), line


def test_rows_export_round_trips_and_is_injection_safe(client, published, people):
    from .conftest import import_bytes

    Payslip.objects.filter(batch=published, employee=people["c"]).update(name="=cmd|' /C calc'!A0")
    r = _client(client, people["officer"].user).get(reverse("payslips:batch_rows", args=[published.pk]))
    data = r.content
    assert b"'=cmd" in data
    # the export is itself a valid import (after restoring the neutralised name)
    restored = data.replace(b"'=cmd|' /C calc'!A0", people["c"].full_name.encode())
    batch = import_bytes(people["officer"].user, restored, reason="re-import")
    assert batch.status == "ready", batch.errors
    assert batch.net == published.net


def test_component_catalogue_edit_by_payroll_officer(client, people):
    c = _client(client, people["officer"].user)
    comp = Component.objects.get(code="tunj_kinerja")
    r = c.post(
        reverse("payslips:component_edit", args=[comp.pk]),
        {
            "code": "hacked",
            "label_id": "Tukin",
            "label_en": "Performance pay",
            "kind": "deduction",
            "order": 75,
            "active": "on",
        },
    )
    assert r.status_code == 302
    comp.refresh_from_db()
    assert (comp.code, comp.kind, comp.label_id, comp.order) == ("tunj_kinerja", "earning", "Tukin", 75)
    r = c.post(
        reverse("payslips:component_new"),
        {
            "code": "tunj_khusus",
            "label_id": "Tunjangan khusus",
            "label_en": "Special allowance",
            "kind": "earning",
            "order": 80,
            "active": "on",
        },
    )
    assert Component.objects.filter(code="tunj_khusus", kind="earning").exists()
    assert AuditEntry.objects.filter(action__startswith="payslip.component.").count() == 2
    client.force_login(people["a"].user)
    assert client.get(reverse("payslips:components")).status_code == 403


def test_dashboard_panel(rf, published, people):
    request = rf.get("/")
    request.user = people["a"].user
    data = panel(request)
    assert data["template"] == "payslips/dashboard_panel.html"
    assert data["context"]["slip"].period == dt.date(2026, 1, 1)
    request.user = people["outsider"].user
    assert panel(request) is None


def test_example_file_is_in_the_documented_format(client, people):
    r = _client(client, people["officer"].user).get(reverse("payslips:example"))
    header = r.content.decode().splitlines()[0].split(",")
    assert header[:3] == ["period", "nip", "name"] and header[-1] == "net"
    assert set(header[3:-1]) == set(Component.objects.filter(active=True).values_list("code", flat=True))


@pytest.mark.parametrize("year", ["abc", "99999999", "-1", ""])
def test_index_tolerates_bad_year(client, published, people, year):
    r = _client(client, people["a"].user).get(reverse("payslips:index"), {"year": year})
    assert r.status_code == 200
    assert 'data-testid="payslip-row"' in r.content.decode()


def test_pages_in_indonesian_by_default(client, published, people):
    from django.utils import translation

    with translation.override("id"):
        body = _client(client, people["a"].user).get(reverse("payslips:index")).content.decode()
    assert "Slip gaji saya" in body and "Gaji bersih" in body
