"""Upload validation: allow-list, size limit, content sniffed from the bytes and checked against the extension,
optional clamd scan; files stored under generated names in private storage."""

import io
import os
import socket
import struct
import threading
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from hr.documents import services
from hr.documents.models import Classification, Document
from hr.documents.validation import validate_upload
from intranet.core.private_files import private_storage

from .conftest import category, pdf_bytes


def f(name, data):
    return SimpleUploadedFile(name, data, content_type="application/pdf")  # the browser's claim is never used


def ooxml(main_type: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(
            "[Content_Types].xml",
            b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            b'<Override PartName="/word/document.xml" ContentType="' + main_type + b'"/></Types>',
        )
        zf.writestr("word/document.xml", "<w:document/>")
    return buf.getvalue()


DOCX = ooxml(b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml")
DOCM = ooxml(b"application/vnd.ms-word.document.macroEnabled.main+xml")


def odt() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        zf.writestr("content.xml", "<office:document-content/>")
    return buf.getvalue()


def xlsx() -> bytes:
    from openpyxl import Workbook

    buf = io.BytesIO()
    Workbook().save(buf)
    return buf.getvalue()


def image(fmt: str) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buf, fmt)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("name", "maker", "kind"),
    [
        ("sk.pdf", pdf_bytes, "pdf"),
        ("ijazah.JPG", lambda: image("JPEG"), "jpeg"),
        ("foto.jpeg", lambda: image("JPEG"), "jpeg"),
        ("scan.png", lambda: image("PNG"), "png"),
        ("surat.docx", lambda: DOCX, "docx"),
        ("daftar.xlsx", xlsx, "xlsx"),
        ("nota.odt", odt, "odt"),
    ],
)
def test_real_files_are_accepted(name, maker, kind):
    assert validate_upload(f(name, maker())).kind.key == kind


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("cv.pdf", b"<?php system($_GET['c']); ?>\n", "content"),  # a PHP script named .pdf
        (
            "laporan.docx",
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200 + b"This program cannot be run in DOS mode",
            "content",
        ),  # an EXE renamed .docx
        ("laporan.docx", DOCM, "content"),  # a macro-enabled document renamed .docx
        ("arsip.docx", b"PK\x03\x04" + b"\x00" * 50, "content"),  # broken zip
        ("tabel.xlsx", DOCX, "content"),  # a Word file renamed .xlsx
        ("gambar.png", image("JPEG"), "content"),
        ("ijazah.pdf", image("PNG"), "content"),
        ("virus.exe", b"MZ\x90\x00", "extension"),
        ("script.html", b"<script>alert(1)</script>", "extension"),
        ("noextension", pdf_bytes(), "extension"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_spoofed_or_disallowed_files_are_refused(name, data, code):
    with pytest.raises(ValidationError) as exc:
        validate_upload(f(name, data))
    assert exc.value.error_list[0].code == code
    assert name.rsplit(".", 1)[-1] in exc.value.messages[0] or code in ("extension", "empty")


def test_oversized_file_is_refused(settings):
    settings.DOCUMENTS_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        validate_upload(f("besar.pdf", b"%PDF-1.7\n" + b"0" * 2048))
    assert exc.value.error_list[0].code == "size"


def test_secret_documents_must_be_pdf(cast):
    with pytest.raises(services.DocumentError) as exc:
        services.document_create(
            created_by=cast["clerk"].user,
            title="Foto",
            category=category("disiplin"),
            classification=Classification.RAHASIA,
            file=f("foto.png", image("PNG")),
            subject_employee=cast["subject"],
        )
    assert exc.value.code == "pdf_only"


def test_files_are_stored_privately_under_generated_names(cast):
    doc = services.document_create(
        created_by=cast["clerk"].user,
        title="SK",
        category=category("sk-pns"),
        classification=Classification.TERBATAS,
        file=f("../../etc/passwd SK Budi.pdf", pdf_bytes()),
        subject_employee=cast["subject"],
    )
    version = doc.current_version
    assert version.storage_name.startswith("documents/") and version.storage_name.endswith(".pdf")
    assert "Budi" not in version.storage_name and ".." not in version.storage_name
    assert private_storage().exists(version.storage_name)
    assert version.content_type == "application/pdf" and version.size == len(pdf_bytes())


def test_upload_form_shows_the_reason(client, cast):
    client.force_login(cast["hr_in_scope"].user)
    response = client.post(
        reverse("documents:create"),
        {
            "title": "CV",
            "category": category("ijazah").pk,
            "classification": Classification.TERBATAS,
            "subject_nip": cast["subject"].nip,
            "language": "id",
            "file": SimpleUploadedFile("cv.pdf", b"<?php echo 1; ?>"),
        },
    )
    assert response.status_code == 200
    assert "bukan berkas PDF yang sebenarnya" in response.content.decode()  # Indonesian, the default language
    assert not Document.objects.exists()


def test_hr_files_document_through_the_form(client, cast):
    client.force_login(cast["hr_in_scope"].user)
    response = client.post(
        reverse("documents:create"),
        {
            "title": "SK Kenaikan Pangkat III/b",
            "category": category("sk-pangkat").pk,
            "classification": Classification.TERBATAS,
            "subject_nip": cast["subject"].nip,
            "language": "id",
            "number": "800/123/2025",
            "file": SimpleUploadedFile("sk.pdf", pdf_bytes()),
        },
    )
    doc = Document.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("documents:detail", args=[doc.pk])
    assert doc.subject_employee == cast["subject"] and doc.created_by == cast["hr_in_scope"].user


def test_hr_cannot_file_outside_scope(cast):
    with pytest.raises(services.DocumentError):
        services.document_create(
            created_by=cast["hr_out_of_scope"].user,
            title="SK",
            category=category("sk-pns"),
            classification=Classification.TERBATAS,
            file=f("sk.pdf", pdf_bytes()),
            subject_employee=cast["subject"],
        )


def test_non_hr_cannot_open_the_filing_form(client, cast):
    client.force_login(cast["payroll_officer"].user)
    assert client.get(reverse("documents:create")).status_code == 403


# --- clamd -----------------------------------------------------------------------------------------------------------
class FakeClamd:
    """A clamd speaking INSTREAM on a unix socket: answers FOUND when the stream contains the EICAR marker."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(4)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            with conn:
                buf = b""
                while b"\0" not in buf:
                    buf += conn.recv(64)
                rest = buf.split(b"\0", 1)[1]
                data = b""
                while True:
                    while len(rest) < 4:
                        rest += conn.recv(65536)
                    (n,) = struct.unpack("!L", rest[:4])
                    rest = rest[4:]
                    if n == 0:
                        break
                    while len(rest) < n:
                        rest += conn.recv(65536)
                    data += rest[:n]
                    rest = rest[n:]
                if b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE" in data:
                    conn.sendall(b"stream: Eicar-Test-Signature FOUND\0")
                else:
                    conn.sendall(b"stream: OK\0")

    def close(self):
        self.sock.close()


@pytest.fixture
def clamd(settings, tmp_path):
    path = f"/tmp/serambi-clamd-{os.getpid()}-{id(tmp_path)}.sock"
    server = FakeClamd(path)
    settings.DOCUMENTS_CLAMD_SOCKET = path
    yield server
    server.close()
    os.unlink(path)


def test_clamd_clean_file_is_marked_scanned(clamd, cast):
    doc = services.document_create(
        created_by=cast["clerk"].user,
        title="SK",
        category=category("sk-pns"),
        classification=Classification.TERBATAS,
        file=f("sk.pdf", pdf_bytes()),
        subject_employee=cast["subject"],
    )
    assert doc.current_version.scanned is True


def test_clamd_infected_file_is_refused(clamd):
    eicar = pdf_bytes() + b"\n% X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*\n"
    with pytest.raises(ValidationError) as exc:
        validate_upload(f("sk.pdf", eicar))
    assert exc.value.error_list[0].code == "virus" and "Eicar-Test-Signature" in exc.value.messages[0]


def test_clamd_unreachable_fails_closed(settings):
    settings.DOCUMENTS_CLAMD_SOCKET = "/nonexistent/clamd.sock"
    with pytest.raises(ValidationError) as exc:
        validate_upload(f("sk.pdf", pdf_bytes()))
    assert exc.value.error_list[0].code == "scanner"
    settings.DOCUMENTS_CLAMD_FAIL_CLOSED = False
    validate_upload(f("sk.pdf", pdf_bytes()))
