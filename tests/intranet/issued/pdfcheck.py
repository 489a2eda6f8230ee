"""Reading an issued PDF the way a recipient's tools do: pyHanko's validator, poppler's pdfsig, a QR decoder."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CODE = re.compile(r"Kode: ([A-Za-z0-9_-]{22})")
SHOWN = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj")
ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)")


def validate(data: bytes, *, password: str = ""):
    """pyHanko's status of the first signature, against the demo CA of this test run."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from intranet.issued.demo_ca import CA_FILE

    reader = PdfFileReader(io.BytesIO(data))
    if password:
        reader.decrypt(password)
    roots = [load_cert_from_pemder(str(Path(settings.SERAMBI_DEMO_CA_DIR) / CA_FILE))]
    return validate_pdf_signature(reader.embedded_signatures[0], ValidationContext(trust_roots=roots))


def appearance(data: bytes, *, password: str = "") -> bytes:
    """The decoded content of the visible signature (its widget's normal appearance and the forms it draws)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data))
    if password:
        reader.decrypt(password)

    def plain(obj):  # objects of an encrypted file come wrapped until decrypted
        obj = obj.get_object()
        return getattr(obj, "decrypted", obj)

    field = plain(reader.root["/AcroForm"]["/Fields"][0])
    stack, out = [plain(field["/AP"]["/N"])], b""
    while stack:
        stream = stack.pop()
        out += stream.data
        resources = plain(stream["/Resources"]) if "/Resources" in stream else {}
        xobjects = plain(resources["/XObject"]) if "/XObject" in resources else {}
        for xobject in xobjects.values():
            stack.append(plain(xobject))
    return out


def stamp_lines(data: bytes, *, password: str = "") -> list[str]:
    """The text lines of the visible signature, PDF string escapes decoded."""

    def unescape(match):
        value = match.group(1)
        return bytes([int(value, 8)]) if value[:1].isdigit() else value

    return [
        ESCAPE.sub(unescape, m.group(1)).decode("latin-1") for m in SHOWN.finditer(appearance(data, password=password))
    ]


def code_of(data: bytes, *, password: str = "") -> str:
    return next(CODE.fullmatch(line).group(1) for line in stamp_lines(data, password=password) if CODE.fullmatch(line))


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils zbar-tools)")
    return path


def pdfsig(path: Path) -> str:
    return subprocess.run([tool("pdfsig"), str(path)], capture_output=True, text=True, check=False).stdout  # noqa: S603


def qr_codes(path: Path, tmp_path: Path) -> list[str]:
    """Every QR code on the PDF's pages, read from a 150 dpi rendering by zbarimg."""
    subprocess.run([tool("pdftoppm"), "-png", "-r", "150", str(path), str(tmp_path / "page")], check=True)  # noqa: S603
    found = []
    for png in sorted(tmp_path.glob("page*.png")):
        out = subprocess.run([tool("zbarimg"), "-q", "--raw", str(png)], capture_output=True, text=True, check=False)  # noqa: S603
        found += [line for line in out.stdout.splitlines() if line]
    return found
