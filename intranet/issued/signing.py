"""PAdES signatures (pyHanko) with a visible signature block and a QR code to the verification page.

The signer is chosen by settings.SERAMBI_SIGNER (docs/official-documents.md):

- "demo": a locally made demo CA and signer (`demo_ca`), for `dev.py up` and the tests; the block says DEMO.
- "pkcs12": the agency's certificate in a PKCS#12 file (SERAMBI_SIGNER_PKCS12_PATH, passphrase from the
  environment).
- "pkcs11": a key on a token or HSM through its PKCS#11 module (SERAMBI_SIGNER_PKCS11_*).
- "bsre": the national TTE service; `NationalTteService` is the interface a connector implements.

Placement: a template may hold `<div id="tte" class="tte-slot">` (80 mm × 30 mm); WeasyPrint writes every element id
as a PDF named destination, which gives the slot's page and top-left corner. Without a slot the block goes to the
bottom right of the last page.

pyHanko is imported inside the functions that sign: it is heavy, and only the processes that issue documents need it.
"""

from __future__ import annotations

import abc
import io
import textwrap
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from . import demo_ca

SLOT_ID = "tte"
MM = 72 / 25.4
SLOT_WIDTH, SLOT_HEIGHT = 80 * MM, 30 * MM
FIELD_NAME = "TTE"


@dataclass(frozen=True)
class SignatureBlock:
    """What the visible signature says, and where the QR code points."""

    signer_name: str
    signer_title: str
    signed_at: str  # local time, already formatted
    code: str
    url: str
    reason: str = ""
    location: str = ""


class DocumentSigner(abc.ABC):
    """Signs a finished PDF and returns the signed PDF."""

    demo = False

    @abc.abstractmethod
    def sign(self, pdf: bytes, block: SignatureBlock, *, password: str = "") -> bytes: ...

    def trust_roots(self) -> list:
        """Certificates (asn1crypto) that the verification page trusts for this signer's signatures."""
        from pyhanko.keys import load_cert_from_pemder

        return [load_cert_from_pemder(p) for p in settings.SERAMBI_SIGNER_TRUST_ROOTS]


class NationalTteService(DocumentSigner):
    """Interface for the national electronic signature service (BSrE's TTE). Interface only: an agency enrolled with
    the service implements `sign` in a connector of its own (see docs/official-documents.md) and points
    settings.SERAMBI_SIGNER_CLASS at it.

    The service signs on behalf of a person enrolled with it (identified by NIK) who confirms with their passphrase,
    receives the PDF, places the visible block it is given and returns the signed PDF. It must produce a PAdES
    signature (ETSI.CAdES.detached) so the verification page can check it; its root certificate goes into
    SERAMBI_SIGNER_TRUST_ROOTS."""

    @abc.abstractmethod
    def sign(self, pdf: bytes, block: SignatureBlock, *, password: str = "") -> bytes:
        """Send `pdf` to the service for the enrolled signer and return the signed bytes. Raise `SigningUnavailable`
        when the service cannot be reached (the document is retried later)."""


class SigningUnavailable(Exception):
    """The signer could not be reached now (a token removed, a service down): the document is retried later."""


# --- pyHanko ---------------------------------------------------------------------------------------------------------
def _ascii(text: str) -> str:
    # pyHanko's built-in stamp font covers Latin-1 only.
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def stamp_text(block: SignatureBlock, *, demo: bool) -> str:
    lines = ["DEMO - TIDAK SAH"] if demo else []
    lines.append("Ditandatangani secara elektronik oleh")
    for part in (block.signer_name, block.signer_title):
        lines.extend(textwrap.wrap(_ascii(part), 40)[:2])
    lines.append(_ascii(block.signed_at))
    lines.append(f"Kode: {block.code}")
    return "\n".join(line.replace("%", "%%") for line in lines)


def _plain(obj):
    """The object behind a reference, decrypted when the PDF is encrypted (pyHanko wraps such values)."""
    obj = obj.get_object() if hasattr(obj, "get_object") else obj
    return getattr(obj, "decrypted", obj)


def _named_destinations(root) -> dict:
    """Named destinations of a PDF: the /Dests dictionary and the /Names /Dests name tree (with /Kids)."""
    found = {}
    dests = root.get("/Dests")
    if dests is not None:
        for key, value in _plain(dests).items():
            found[str(_plain(key)).lstrip("/")] = value
    names_root = _plain(root["/Names"]) if "/Names" in root else {}
    stack = [names_root["/Dests"]] if "/Dests" in names_root else []
    while stack:
        node = _plain(stack.pop())
        names = node.get("/Names")
        if names is not None:
            names = list(_plain(names))
            for i in range(0, len(names) - 1, 2):
                found[str(_plain(names[i]))] = names[i + 1]
        stack.extend(_plain(node.get("/Kids", [])))
    return found


def placement(reader) -> tuple[int, tuple[float, float, float, float]]:
    """(page index, box) for the signature field: the template's slot, else the bottom right of the last page."""
    dest = _named_destinations(reader.root).get(SLOT_ID)
    if dest is not None:
        dest = _plain(dest)
        if hasattr(dest, "get") and "/D" in dest:
            dest = _plain(dest["/D"])
        page_ref, left, top = dest.raw_get(0), float(dest[2]), float(dest[3])
        for index in range(reader.root["/Pages"]["/Count"]):
            page, _ = reader.find_page_for_modification(index)
            if page.idnum == page_ref.idnum:
                return index, (left, top - SLOT_HEIGHT, left + SLOT_WIDTH, top)
    last = reader.root["/Pages"]["/Count"] - 1
    page = reader.find_page_for_modification(last)[0].get_object()
    x1, y1, x2, _y2 = (float(v) for v in page["/MediaBox"])
    margin = 15 * MM
    return last, (x2 - margin - SLOT_WIDTH, y1 + margin, x2 - margin, y1 + margin + SLOT_HEIGHT)


class PyHankoSigner(DocumentSigner):
    """A pyHanko signer (a key in a PKCS#12 file, or on a PKCS#11 token) producing PAdES B-B, or B-T with a TSA."""

    def __init__(self, signer, *, demo: bool = False, trust_roots: list | None = None):
        self._signer, self.demo, self._roots = signer, demo, trust_roots

    def trust_roots(self) -> list:
        return self._roots if self._roots is not None else super().trust_roots()

    def sign(self, pdf: bytes, block: SignatureBlock, *, password: str = "") -> bytes:
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.text import TextBoxStyle
        from pyhanko.sign import fields, signers, timestamps
        from pyhanko.stamp import QRStampStyle

        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        if password:
            writer.encrypt(password)
        page, box = placement(writer.prev)
        fields.append_signature_field(writer, fields.SigFieldSpec(FIELD_NAME, box=box, on_page=page))
        meta = signers.PdfSignatureMetadata(
            field_name=FIELD_NAME,
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=_ascii(block.reason) or None,
            location=_ascii(block.location) or None,
            name=_ascii(block.signer_name) or None,
        )
        style = QRStampStyle(
            stamp_text=stamp_text(block, demo=self.demo),
            border_width=1,
            text_box_style=TextBoxStyle(font_size=7),
        )
        tsa_url = settings.SERAMBI_SIGNER_TSA_URL
        timestamper = timestamps.HTTPTimeStamper(tsa_url) if tsa_url else None
        out = signers.PdfSigner(meta, self._signer, timestamper=timestamper, stamp_style=style).sign_pdf(
            writer, appearance_text_params={"url": block.url}
        )
        return out.getvalue()


def _demo() -> PyHankoSigner:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.sign import signers

    ca, p12, passphrase = demo_ca.ensure(Path(settings.SERAMBI_DEMO_CA_DIR))
    signer = signers.SimpleSigner.load_pkcs12(str(p12), passphrase=passphrase)
    return PyHankoSigner(signer, demo=True, trust_roots=[load_cert_from_pemder(str(ca))])


def _pkcs12() -> PyHankoSigner:
    from pyhanko.sign import signers

    path = settings.SERAMBI_SIGNER_PKCS12_PATH
    if not path or not Path(path).is_file():
        raise ImproperlyConfigured("SERAMBI_SIGNER=pkcs12 needs SERAMBI_SIGNER_PKCS12_PATH naming a readable file")
    passphrase = settings.SERAMBI_SIGNER_PKCS12_PASSPHRASE
    signer = signers.SimpleSigner.load_pkcs12(path, passphrase=passphrase.encode() if passphrase else None)
    if signer is None:
        raise ImproperlyConfigured("the PKCS#12 file could not be opened (wrong passphrase or not PKCS#12)")
    return PyHankoSigner(signer)


def pkcs11_config() -> dict:
    """The PKCS#11 settings, checked: the module, the token label, the key (and certificate) label, the PIN."""
    config = {
        "module": settings.SERAMBI_SIGNER_PKCS11_MODULE,
        "token_label": settings.SERAMBI_SIGNER_PKCS11_TOKEN,
        "key_label": settings.SERAMBI_SIGNER_PKCS11_KEY_LABEL,
        "cert_label": settings.SERAMBI_SIGNER_PKCS11_CERT_LABEL or settings.SERAMBI_SIGNER_PKCS11_KEY_LABEL,
        "pin": settings.SERAMBI_SIGNER_PKCS11_PIN,
    }
    missing = [k for k in ("module", "token_label", "key_label") if not config[k]]
    if missing:
        raise ImproperlyConfigured(f"SERAMBI_SIGNER=pkcs11 needs {', '.join(missing)}")
    return config


def _pkcs11() -> PyHankoSigner:
    config = pkcs11_config()
    try:
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign import pkcs11
    except ImportError as exc:  # python-pkcs11 is an optional extra: pip install "pyHanko[pkcs11]"
        raise ImproperlyConfigured(f"PKCS#11 signing needs pyHanko's pkcs11 extra ({exc})") from exc
    try:
        session = pkcs11.open_pkcs11_session(
            config["module"], token_criteria=TokenCriteria(label=config["token_label"]), user_pin=config["pin"] or None
        )
    except Exception as exc:  # noqa: BLE001 - any token error: retried later, the cause is logged by the caller
        raise SigningUnavailable(f"PKCS#11 token not available: {exc}") from exc
    signer = pkcs11.PKCS11Signer(session, cert_label=config["cert_label"], key_label=config["key_label"])
    return PyHankoSigner(signer)


@lru_cache(maxsize=1)
def _cached(kind: str) -> DocumentSigner:
    if kind == "demo":
        return _demo()
    if kind == "pkcs12":
        return _pkcs12()
    if kind == "pkcs11":
        return _pkcs11()
    if kind == "bsre":
        if not settings.SERAMBI_SIGNER_CLASS:
            raise ImproperlyConfigured("SERAMBI_SIGNER=bsre needs SERAMBI_SIGNER_CLASS (a NationalTteService)")
        service = import_string(settings.SERAMBI_SIGNER_CLASS)()
        if not isinstance(service, NationalTteService):
            raise ImproperlyConfigured("SERAMBI_SIGNER_CLASS must implement NationalTteService")
        return service
    raise ImproperlyConfigured(f"unknown SERAMBI_SIGNER {kind!r}: demo, pkcs12, pkcs11 or bsre")


def current_signer() -> DocumentSigner:
    return _cached(settings.SERAMBI_SIGNER)


def reset() -> None:
    """Forget the loaded signer (settings changed, a token re-inserted)."""
    _cached.cache_clear()
