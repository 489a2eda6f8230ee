"""The leave letter as an issued document: recorded with the approval, signed (PAdES) by the deciding official with
a QR code to its verification page; durable when the broker is down or the disk is full; superseded and cancelled
codes say so; the public verification page checks uploads, is rate-limited and cannot be used to enumerate."""

import datetime as dt
import logging
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hr.leave import services
from hr.leave.documents import LETTER
from hr.leave.models import LeaveLetter
from hr.org.models import Delegation
from intranet.audit.models import AuditEntry
from intranet.celery import app as celery_app
from intranet.core.models import StoredFile
from intranet.core.private_files import private_storage
from intranet.issued.models import IssuedDocument
from tests import factories
from tests.disks import fill
from tests.intranet.issued import pdfcheck
from tests.ldap_server import free_port

from .conftest import monday, submit


@pytest.fixture
def req(chain, types, year):
    services.allocate_year(year=year, employee_ids=[chain.staff.pk])
    mon = monday(year, 2)
    return submit(chain.staff, types["tahunan"], mon, mon + dt.timedelta(days=4))


def _approve(chain, req):
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
    services.leave_request_decide(request_id=req.pk, user=chain.director.user, outcome="approve")


def _letter_bytes(req) -> bytes:
    with private_storage().open(LeaveLetter.objects.get(request=req).file_name, "rb") as fh:
        return fh.read()


@pytest.fixture
def issued_letter(chain, req, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _approve(chain, req)
    data = _letter_bytes(req)
    return req, data, pdfcheck.code_of(data)


def test_the_letter_is_signed_by_the_deciding_official_and_validates(issued_letter, chain, settings, tmp_path):
    req, data, code = issued_letter
    status = pdfcheck.validate(data)
    assert status.intact and status.valid and status.trusted
    assert status.signer_reported_dt is not None
    lines = pdfcheck.stamp_lines(data)
    assert lines[:2] == ["DEMO - TIDAK SAH", "Ditandatangani secara elektronik oleh"]
    assert chain.director.full_name in lines and chain.director.position.name_id in " ".join(lines)
    doc = IssuedDocument.objects.get(kind=LETTER)
    assert (doc.state, doc.signer_name, doc.holder_nip) == ("ready", chain.director.full_name, chain.staff.nip)
    assert doc.file_size == len(data) and doc.code_hash != code  # only the code's hash is kept
    # one changed byte inside the signed range: the validator reports the signature broken
    at = data.index(b"Surat") if b"Surat" in data else len(data) // 3
    tampered = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
    assert not pdfcheck.validate(tampered).intact
    # poppler's pdfsig lists the PAdES signature; the QR code on the page reads the verification address
    path = tmp_path / "surat.pdf"
    path.write_bytes(data)
    listing = pdfcheck.pdfsig(path)
    assert "ETSI.CAdES.detached" in listing and "Signature is Valid" in listing
    expected = f"{settings.SERAMBI_SITE_URL.rstrip('/')}/verifikasi/{code}/"
    assert pdfcheck.qr_codes(path, tmp_path) == [expected]


def test_a_plh_signs_with_the_acting_title(chain, req, org, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
    plh = factories.EmployeeFactory(unit=org["DIR1"], name="Pelaksana Harian")
    Delegation.objects.create(
        position=org["DIR1"].head_position,
        acting=plh,
        kind="Plh",
        start_date=today,
        end_date=today + dt.timedelta(days=5),
        decree_number="ND-12/2026",
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.leave_request_decide(request_id=req.pk, user=plh.user, outcome="approve")
    doc = IssuedDocument.objects.get(kind=LETTER)
    assert doc.signer_name == plh.full_name and doc.signer_title.startswith("Plh. ")
    assert "ND-12/2026" in doc.signer_title and pdfcheck.validate(_letter_bytes(req)).intact


def test_verification_page_shows_the_minimum_and_masks_the_nip(issued_letter, chain, client):
    req, _data, code = issued_letter
    client.logout()
    page = client.get(reverse("issued:verify", args=[code]), HTTP_ACCEPT_LANGUAGE="id")
    body = page.content.decode()
    assert page.status_code == 200 and 'data-status="valid"' in body
    assert chain.staff.full_name in body and chain.staff.nip not in body
    assert chain.staff.nip[:4] + "*" in body and chain.staff.nip[-3:] in body
    assert "Sah" in body  # in Indonesian
    assert req.reason not in body and req.address_during_leave not in body  # nothing beyond the minimum
    assert AuditEntry.objects.filter(action="issued.verify", outcome="allowed").count() == 1


def test_upload_matches_only_the_very_file(issued_letter, client):
    _req, data, code = issued_letter
    url = reverse("issued:verify", args=[code])
    same = client.post(url, {"file": SimpleUploadedFile("s.pdf", data, "application/pdf")})
    assert 'data-same="yes" data-signature="intact"' in same.content.decode()
    at = len(data) // 3
    changed = data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]
    other = client.post(url, {"file": SimpleUploadedFile("s.pdf", changed, "application/pdf")})
    assert 'data-same="no" data-signature="broken"' in other.content.decode()
    junk = client.post(url, {"file": SimpleUploadedFile("s.pdf", b"not a pdf", "application/pdf")})
    assert junk.status_code == 200 and 'data-same="no" data-signature="none"' in junk.content.decode()


def test_upload_needs_the_csrf_token_and_has_a_size_limit(issued_letter, settings):
    _req, data, code = issued_letter
    url = reverse("issued:verify", args=[code])
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, {"file": SimpleUploadedFile("s.pdf", data, "application/pdf")}).status_code == 403
    settings.SERAMBI_VERIFY_MAX_UPLOAD_MB = 0
    big = Client().post(url, {"file": SimpleUploadedFile("s.pdf", data, "application/pdf")}, HTTP_ACCEPT_LANGUAGE="en")
    assert (
        big.status_code == 200
        and "too large" in big.content.decode()
        and 'data-testid="verify-check"' not in (big.content.decode())
    )


def test_unknown_and_malformed_codes_look_alike(issued_letter, client):
    _req, _data, code = issued_letter
    answers = [
        client.get(reverse("issued:verify", args=[c]))
        for c in ("A" * 22, code[:-1] + ("A" if code[-1] != "A" else "B"), "x", "%00" * 3, "1" * 300)
    ]
    assert {a.status_code for a in answers} == {404}
    # the same page but for the per-request values (CSRF token, the language form's return address)
    shapes = {re.sub(r'value="[^"]*"', "", a.content.decode()) for a in answers}
    assert len(shapes) == 1 and 'data-testid="verify-unknown"' in shapes.pop()


def test_verification_is_rate_limited_per_address(issued_letter, settings, client):
    _req, _data, code = issued_letter
    settings.SERAMBI_VERIFY_RATE_LIMIT = 3
    url = reverse("issued:verify", args=[code])
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert client.get(reverse("issued:verify", args=["B" * 22])).status_code == 429  # guesses count too
    assert AuditEntry.objects.filter(action="issued.verify.throttled").count() == 1


def test_a_reissued_letter_supersedes_the_old_code(issued_letter, client):
    req, _data, old_code = issued_letter
    services.letter_generate(request_id=req.pk, replace=True)
    new_code = pdfcheck.code_of(_letter_bytes(req))
    assert new_code != old_code
    old = client.get(reverse("issued:verify", args=[old_code]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-status="superseded"' in old and "replaced by a newer one on" in old
    assert new_code not in old
    assert 'data-status="valid"' in client.get(reverse("issued:verify", args=[new_code])).content.decode()
    first, second = IssuedDocument.objects.filter(kind=LETTER).order_by("pk")
    assert (first.state, second.supersedes_id, second.state) == ("superseded", first.pk, "ready")


def test_a_cancelled_leave_cancels_its_letter(issued_letter, chain, client):
    req, _data, code = issued_letter
    services.leave_request_cancel(request_id=req.pk, user=chain.staff.user)
    page = client.get(reverse("issued:verify", args=[code]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-status="cancelled"' in page


def _drop_broker_pools():
    from kombu import pools

    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()


def test_broker_down_at_approval_the_sweep_produces_the_letter(
    chain, req, client, caplog, django_capture_on_commit_callbacks
):
    old = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    celery_app.conf.update(broker_url=f"redis://127.0.0.1:{free_port()}/0", task_always_eager=False)  # nobody there
    _drop_broker_pools()
    try:
        with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
            _approve(chain, req)
    finally:
        celery_app.conf.update(broker_url=old[0], task_always_eager=old[1])
        _drop_broker_pools()
    assert "could not enqueue issued.render_document" in caplog.text
    doc = IssuedDocument.objects.get(kind=LETTER)
    assert doc.state == "pending" and not LeaveLetter.objects.filter(request=req).exclude(file_name="").exists()
    client.force_login(chain.staff.user)
    detail = client.get(reverse("leave:detail", args=[req.pk]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'data-state="pending"' in detail and "sedang disiapkan" in detail
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=3)):
        call_command("issued_sweep")  # the beat's sweep: queued again (run inline, the broker being back)
    doc.refresh_from_db()
    assert doc.state == "ready" and doc.attempts == 1
    assert pdfcheck.validate(_letter_bytes(req)).intact


def test_a_render_that_hits_a_full_disk_is_retried_and_exists_once(
    chain, req, small_private_disk, caplog, django_capture_on_commit_callbacks
):
    filler = fill(small_private_disk)
    with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
        _approve(chain, req)
    doc = IssuedDocument.objects.get(kind=LETTER)
    assert doc.state == "failed" and doc.attempts == 1 and "No space left on device" in doc.last_error
    assert not [p for p in small_private_disk.rglob("*.pdf")]  # no partial or empty file under a real name
    filler.unlink()
    call_command("issued_sweep", "--inline")  # not due yet: back-off
    doc.refresh_from_db()
    assert doc.state == "failed"
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=2)):
        call_command("issued_sweep", "--inline")
        call_command("issued_sweep", "--inline")  # and again: nothing more happens
    doc.refresh_from_db()
    assert (doc.state, doc.attempts) == ("ready", 2)
    assert [len(list(small_private_disk.rglob(f"{stem}-*.pdf"))) for stem in ("surat", "formulir")] == [1, 1]
    assert StoredFile.objects.filter(name__startswith="issued/").count() == 2  # the letter and the form, once each
    assert IssuedDocument.objects.count() == 2
    assert pdfcheck.validate(_letter_bytes(req)).intact


def test_hostile_input_never_gives_a_server_error(issued_letter):
    from tests.attacks.test_fuzz_routes import POSTS, QUERIES

    _req, _data, code = issued_letter
    client = Client(raise_request_exception=False)
    for path in (f"/verifikasi/{code}/", "/verifikasi/%00/", f"/verifikasi/{'9' * 40}/"):
        for query in QUERIES:
            assert client.get(path, QUERY_STRING=query).status_code < 500, (path, query)
        for body in POSTS:
            assert client.generic("POST", path, **body).status_code < 500, (path, body["content_type"])


def test_the_form_is_unsigned_while_pending_and_signed_by_the_official_once_decided(
    chain, req, client, django_capture_on_commit_callbacks
):
    """The Formulir is the record of the decision: downloadable as it stands while the request is pending, then issued
    (signed in section VIII's slot by the deciding official, with its own verification code) once the official has
    decided; cancelling the leave cancels its code."""
    from hr.leave.documents import FORM

    url = reverse("leave:form_pdf", args=[req.pk])
    client.force_login(chain.staff.user)
    response = client.get(url)
    pending = b"".join(response.streaming_content) if response.streaming else response.content
    assert pending.startswith(b"%PDF-") and b"/ByteRange" not in pending, "no signature before the decision"
    with django_capture_on_commit_callbacks(execute=True):
        _approve(chain, req)
    response = client.get(url)
    data = b"".join(response.streaming_content) if response.streaming else response.content
    status = pdfcheck.validate(data)
    assert status.intact and status.valid and status.trusted
    assert chain.director.full_name in pdfcheck.stamp_lines(data)
    form = IssuedDocument.objects.get(kind=FORM)
    letter = IssuedDocument.objects.get(kind=LETTER)
    assert form.state == "ready" and pdfcheck.code_of(data) != pdfcheck.code_of(_letter_bytes(req))
    services.leave_request_cancel(request_id=req.pk, user=chain.staff.user, reason="Batal")
    form.refresh_from_db()
    letter.refresh_from_db()
    assert (form.state, letter.state) == ("cancelled", "cancelled")
