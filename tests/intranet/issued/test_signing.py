"""The signer: where the signature goes (the template's slot, else the bottom right of the last page), which signer
the settings choose (demo, an agency's PKCS#12 file, a PKCS#11 token, the national TTE service) and what each needs."""

import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.exceptions import ImproperlyConfigured

from intranet.core.pdf import html_to_pdf
from intranet.issued import demo_ca, signing
from tests.intranet.issued import pdfcheck

BLOCK = signing.SignatureBlock(
    signer_name="Dr. Siti Rahma, S.Kom., M.T.",
    signer_title="Kepala Biro Sumber Daya Manusia",
    signed_at="5 Desember 2026 10:00 WIB",
    code="Abc_def-123456789012345",
    url="https://serambi.example.go.id/verifikasi/Abc_def-123456789012345/",
)
SLOT = '<div id="tte" class="tte-slot" style="width:80mm;height:30mm;margin-left:{left}mm"></div>'


@pytest.fixture
def fresh_signer():
    signing.reset()
    yield
    signing.reset()


def _field_rect(data: bytes) -> tuple[int, list[float]]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data))
    widget = reader.root["/AcroForm"]["/Fields"][0].get_object()
    page_ref = widget.raw_get("/P")
    pages = [reader.find_page_for_modification(i)[0].idnum for i in range(reader.root["/Pages"]["/Count"])]
    return pages.index(page_ref.idnum), [float(v) for v in widget["/Rect"]]


def test_the_signature_goes_into_the_templates_slot():
    html = (
        "<style>@page { margin: 10mm } body { margin: 0 }</style>"
        "<p style='page-break-after:always'>halaman satu</p><p>halaman dua</p>" + SLOT.format(left=20)
    )
    signed = signing.current_signer().sign(html_to_pdf(html), BLOCK)
    page, (x1, y1, x2, y2) = _field_rect(signed)
    assert page == 1  # the slot's page, not the first
    mm = 72 / 25.4
    assert abs((x2 - x1) - 80 * mm) < 1 and abs((y2 - y1) - 30 * mm) < 1
    assert abs(x1 - (10 + 20) * mm) < 1  # the page margin and the slot's own offset
    assert pdfcheck.validate(signed).intact


def test_without_a_slot_it_goes_to_the_bottom_right_of_the_last_page():
    html = "<p style='page-break-after:always'>satu</p><p style='page-break-after:always'>dua</p><p>tiga</p>"
    signed = signing.current_signer().sign(html_to_pdf(html), BLOCK)
    page, (x1, y1, x2, _y2) = _field_rect(signed)
    assert page == 2 and x2 > 500 and y1 < 60
    lines = pdfcheck.stamp_lines(signed)
    assert "DEMO - TIDAK SAH" in lines and f"Kode: {BLOCK.code}" in lines and "Dr. Siti Rahma, S.Kom., M.T." in lines


def test_an_agency_pkcs12_file_from_settings_signs_without_demo(settings, tmp_path, fresh_signer):
    ca, p12, passphrase = demo_ca.ensure(tmp_path / "agency")  # stands in for the agency's certificate
    key, cert, chain = pkcs12.load_key_and_certificates(p12.read_bytes(), passphrase)
    agency = tmp_path / "agency.p12"
    agency.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"agency", key, cert, chain, serialization.BestAvailableEncryption(b"rahasia-negara")
        )
    )
    settings.SERAMBI_SIGNER = "pkcs12"
    settings.SERAMBI_SIGNER_PKCS12_PATH = str(agency)
    settings.SERAMBI_SIGNER_PKCS12_PASSPHRASE = "rahasia-negara"
    settings.SERAMBI_SIGNER_TRUST_ROOTS = [str(ca)]
    signer = signing.current_signer()
    assert not signer.demo
    signed = signer.sign(html_to_pdf("<p>surat</p>"), BLOCK)
    assert "DEMO - TIDAK SAH" not in pdfcheck.stamp_lines(signed)
    from intranet.issued.verification import signature_status

    assert signature_status(signed) == ("intact", True)  # trusted through SERAMBI_SIGNER_TRUST_ROOTS


def test_a_wrong_pkcs12_passphrase_is_a_configuration_error(settings, tmp_path, fresh_signer):
    _ca, p12, _passphrase = demo_ca.ensure(tmp_path / "agency")
    settings.SERAMBI_SIGNER, settings.SERAMBI_SIGNER_PKCS12_PATH = "pkcs12", str(p12)
    settings.SERAMBI_SIGNER_PKCS12_PASSPHRASE = "salah"
    with pytest.raises((ImproperlyConfigured, ValueError)):
        signing.current_signer()
    settings.SERAMBI_SIGNER_PKCS12_PATH = str(tmp_path / "missing.p12")
    signing.reset()
    with pytest.raises(ImproperlyConfigured, match="PKCS12_PATH"):
        signing.current_signer()


def test_pkcs11_settings_are_checked(settings, fresh_signer):
    settings.SERAMBI_SIGNER = "pkcs11"
    settings.SERAMBI_SIGNER_PKCS11_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
    settings.SERAMBI_SIGNER_PKCS11_TOKEN = ""
    with pytest.raises(ImproperlyConfigured, match="token_label, key_label"):
        signing.pkcs11_config()
    settings.SERAMBI_SIGNER_PKCS11_TOKEN, settings.SERAMBI_SIGNER_PKCS11_KEY_LABEL = "TTE-BIRO-SDM", "ttd-kepala"
    settings.SERAMBI_SIGNER_PKCS11_PIN = "123456"
    assert signing.pkcs11_config() == {
        "module": "/usr/lib/softhsm/libsofthsm2.so",
        "token_label": "TTE-BIRO-SDM",
        "key_label": "ttd-kepala",
        "cert_label": "ttd-kepala",
        "pin": "123456",
    }
    # no token here: asking for the signer fails with a configuration error or "not available", never silently
    with pytest.raises((ImproperlyConfigured, signing.SigningUnavailable)):
        signing.current_signer()


class _NotAService:
    pass


def test_the_national_tte_service_is_an_interface(settings, fresh_signer):
    settings.SERAMBI_SIGNER, settings.SERAMBI_SIGNER_CLASS = "bsre", ""
    with pytest.raises(ImproperlyConfigured, match="SERAMBI_SIGNER_CLASS"):
        signing.current_signer()
    signing.reset()
    settings.SERAMBI_SIGNER_CLASS = f"{__name__}._NotAService"
    with pytest.raises(ImproperlyConfigured, match="NationalTteService"):
        signing.current_signer()
    with pytest.raises(TypeError):  # abstract: a connector must implement sign()
        signing.NationalTteService()


def test_the_demo_ca_is_made_once_with_private_files(tmp_path):
    first = demo_ca.ensure(tmp_path / "ca")
    assert demo_ca.ensure(tmp_path / "ca") == first
    for path in Path(tmp_path / "ca").iterdir():
        assert path.stat().st_mode & 0o077 == 0, path


def test_operators_see_failures_in_the_admin_without_personal_data(admin_client, db):
    from django.contrib.contenttypes.models import ContentType

    from intranet.issued.models import IssuedDocument

    doc = IssuedDocument.objects.create(
        kind="leave.letter",
        state="failed",
        source_type=ContentType.objects.get_for_model(IssuedDocument),
        source_id="1",
        holder_name="Siti Rahma",
        holder_nip="198503142010022004",
        issuer_unit="Biro SDM",
        attempts=3,
        last_error="OSError: [Errno 28] No space left on device",
    )
    from django.urls import reverse

    listing = admin_client.get(reverse("admin:issued_issueddocument_changelist") + "?state__exact=failed")
    page = admin_client.get(reverse("admin:issued_issueddocument_change", args=[doc.pk])).content.decode()
    listing = listing.content.decode()
    assert "Biro SDM" in listing and "No space left on device" in page
    assert "Siti Rahma" not in listing + page and "198503142010022004" not in listing + page


def test_with_a_tsa_configured_a_signature_is_never_made_without_its_timestamp(settings):
    from tests.ldap_server import free_port

    settings.SERAMBI_SIGNER_TSA_URL = f"http://127.0.0.1:{free_port()}/tsa"  # nobody answers
    from pyhanko.sign.timestamps import TimestampRequestError

    with pytest.raises(TimestampRequestError):  # the document then stays failed and is retried by the sweep
        signing.current_signer().sign(html_to_pdf("<p>surat</p>"), BLOCK)
