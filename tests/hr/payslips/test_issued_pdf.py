"""The payslip PDF as an issued document: recorded at publication, rendered by the sweep, signed on behalf of the
payroll unit (also when the PDF is password-protected), and superseded — its code saying so — by a correction."""

from django.core.management import call_command
from django.urls import reverse

from hr.payslips import services
from hr.payslips.models import Payslip
from intranet.core.private_files import private_storage
from intranet.issued.models import IssuedDocument
from tests.intranet.issued import pdfcheck

from .conftest import publish_rows, row_for


def _pdf(slip) -> bytes:
    with private_storage().open(services.payslip_pdf(payslip=slip), "rb") as fh:
        return fh.read()


def test_publication_records_each_payslip_and_the_sweep_renders_them(people, settings):
    publish_rows(people["officer"].user, [row_for(people["a"]), row_for(people["b"])])
    assert list(IssuedDocument.objects.values_list("kind", "state")) == [("payslip.pdf", "pending")] * 2
    call_command("issued_sweep", "--inline")
    docs = list(IssuedDocument.objects.all())
    assert {d.state for d in docs} == {"ready"} and {d.issuer_unit for d in docs} == {settings.SERAMBI_PAYROLL_UNIT}
    slip = Payslip.objects.get(employee=people["a"])
    data = _pdf(slip)
    status = pdfcheck.validate(data)
    assert status.intact and status.valid and status.trusted
    assert settings.SERAMBI_PAYROLL_UNIT in pdfcheck.stamp_lines(data)


def test_a_password_protected_payslip_is_signed_and_verifiable(people, settings, client):
    settings.SERAMBI_PAYSLIP_PDF_PASSWORD = "birth_date"
    publish_rows(people["officer"].user, [row_for(people["a"])])
    slip = Payslip.objects.get(employee=people["a"])
    data = _pdf(slip)
    password = people["a"].birth_date.strftime("%d%m%Y")
    assert pdfcheck.validate(data, password=password).intact
    code = pdfcheck.code_of(data, password=password)
    page = client.post(reverse("issued:verify", args=[code]), {"file": _upload(data)})
    assert 'data-same="yes" data-signature="intact"' in page.content.decode()


def _upload(data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("slip.pdf", data, "application/pdf")


def test_a_correction_supersedes_the_old_payslips_code(people, client):
    officer = people["officer"].user
    publish_rows(officer, [row_for(people["a"])])
    old_slip = Payslip.objects.get(employee=people["a"])
    old_code = pdfcheck.code_of(_pdf(old_slip))
    publish_rows(officer, [row_for(people["a"], seed=77)], reason="Koreksi tunjangan kinerja")
    new_slip = Payslip.objects.get(employee=people["a"], status=Payslip.Status.PUBLISHED)
    new_code = pdfcheck.code_of(_pdf(new_slip))
    page = client.get(reverse("issued:verify", args=[old_code]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-status="superseded"' in page and new_code not in page and str(new_slip.net) not in page
    old_doc = IssuedDocument.objects.get(source_id=str(old_slip.pk))
    assert old_doc.superseded_by == IssuedDocument.objects.get(source_id=str(new_slip.pk), state="ready")
    # the employee can still read the old version's file; it is the superseded document's
    assert pdfcheck.validate(_pdf(old_slip)).intact
