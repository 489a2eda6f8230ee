"""What the public verification page may say about a code, and the check of an uploaded PDF.

A code is looked up by its SHA-256 (the database holds no codes), so the time a lookup takes says nothing about how
close a guess was; a malformed code, an unknown code and a document not issued yet all look the same. pyHanko is
imported where an upload is checked: it is heavy, and most page views need none of it.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
import re
from dataclasses import dataclass

from . import registry, signing
from .models import IssuedDocument
from .services import code_hash

log = logging.getLogger(__name__)
CODE_RE = re.compile(r"[A-Za-z0-9_-]{22}")
SHOWN = (IssuedDocument.State.READY, IssuedDocument.State.SUPERSEDED, IssuedDocument.State.CANCELLED)
# An upload many times the size of the issued file cannot be it, and a crafted one of a few MB costs the validator
# seconds of CPU: such a file is answered without being parsed. Four times the issued file, at least 1 MB.
PARSE_FACTOR, PARSE_MIN = 4, 1024 * 1024


def find(code: str) -> IssuedDocument | None:
    wanted = code_hash(code if CODE_RE.fullmatch(code or "") else "")
    doc = IssuedDocument.objects.filter(code_hash=wanted, state__in=SHOWN).first()
    if doc is None or not hmac.compare_digest(doc.code_hash or "", wanted):
        return None
    return doc


def mask_nip(nip: str) -> str:
    """The first four and the last three digits: enough to tell two namesakes apart, not enough to reuse."""
    nip = (nip or "").replace(" ", "")
    if len(nip) <= 7:
        return "*" * len(nip)
    return nip[:4] + "*" * (len(nip) - 7) + nip[-3:]


@dataclass(frozen=True)
class Summary:
    kind: str
    issuer_unit: str
    issued_at: object
    holder_name: str
    holder_nip: str
    status: str  # valid / superseded / cancelled
    ended_at: object


def summary(doc: IssuedDocument) -> Summary:
    status = {"ready": "valid", "superseded": "superseded", "cancelled": "cancelled"}[doc.state]
    return Summary(
        kind=registry.label(doc.kind),
        issuer_unit=doc.issuer_unit,
        issued_at=doc.issued_at,
        holder_name=doc.holder_name,
        holder_nip=mask_nip(doc.holder_nip),
        status=status,
        ended_at=doc.ended_at,
    )


@dataclass(frozen=True)
class UploadCheck:
    same_file: bool  # the very bytes issued under this code
    signature: str  # "intact", "broken" or "none" (no readable signature)
    trusted: bool  # the signer's certificate chains to a root this installation trusts


def _password(doc: IssuedDocument) -> str:
    spec = registry.get(doc.kind)
    source = doc.source if spec.password else None
    return spec.password(source) if source is not None else ""


def signature_status(data: bytes, *, password: str = "", roots: list | None = None) -> tuple[str, bool]:
    """("intact" | "broken" | "none", trusted) for the first signature of a PDF, by pyHanko's validator."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        if reader.encrypted:
            if not password:
                return "none", False
            reader.decrypt(password)
        signatures = reader.embedded_signatures
        if not signatures:
            return "none", False
        roots = signing.current_signer().trust_roots() if roots is None else roots
        status = validate_pdf_signature(signatures[0], ValidationContext(trust_roots=roots))
    except Exception as exc:  # noqa: BLE001 - any unreadable upload is "no signature we can check", never a 500
        log.info("uploaded PDF could not be checked: %s", exc)
        return "broken" if b"/ByteRange" in data else "none", False
    intact = status.intact and status.valid and status.coverage is not None and _covers_file(status)
    return ("intact" if intact else "broken"), bool(intact and status.trusted)


def _covers_file(status) -> bool:
    from pyhanko.sign.validation import SignatureCoverageLevel

    return status.coverage >= SignatureCoverageLevel.ENTIRE_REVISION


def check_upload(doc: IssuedDocument, data: bytes) -> UploadCheck:
    same = hmac.compare_digest(hashlib.sha256(data).hexdigest(), doc.file_sha256 or "")
    if not same and len(data) > max(PARSE_FACTOR * (doc.file_size or 0), PARSE_MIN):
        return UploadCheck(same_file=False, signature="none", trusted=False)
    # The holder's password opens the very file issued only: decrypting any upload with it would tell whether the
    # password an upload was encrypted with is hers (her birth date, her NIP).
    signature, trusted = signature_status(data, password=_password(doc) if same else "")
    return UploadCheck(same_file=same, signature=signature, trusted=trusted)
