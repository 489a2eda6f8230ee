"""Attacking the issued documents: the public verification page (its rate limit from one IPv6 host, hostile
uploads) and the download of a document that is no longer in force."""

import datetime as dt
import io
import struct
import time
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hr.leave import services
from hr.leave.models import LeaveLetter
from intranet.audit.models import AuditEntry
from intranet.core.private_files import private_storage
from tests.hr.leave.conftest import chain, clean_calendar, monday, submit, types, year  # noqa: F401 - fixtures
from tests.hr.payslips.conftest import people, publish_rows, row_for  # noqa: F401 - fixtures
from tests.intranet.issued import pdfcheck

from .proxy_fixtures import behind_proxy, via_proxy  # noqa: F401 - fixtures


@pytest.fixture
def issued_letter(chain, types, year, django_capture_on_commit_callbacks):  # noqa: F811 - imported fixtures
    services.allocate_year(year=year, employee_ids=[chain.staff.pk])
    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon + dt.timedelta(days=4))
    with django_capture_on_commit_callbacks(execute=True):
        services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
        services.leave_request_decide(request_id=req.pk, user=chain.director.user, outcome="approve")
    with private_storage().open(LeaveLetter.objects.get(request=req).file_name, "rb") as fh:
        data = fh.read()
    return req, data, pdfcheck.code_of(data)


def test_one_ipv6_host_cannot_escape_the_verification_limit_by_rotating_its_64(behind_proxy):  # noqa: F811
    """A host is given a whole /64: counting each address apart gave it 2^64 fresh limits (and an audit row for
    every lookup). The login and API limits count the /64; so must the verification page."""
    behind_proxy.SERAMBI_VERIFY_RATE_LIMIT = 3
    client = Client()
    url = reverse("issued:verify", args=["B" * 22])
    answers = [client.get(url, **via_proxy(f"2001:db8:7:9::{n:x}")).status_code for n in range(1, 6)]
    assert answers == [404, 404, 404, 429, 429]
    assert AuditEntry.objects.filter(action="issued.verify").count() == 3
    # an address the client writes further left in X-Forwarded-For is not taken for hers
    forged = via_proxy("", forwarded="198.51.100.7, 2001:db8:7:9::99")
    assert client.get(url, **forged).status_code == 429
    # another /64 has its own count
    assert client.get(url, **via_proxy("2001:db8:7:a::1")).status_code == 404


def _object_stream_bomb(inflated: int) -> bytes:
    """A PDF whose catalog sits in an object stream that inflates to `inflated` bytes of blanks."""
    head, body = b"1 0 \n", b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [] >> >>"
    packed = zlib.compress(head + body + b" " * inflated, 9)
    out = io.BytesIO(b"%PDF-1.7\n")
    out.seek(0, 2)
    pages = out.tell()
    out.write(b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n")
    objstm = out.tell()
    out.write(
        b"3 0 obj << /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(head), len(packed))
    )
    out.write(packed + b"\nendstream endobj\n")
    xref = out.tell()
    rows = [(0, 0, 65535), (2, 3, 0), (1, pages, 0), (1, objstm, 0), (1, xref, 0)]
    table = b"".join(struct.pack(">BIH", *row) for row in rows)
    out.write(b"4 0 obj << /Type /XRef /Size 5 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table))
    out.write(table + b"\nendstream endobj\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def test_hostile_uploads_get_an_answer_not_a_500(issued_letter):
    """Truncated, forged, deeply nested and bomb PDFs: each is checked and reported as not the issued file."""
    _req, data, code = issued_letter
    url = reverse("issued:verify", args=[code])
    signed_at = data.rindex(b"/ByteRange")
    hostile = {
        "truncated": data[: len(data) // 2],
        "signature cut": data[: signed_at + 40],
        "forged byte range": data.replace(b"/ByteRange [", b"/ByteRange [99999999 -5 ", 1),
        "nested": b"%PDF-1.7\n1 0 obj " + b"[" * 50_000 + b"]" * 50_000 + b" endobj\ntrailer << /Root 1 0 R >>\n%%EOF",
        "object stream bomb": _object_stream_bomb(200 * 1024 * 1024),
        "empty": b"",
        "encrypted unknown handler": b"%PDF-1.7\ntrailer << /Encrypt << /Filter /Nope /V 9 >> /Root 1 0 R >>\n%%EOF",
    }
    client = Client(raise_request_exception=False)
    for name, body in hostile.items():
        answer = client.post(url, {"file": SimpleUploadedFile("s.pdf", body, "application/pdf")})
        assert answer.status_code == 200, name
        page = answer.content.decode()
        assert 'data-same="no"' in page or (not body and "verify-check" not in page), name


def test_the_letter_of_a_cancelled_leave_no_longer_downloads(issued_letter, chain, client):  # noqa: F811
    """The detail page hides the link, but the address kept serving the signed letter after the cancellation."""
    req, _data, _code = issued_letter
    url = reverse("leave:letter", args=[req.pk])
    client.force_login(chain.staff.user)
    assert client.get(url).status_code == 200
    assert client.get(reverse("leave:form_pdf", args=[req.pk])).status_code == 200
    services.leave_request_cancel(request_id=req.pk, user=chain.staff.user)
    answer = client.get(url)
    assert answer.status_code == 410 and 'data-state="cancelled"' in answer.content.decode()
    # nor does the signed form of that request
    assert client.get(reverse("leave:form_pdf", args=[req.pk])).status_code == 410


def test_a_payslip_corrected_before_it_was_rendered_is_never_issued_as_valid(client, people):  # noqa: F811
    """Published, then corrected before the sweep rendered it: its record was superseded with no file, and a download
    of the old version issued it afresh under a new code the verification page called valid (Sah)."""
    from hr.payslips.models import Payslip
    from intranet.issued.models import IssuedDocument

    staff = people
    publish_rows(staff["officer"].user, [row_for(staff["a"])])
    old = Payslip.objects.get(employee=staff["a"])
    publish_rows(staff["officer"].user, [row_for(staff["a"], seed=77)], reason="Koreksi tunjangan kinerja")
    client.force_login(staff["a"].user)
    answer = client.get(reverse("payslips:pdf", args=[old.pk]))
    assert answer.status_code == 410 and 'data-state="superseded"' in answer.content.decode()
    assert not IssuedDocument.objects.filter(source_id=str(old.pk), state="ready").exists()
    # the correction itself downloads, signed and valid
    new = Payslip.objects.get(employee=staff["a"], status=Payslip.Status.PUBLISHED)
    assert client.get(reverse("payslips:pdf", args=[new.pk])).status_code == 200
    assert IssuedDocument.objects.get(source_id=str(new.pk)).state == "ready"


def _signed_with_password(password: str) -> bytes:
    """Any PDF, encrypted with `password` and signed (an attacker would use a certificate of her own)."""
    from intranet.core.pdf import html_to_pdf
    from intranet.issued import services as issued
    from intranet.issued import signing

    block = signing.SignatureBlock(signer_name="X", signer_title="", signed_at="-", code="A" * 22, url="https://x/")
    return signing.current_signer().sign(issued._encrypt(html_to_pdf("<p>x</p>"), password), block, password=password)


def test_the_upload_check_is_no_oracle_for_the_payslip_password(people, settings, client):  # noqa: F811
    """The page decrypted any upload with the holder's PDF password (her birth date, or her NIP) and said whether the
    signature inside was intact: an upload encrypted with a guess told whether the guess was right. The masked NIP
    gives the birth year, so 366 uploads disclosed the birth date (or the hidden NIP digits) to anyone with a code."""
    from hr.payslips import services as payslips
    from hr.payslips.models import Payslip

    settings.SERAMBI_PAYSLIP_PDF_PASSWORD = "birth_date"
    publish_rows(people["officer"].user, [row_for(people["a"])])
    slip = Payslip.objects.get(employee=people["a"])
    with private_storage().open(payslips.payslip_pdf(payslip=slip), "rb") as fh:
        issued_file = fh.read()
    right = people["a"].birth_date.strftime("%d%m%Y")
    code = pdfcheck.code_of(issued_file, password=right)
    url = reverse("issued:verify", args=[code])

    def check(data: bytes) -> str:
        page = client.post(url, {"file": SimpleUploadedFile("s.pdf", data, "application/pdf")}).content.decode()
        return page[page.index('data-same="') :].split(">", 1)[0]

    assert check(_signed_with_password(right)) == check(_signed_with_password("01011970"))
    assert check(issued_file) == 'data-same="yes" data-signature="intact"'  # the issued file still checks out


def _revisions(count: int) -> bytes:
    """A valid PDF of `count` incremental updates: about 130 bytes each, and the reader walks every one."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    catalog = out.tell()
    out.write(b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n")
    pages = out.tell()
    out.write(b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n")
    prev = out.tell()
    out.write(b"xref\n0 3\n0000000000 65535 f \n%010d 00000 n \n%010d 00000 n \n" % (catalog, pages))
    out.write(b"trailer << /Size 3 /Root 1 0 R >>\n")
    for _ in range(count):
        at = out.tell()
        out.write(b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n")
        xref = out.tell()
        out.write(b"xref\n2 1\n%010d 00000 n \ntrailer << /Size 3 /Root 1 0 R /Prev %d >>\n" % (at, prev))
        prev = xref
    out.write(b"startxref\n%d\n%%%%EOF\n" % prev)
    return out.getvalue()


def test_a_large_crafted_upload_costs_no_seconds_of_cpu(issued_letter):
    """9 MB of incremental updates took the validator about four seconds of CPU: thirty uploads a minute from one
    address (within the limit) kept two cores busy. A file many times the size of the issued one cannot be it: it is
    answered without being parsed."""
    _req, data, code = issued_letter
    url = reverse("issued:verify", args=[code])
    bomb = _revisions(70_000)
    assert len(bomb) > 8 * 1024 * 1024
    client = Client()
    started = time.process_time()
    page = client.post(url, {"file": SimpleUploadedFile("s.pdf", bomb, "application/pdf")}).content.decode()
    assert time.process_time() - started < 1.5
    assert 'data-same="no" data-signature="none"' in page
    # a copy of the issued file with a little appended is still parsed: its signature is found intact
    page = client.post(url, {"file": SimpleUploadedFile("s.pdf", data + b"\n% x\n", "application/pdf")})
    assert 'data-same="no" data-signature="intact"' in page.content.decode()
