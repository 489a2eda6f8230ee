"""NIP enumeration: an officer must not learn whether a NIP exists outside her scope from the answers she gets.

The payroll import (tests/hr/payslips/test_validation.py::test_unknown_and_out_of_scope_nips_are_indistinguishable)
and the HR document filing form both answer a NIP outside the scope exactly as a NIP nobody has.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hr.documents.models import Classification, Document
from hr.org.models import Employee
from tests.hr.documents import conftest as document_fixtures
from tests.hr.documents.conftest import category, pdf_bytes

cast = document_fixtures.cast
_fast_passwords = document_fixtures._fast_passwords

pytestmark = pytest.mark.django_db


def _file_for(client, nip: str) -> str:
    response = client.post(
        reverse("documents:create"),
        {
            "title": "SK",
            "category": category("sk-pangkat").pk,
            "classification": Classification.TERBATAS,
            "subject_nip": nip,
            "language": "id",
            "file": SimpleUploadedFile("sk.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 200
    return response.content.decode()


def _errors(html: str) -> list[str]:
    import re

    return re.findall(r'class="[^"]*(?:errorlist|invalid-feedback|error)[^"]*"[^>]*>(.*?)</', html, re.S)


def test_document_filing_form_does_not_reveal_whether_a_nip_exists(client, cast):
    """HR of DIR2 tries the real NIP of an employee in SUB1 (outside her scope) and a NIP nobody has."""
    unknown = "1" * 18
    assert not Employee.objects.filter(nip=unknown).exists()
    client.force_login(cast["hr_out_of_scope"].user)
    real = _file_for(client, cast["subject"].nip)
    fake = _file_for(client, unknown)
    assert "Tidak ada pegawai dengan NIP ini dalam cakupan SDM Anda." in real
    assert _errors(real) == _errors(fake) and _errors(real)
    assert not Document.objects.exists()


def test_document_filing_form_does_not_reveal_whether_a_unit_code_exists(client, cast, org):
    client.force_login(cast["hr_out_of_scope"].user)
    answers = []
    for code in (org["SUB1"].code, "TIDAK-ADA"):
        response = client.post(
            reverse("documents:create"),
            {"title": "SK", "category": category("sk-pangkat").pk, "classification": Classification.TERBATAS,
             "unit_code": code, "language": "id", "file": SimpleUploadedFile("sk.pdf", pdf_bytes())},
        )
        answers.append(_errors(response.content.decode()))
    assert answers[0] == answers[1] and answers[0]
