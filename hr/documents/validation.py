"""Upload validation: an allow-list of types, a size limit, and the content sniffed from the bytes and checked against
the extension (a PHP script named .pdf or an EXE renamed .docx is refused). Office formats are zip containers: the
inner `[Content_Types].xml` (DOCX, XLSX) or `mimetype` entry (ODT) decides, once the archive has passed the zip-bomb
limits of `intranet.core.safezip`. Optionally scanned by clamd.

Nothing here trusts the browser's Content-Type: the stored type comes from the sniffed kind.
"""

import io
import socket
import struct
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from intranet.core.images import ImageTooLarge, check_pixels
from intranet.core.safezip import DOCUMENT_LIMITS, UnsafeArchive, check_archive


@dataclass(frozen=True)
class FileKind:
    key: str
    label: str
    extensions: tuple[str, ...]
    content_type: str


KINDS = {
    "pdf": FileKind("pdf", "PDF", ("pdf",), "application/pdf"),
    "jpeg": FileKind("jpeg", "JPG", ("jpg", "jpeg"), "image/jpeg"),
    "png": FileKind("png", "PNG", ("png",), "image/png"),
    "docx": FileKind(
        "docx", "DOCX", ("docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    ),
    "xlsx": FileKind("xlsx", "XLSX", ("xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "odt": FileKind("odt", "ODT", ("odt",), "application/vnd.oasis.opendocument.text"),
}
EXTENSION_KIND = {ext: kind for kind in KINDS.values() for ext in kind.extensions}
ALLOWED_LABEL = ", ".join(k.label for k in KINDS.values())

# The main-part content types that identify an OOXML package (from [Content_Types].xml).
_OOXML_MAIN = {
    "docx": b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "xlsx": b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
}
_CONTENT_TYPES_MAX = 256 * 1024


def max_upload_bytes() -> int:
    return settings.DOCUMENTS_MAX_UPLOAD_BYTES


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def sniff(data: bytes) -> str | None:
    """The kind key the bytes really are, or None when they are none of the allowed kinds."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"PK\x03\x04"):
        return _sniff_zip(data)
    return None


def _sniff_zip(data: bytes) -> str | None:
    """Raises UnsafeArchive for a zip bomb (checked before anything is read from the archive)."""
    try:
        check_archive(data, DOCUMENT_LIMITS)
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = {i.filename: i for i in zf.infolist()}
            mimetype = names.get("mimetype")
            if mimetype is not None and mimetype.file_size < 200:
                if zf.read("mimetype").strip() == b"application/vnd.oasis.opendocument.text":
                    return "odt"
                return None
            ct = names.get("[Content_Types].xml")
            if ct is None or ct.file_size > _CONTENT_TYPES_MAX:
                return None
            content_types = zf.read("[Content_Types].xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, RuntimeError, NotImplementedError, EOFError):
        return None
    for key, main in _OOXML_MAIN.items():
        if main in content_types:
            return key
    return None


@dataclass(frozen=True)
class ValidatedFile:
    kind: FileKind
    data: bytes
    name: str
    scanned: bool


def validate_upload(uploaded, *, pdf_only: bool = False) -> ValidatedFile:
    """Check an UploadedFile; return it validated or raise ValidationError with a clear, translated message."""
    name = uploaded.name or ""
    ext = extension_of(name)
    expected = EXTENSION_KIND.get(ext)
    if expected is None:
        raise ValidationError(
            _("Files of type “.%(ext)s” are not accepted. Allowed: %(allowed)s.")
            % {"ext": ext or "?", "allowed": ALLOWED_LABEL},
            code="extension",
        )
    limit = max_upload_bytes()
    if uploaded.size is None or uploaded.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
            % {"size": round((uploaded.size or 0) / 1_048_576, 1), "limit": round(limit / 1_048_576, 1)},
            code="size",
        )
    if uploaded.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    uploaded.seek(0)
    data = uploaded.read()
    uploaded.seek(0)
    try:
        actual = sniff(data)
    except UnsafeArchive as exc:
        raise ValidationError(exc.message, code="archive") from None
    if actual != expected.key:
        raise ValidationError(
            _("The file's content does not match its name: “%(name)s” is not a real %(label)s file.")
            % {"name": name, "label": expected.label},
            code="content",
        )
    if expected.key in ("png", "jpeg"):
        try:
            check_pixels(io.BytesIO(data))
        except ImageTooLarge as exc:
            raise ValidationError(str(exc), code="pixels") from None
    if pdf_only and expected.key != "pdf":
        raise ValidationError(
            _("Rahasia and Sangat Rahasia documents must be PDF files, so that every download can be watermarked."),
            code="pdf_only",
        )
    scanned = scan(data)
    return ValidatedFile(kind=expected, data=data, name=name, scanned=scanned)


class ScannerUnavailable(Exception):
    pass


def clamd_scan(data: bytes) -> str | None:
    """Scan with clamd's INSTREAM command. Returns None when clean, the signature name when infected.
    Raises ScannerUnavailable when clamd cannot be reached or answers something unexpected."""
    unix = settings.DOCUMENTS_CLAMD_SOCKET
    try:
        if unix:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target: object = unix
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            target = (settings.DOCUMENTS_CLAMD_HOST, settings.DOCUMENTS_CLAMD_PORT)
        sock.settimeout(settings.DOCUMENTS_CLAMD_TIMEOUT)
        with sock:
            sock.connect(target)
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), 65536):
                chunk = data[start : start + 65536]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith("OK") and "FOUND" not in text:
        return None
    if text.endswith("FOUND"):
        return text.split(":", 1)[-1].removesuffix("FOUND").strip() or "unknown"
    raise ScannerUnavailable(text)


def scanner_enabled() -> bool:
    return bool(settings.DOCUMENTS_CLAMD_SOCKET or settings.DOCUMENTS_CLAMD_HOST)


def scan(data: bytes) -> bool:
    """Scan when clamd is configured. Returns True when the bytes were scanned (and are clean)."""
    if not scanner_enabled():
        return False
    try:
        found = clamd_scan(data)
    except ScannerUnavailable:
        if settings.DOCUMENTS_CLAMD_FAIL_CLOSED:
            raise ValidationError(
                _("The virus scanner is not available; please try again later."), code="scanner"
            ) from None
        return False
    if found:
        raise ValidationError(
            _("The file was refused by the virus scanner (%(name)s).") % {"name": found}, code="virus"
        )
    return True
