"""Every form of leave, personnel documents and payroll keeps what was entered when it is refused: an invalid
submission comes back with the submitted values and the error by its field (issue: an approver who forgot the reason
got the page back empty)."""

import datetime as dt
import re
from html import escape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.intranet.security.world import build_cast, build_objects

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org, django_capture_on_commit_callbacks, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cast = build_cast(org)
    objects = build_objects(cast, org, django_capture_on_commit_callbacks)
    objects.cast = cast
    return objects


def _as(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def checked(value: str) -> re.Pattern:
    """A radio or checkbox with this value, checked."""
    return re.compile(rf'<input[^>]*value="{value}"[^>]*checked|<input[^>]*checked[^>]*value="{value}"')


def _later(days: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


LONG = "Untuk melengkapi berkas kenaikan pangkat " * 60  # over the 2,000 characters an access request allows


def _cases(w):
    """(who, url, submitted data, values that must come back, the id of the error tied to its field)."""
    cast, doc = w.cast, w.document
    monday = dt.date(w.year, 3, 2)
    return {
        "leave request": (
            "owner",
            reverse("leave:new"),
            {
                "leave_type": w.leave_pending.leave_type_id,
                "start_date": monday.isoformat(),
                "end_date": monday.isoformat(),
                "reason": "Menjenguk orang tua di Medan",
                "address_during_leave": "Jl. Sisingamangaraja 7, Medan",
                "phone_during_leave": "nomor?",
                "submit": "1",
            },
            ["Menjenguk orang tua di Medan", "Jl. Sisingamangaraja 7, Medan", 'value="nomor?"'],
            "id_phone_during_leave_error",
        ),
        "leave opinion": (
            "superior",
            reverse("leave:decide", args=[w.leave_pending.pk]),
            {"outcome": "change", "reason": "Tenggat laporan triwulan", "proposed_start": _later(400)},
            ["Tenggat laporan triwulan", f'value="{_later(400)}"'],
            "id_proposed_start_error",
        ),
        "leave balance adjustment": (
            "hr_in",
            reverse("leave:hr_adjust"),
            {"employee": cast["owner"].pk, "year": w.year, "days": "0", "reason": "Koreksi cuti bersama"},
            ['value="Koreksi cuti bersama"', 'value="0"'],
            f"adj-error-{cast['owner'].pk}",
        ),
        "document share": (
            "hr_in",
            reverse("documents:share", args=[doc.pk]),
            {"user": "tidak-ada-orangnya", "expires_on": _later(10), "perms": ["download"]},
            ['value="tidak-ada-orangnya"', f'value="{_later(10)}"', checked("download")],
            "id_user_error",
        ),
        "document new version": (
            "hr_in",
            reverse("documents:new_version", args=[doc.pk]),
            {"note": "Perbaikan ejaan nama"},
            ['value="Perbaikan ejaan nama"'],
            "id_file_error",
        ),
        "document access request": (
            "superior",
            reverse("documents:request_access", args=[doc.pk]),
            {"number": doc.number, "reason": LONG},
            [escape(LONG.strip())[:200]],
            "id_reason_error",
        ),
        "document access decision": (
            "hr_in",
            reverse("documents:decide", args=[w.access_request.pk]),
            {f"r{w.access_request.pk}-decision": "approve", f"r{w.access_request.pk}-note": "Hanya untuk rapat"},
            ["Hanya untuk rapat", checked("approve")],
            f"id_r{w.access_request.pk}-expires_on_error",
        ),
        "document verification": (
            "hr_in",
            reverse("documents:verify", args=[w.submitted_document.pk]),
            {f"v{w.submitted_document.pk}-decision": "reject", f"v{w.submitted_document.pk}-note": "  "},
            [checked("reject")],
            f"id_v{w.submitted_document.pk}-note_error",
        ),
        "document verification from the queue": (
            "hr_in",
            reverse("documents:verify", args=[w.submitted_document.pk]),
            {f"v{w.submitted_document.pk}-decision": "reject", "next": "queue"},
            [checked("reject")],
            f"id_v{w.submitted_document.pk}-note_error",
        ),
        "document filing": (
            "hr_in",
            reverse("documents:create"),
            {"title": "Petikan SK Jabatan", "number": "SK-9/2026", "subject_nip": cast["owner"].nip},
            ['value="Petikan SK Jabatan"', 'value="SK-9/2026"'],
            "id_file_error",
        ),
        "document metadata": (
            "hr_in",
            reverse("documents:edit", args=[doc.pk]),
            {"title": "", "keywords": "pangkat, golongan", "language": "id"},
            ['value="pangkat, golongan"'],
            "id_title_error",
        ),
        "own document upload": (
            "owner",
            reverse("documents:submit"),
            {"title": "Sertifikat pelatihan"},
            ['value="Sertifikat pelatihan"'],
            "id_file_error",
        ),
        "payroll upload": (
            "payroll_in",
            reverse("payslips:batches"),
            {"reason": "Koreksi tunjangan kinerja"},
            ["Koreksi tunjangan kinerja"],
            "id_file_error",
        ),
        "payroll component": (
            "payroll_in",
            reverse("payslips:component_new"),
            {
                "code": "",
                "label_id": "Tunjangan khusus",
                "label_en": "Special allowance",
                "kind": "earning",
                "order": "90",
                "active": "on",
            },
            ['value="Tunjangan khusus"', 'value="Special allowance"'],
            "id_code_error",
        ),
    }


CASES = [
    "leave request",
    "leave opinion",
    "leave balance adjustment",
    "document share",
    "document new version",
    "document access request",
    "document access decision",
    "document verification",
    "document verification from the queue",
    "document filing",
    "document metadata",
    "own document upload",
    "payroll upload",
    "payroll component",
]


@pytest.mark.parametrize("name", CASES)
def test_a_refused_form_comes_back_with_what_was_entered(world, name):
    who, url, data, kept, error_id = _cases(world)[name]
    response = _as(world.cast[who].user).post(url, data)
    assert response.status_code == 200, f"{name}: {response.status_code} {response.get('Location')}"
    html = response.content.decode()
    for value in kept:
        found = value.search(html) if isinstance(value, re.Pattern) else value in html
        assert found, f"{name}: {value!r} did not come back"
    assert f'id="{error_id}"' in html, f"{name}: no error by its field"
    described = re.compile(rf'aria-describedby="[^"]*(?<![\w-]){re.escape(error_id)}(?![\w-])')
    assert described.search(html), f"{name}: the control does not name its error"


def test_every_case_is_walked(world):
    assert sorted(_cases(world)) == sorted(CASES)
