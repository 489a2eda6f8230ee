"""Fixtures for HR documents: a cast of users around one employee, and one document per classification."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from hr.documents import services
from hr.documents.models import Category, Classification, DocumentUserObjectPermission
from hr.org.models import HRScope
from intranet.accounts.roles import Role
from tests import factories

_PDF: bytes | None = None


def pdf_bytes(pages: int = 1) -> bytes:
    """A small valid PDF (blank A4 pages), generated once."""
    global _PDF
    if pages == 1 and _PDF is not None:
        return _PDF
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    data = out.getvalue()
    if pages == 1:
        _PDF = data
    return data


def upload(name: str = "sk.pdf", data: bytes | None = None, content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if data is None else data, content_type=content_type)


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def emp(unit, username, *, position=None, roles=(), **kw):
    user = factories.UserFactory(username=username, first_name=username.replace("_", " ").title())
    return factories.EmployeeFactory(user=user, unit=unit, position=position, roles=list(roles), **kw)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Eleven accounts per test: hash their passwords cheaply (the hasher is not what these tests are about)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cast(org):
    """Everyone in the access matrix. The subject works in SUB1 (under DIR1); HR in scope covers DIR1."""
    sub1, dir1, dir2, kem = org["SUB1"], org["DIR1"], org["DIR2"], org["KEM"]
    people = {
        "subject": emp(sub1, "subject"),
        "colleague_same_unit": emp(sub1, "colleague_same"),
        "colleague_other_unit": emp(dir2, "colleague_other"),
        "direct_superior": emp(sub1, "superior", position=sub1.head_position),
        "hr_in_scope": emp(dir2, "hr_in"),
        "hr_out_of_scope": emp(dir2, "hr_out"),
        "payroll_officer": emp(dir2, "payroll"),
        "administrator": emp(dir2, "administrator", roles=[Role.ADMINISTRATOR]),
        "grantee": emp(dir2, "grantee"),
        "expired_grantee": emp(dir2, "expired_grantee"),
        "clerk": emp(kem, "clerk"),
    }
    factories.give_scope(people["hr_in_scope"].user, dir1, HRScope.Kind.HR)
    factories.give_scope(people["hr_out_of_scope"].user, dir2, HRScope.Kind.HR)
    factories.give_scope(people["payroll_officer"].user, dir1, HRScope.Kind.PAYROLL)
    factories.give_scope(people["clerk"].user, kem, HRScope.Kind.HR)
    admin = people["administrator"].user
    admin.is_superuser = admin.is_staff = True
    admin.save(update_fields=["is_superuser", "is_staff"])
    return people


def file_document(
    clerk_user, *, classification, subject=None, unit=None, cat="sk-pangkat", title="Dokumen", number="", versions=1
):
    doc = services.document_create(
        created_by=clerk_user,
        title=title,
        category=category(cat if subject is not None else "surat-edaran"),
        classification=classification,
        file=upload(),
        subject_employee=subject,
        owner_unit=unit,
        number=number,
        document_date=dt.date(2025, 1, 2),
        issuer="Kepala Biro SDM",
        keywords="kepegawaian, contoh",
    )
    for _ in range(versions - 1):
        services.version_add(document=doc, user=clerk_user, file=upload(), note="perbaikan")
    doc.refresh_from_db()
    return doc


def give_grant(doc, granted_by, user, perms=("view", "download"), *, expired=False):
    services.grant_access(
        document=doc,
        granted_by=granted_by,
        perms=set(perms),
        expires_at=timezone.now() + dt.timedelta(days=7),
        user=user,
    )
    if expired:
        DocumentUserObjectPermission.objects.filter(content_object=doc, user=user).update(
            expires_at=timezone.now() - dt.timedelta(hours=1)
        )


@pytest.fixture
def docs(cast, org):
    """One document per matrix column, each with two versions; grantee has view+download on each, the expired
    grantee had the same until an hour ago."""
    clerk = cast["clerk"].user
    subject = cast["subject"]
    result = {
        "biasa": file_document(
            clerk,
            classification=Classification.BIASA,
            unit=org["DIR1"],
            title="Surat Edaran Biasa",
            number="SE-1/2025",
            versions=2,
        ),
        "terbatas_personnel": file_document(
            clerk,
            classification=Classification.TERBATAS,
            subject=subject,
            title="Petikan SK Pangkat III/b",
            number="SK-2/2025",
            versions=2,
        ),
        "terbatas_unit": file_document(
            clerk,
            classification=Classification.TERBATAS,
            unit=org["SUB1"],
            title="Nota Dinas Terbatas",
            number="ND-3/2025",
            versions=2,
        ),
        "rahasia": file_document(
            clerk,
            classification=Classification.RAHASIA,
            subject=subject,
            cat="disiplin",
            title="Keputusan Hukuman Disiplin",
            number="KEP-4/2025",
            versions=2,
        ),
        "sangat_rahasia": file_document(
            clerk,
            classification=Classification.SANGAT_RAHASIA,
            unit=org["DIR1"],
            title="Laporan Investigasi",
            number="LAP-5/2025",
            versions=2,
        ),
    }
    for doc in result.values():
        give_grant(doc, clerk, cast["grantee"].user)
        give_grant(doc, clerk, cast["expired_grantee"].user, expired=True)
    return result


@pytest.fixture
def role_group():
    return Group.objects.get(name=Role.EMPLOYEE.value)
