"""Segregation of duties, from the officer's side: an HR or payroll officer who is also an employee in her own scope
tries to act as an officer on her own leave, payslip and personnel file, and an HR officer tries to spread a Rahasia
document wide. Each attempt is refused through the real views, changes nothing, and leaves a denied audit entry with
its reason; a second officer can do the same act."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from hr.documents import services as documents
from hr.documents.models import Category, Classification, Document, DocumentGroupObjectPermission
from hr.documents.models import DocumentUserObjectPermission as UserGrant
from hr.leave import services as leave
from hr.leave.models import LeaveRequest
from hr.org.models import Delegation
from hr.payslips import demo
from hr.payslips import services as payslips
from hr.payslips.models import PayslipBatch
from intranet.accounts.roles import Role
from intranet.audit.models import AuditEntry
from tests.attacks.segregation_fixtures import make_world, next_year_monday, pdf_upload
from tests.hr.payslips.conftest import row_for

pytestmark = pytest.mark.django_db
Status = LeaveRequest.Status


@pytest.fixture
def world(org, settings):
    return make_world(org, settings)


def refusals(user, act):
    return AuditEntry.objects.filter(
        action="segregation.refused", actor=user, outcome="denied", details__act=act, details__reason="own record"
    )


def shares_until():
    return (timezone.localdate() + dt.timedelta(days=5)).isoformat()


# --- leave -------------------------------------------------------------------------------------------------------
def test_hr_officer_cannot_adjust_her_own_leave_balance_but_a_colleague_can(client, world):
    leave.allocate_year(year=world.year, employee_ids=[world.hr.pk])
    before = leave.ledger_balance(world.hr.pk, world.annual.pk, world.year)
    form = {"employee": world.hr.pk, "year": world.year, "days": 30, "reason": "lembur"}
    client.force_login(world.hr.user)
    client.post(reverse("leave:hr_adjust"), form)
    assert leave.ledger_balance(world.hr.pk, world.annual.pk, world.year) == before
    entry = refusals(world.hr.user, "leave.ledger.adjust").get()
    assert entry.subject_employee == world.hr and entry.subject_key == str(world.hr.pk)

    client.force_login(world.hr_other.user)
    client.post(reverse("leave:hr_adjust"), form)
    assert leave.ledger_balance(world.hr.pk, world.annual.pk, world.year) == before + 30
    done = AuditEntry.objects.get(action="leave.ledger.adjust", actor=world.hr_other.user)
    assert done.details["reason"] == "lembur", "the act is audited with its reason"


def _approved_leave(world, employee):
    leave.allocate_year(year=world.year, employee_ids=[employee.pk])
    start = next_year_monday(world.year)
    req = leave.leave_request_submit(
        employee=employee, leave_type=world.annual, start_date=start, end_date=start + dt.timedelta(days=1),
        reason="Keperluan keluarga", address_during_leave="Jl. Melati 2", phone_during_leave="0812 3456 7890",
    )
    LeaveRequest.objects.filter(pk=req.pk).update(status=Status.APPROVED)
    return req


def test_hr_officer_cannot_cancel_her_own_started_leave_as_hr(client, world):
    req = _approved_leave(world, world.hr)
    LeaveRequest.objects.filter(pk=req.pk).update(start_date=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(world.hr.user)
    client.post(reverse("leave:cancel", args=[req.pk]), {"reason": "salah input"})
    assert LeaveRequest.objects.get(pk=req.pk).status == Status.APPROVED
    assert refusals(world.hr.user, "leave.cancel").exists()
    client.force_login(world.hr_other.user)
    client.post(reverse("leave:cancel", args=[req.pk]), {"reason": "salah input"})
    assert LeaveRequest.objects.get(pk=req.pk).status == Status.CANCELLED


def test_acting_superior_cannot_decide_her_own_leave(client, world):
    """Made Plt of her own superior's position after submitting, an employee would otherwise decide her own request."""
    sub1 = world.org["SUB1"]
    today = timezone.localdate()
    leave.allocate_year(year=world.year, employee_ids=[world.staff[0].pk])
    start = next_year_monday(world.year)
    req = leave.leave_request_submit(
        employee=world.staff[0], leave_type=world.annual, start_date=start, end_date=start,
        reason="Keperluan keluarga", address_during_leave="Jl. Melati 2", phone_during_leave="0812 3456 7890",
    )
    steps = req.steps.count()
    Delegation.objects.create(
        position=sub1.head_position, acting=world.staff[0], kind=Delegation.Kind.PLT,
        start_date=today - dt.timedelta(days=1), end_date=today + dt.timedelta(days=400), decree_number="800/1/2026",
    )
    client.force_login(world.staff[0].user)
    client.post(reverse("leave:decide", args=[req.pk]), {"outcome": "approve", "reason": ""})
    req.refresh_from_db()
    assert req.steps.count() == steps and req.status == Status.AWAITING_SUPERIOR
    assert refusals(world.staff[0].user, "leave.decide").exists()


# --- personnel file -----------------------------------------------------------------------------------------------
def _file_about(filer, subject, classification=Classification.TERBATAS):
    return documents.document_create(
        created_by=filer, title="SK Kenaikan Pangkat", category=Category.objects.get(code="sk-pangkat"),
        classification=classification, file=pdf_upload(), subject_employee=subject,
    )


def test_hr_officer_cannot_file_into_her_own_personnel_file(client, world):
    client.force_login(world.hr.user)
    client.post(reverse("documents:create"), {
        "title": "SK palsu", "category": Category.objects.get(code="sk-pangkat").pk,
        "classification": Classification.TERBATAS, "subject_nip": world.hr.nip, "language": "id",
        "file": pdf_upload(),
    })
    assert not Document.objects.exists()
    assert refusals(world.hr.user, "document.upload").exists()


def test_hr_officer_cannot_edit_or_share_her_own_personnel_file(client, world):
    doc = _file_about(world.hr_other.user, world.hr)
    client.force_login(world.hr.user)
    client.post(reverse("documents:edit", args=[doc.pk]), {"title": "Diganti", "language": "id"})
    client.post(reverse("documents:share", args=[doc.pk]), {"user": world.staff[0].user.username,
                                                             "expires_on": shares_until()})
    doc.refresh_from_db()
    assert doc.title == "SK Kenaikan Pangkat"
    assert not UserGrant.objects.filter(content_object=doc, user=world.staff[0].user).exists()
    assert refusals(world.hr.user, "document.edit").exists() and refusals(world.hr.user, "document.grant").exists()


def test_hr_officer_cannot_revoke_shares_of_or_grant_requests_for_her_own_file(client, world):
    doc = _file_about(world.hr_other.user, world.hr)
    expires = timezone.now() + dt.timedelta(days=5)
    documents.grant_access(document=doc, granted_by=world.hr_other.user, perms={"view"}, expires_at=expires,
                           user=world.staff[0].user)
    access = documents.access_request_create(document=doc, requester=world.staff[1].user, reason="Untuk audit")
    client.force_login(world.hr.user)
    client.post(reverse("documents:revoke", args=[doc.pk]), {"kind": "user", "id": world.staff[0].user.pk})
    client.post(reverse("documents:decide", args=[access.pk]),
                {f"r{access.pk}-decision": "approve", f"r{access.pk}-expires_on": shares_until()})
    assert UserGrant.objects.filter(content_object=doc, user=world.staff[0].user).exists()
    assert not UserGrant.objects.filter(content_object=doc, user=world.staff[1].user).exists()
    assert refusals(world.hr.user, "document.revoke").exists()
    assert refusals(world.hr.user, "document.access_decide").exists()


def test_hr_officer_cannot_verify_her_own_submission(client, world):
    doc = documents.employee_submit(
        user=world.hr.user, title="Ijazah S2", category=Category.objects.filter(employee_may_upload=True).first(),
        file=pdf_upload(),
    )
    client.force_login(world.hr.user)
    client.post(reverse("documents:verify", args=[doc.pk]), {f"v{doc.pk}-decision": "verify"})
    doc.refresh_from_db()
    assert doc.verification == Document.Verification.PENDING
    assert refusals(world.hr.user, "document.verify").exists()
    client.force_login(world.hr_other.user)
    client.post(reverse("documents:verify", args=[doc.pk]), {f"v{doc.pk}-decision": "verify"})
    doc.refresh_from_db()
    assert doc.verification == Document.Verification.VERIFIED


@pytest.mark.parametrize("classification", [Classification.RAHASIA, Classification.SANGAT_RAHASIA])
def test_a_classified_document_is_never_shared_with_a_whole_role_group(client, world, classification):
    from django.contrib.auth.models import Group

    doc = _file_about(world.hr_other.user, world.staff[0], classification)
    client.force_login(world.hr_other.user)
    client.post(reverse("documents:share", args=[doc.pk]),
                {"group": Group.objects.get(name=Role.EMPLOYEE.value).pk, "expires_on": shares_until()})
    assert not DocumentGroupObjectPermission.objects.filter(content_object=doc).exists()
    entry = AuditEntry.objects.get(action="document.grant.refused", actor=world.hr_other.user)
    assert entry.outcome == "denied" and entry.details["reason"] == "classified group grant"


def test_a_classified_document_is_shared_with_a_few_people_at_most(client, world, settings):
    settings.DOCUMENTS_CLASSIFIED_MAX_GRANTEES = 4
    doc = _file_about(world.hr_other.user, world.staff[0], Classification.RAHASIA)  # the filer holds one place
    client.force_login(world.hr_other.user)
    for person in world.staff[1:6]:
        client.post(reverse("documents:share", args=[doc.pk]), {"user": person.user.username,
                                                                 "expires_on": shares_until()})
    granted = set(UserGrant.objects.filter(content_object=doc).values_list("user__username", flat=True))
    assert granted == {world.hr_other.user.username, "staff_1", "staff_2", "staff_3"}
    refused = AuditEntry.objects.filter(action="document.grant.refused", details__reason="classified grantee limit")
    assert {e.details["grantee"] for e in refused} == {"user:staff_4", "user:staff_5"}
    # An unclassified document is not limited.
    plain = _file_about(world.hr_other.user, world.staff[0], Classification.TERBATAS)
    for person in world.staff[1:7]:
        client.post(reverse("documents:share", args=[plain.pk]), {"user": person.user.username,
                                                                   "expires_on": shares_until()})
    assert UserGrant.objects.filter(content_object=plain).values("user").distinct().count() >= 6


# --- payslips ----------------------------------------------------------------------------------------------------
def test_payroll_officer_cannot_import_her_own_payslip(world):
    data = demo.csv_bytes([row_for(world.staff[0]), row_for(world.payroll)])
    with translation.override("en"):  # problems are written in the language the file was uploaded in
        batch = payslips.batch_upload(user=world.payroll.user, uploaded_file=_file(data), run_async=False)
    batch = payslips.batch_validate(batch_id=batch.pk)
    assert batch.status == PayslipBatch.Status.INVALID
    assert any("your own payslip" in p["message"] for p in batch.errors), batch.errors
    assert refusals(world.payroll.user, "payslip.import").exists()


def test_payroll_officer_cannot_publish_a_batch_holding_her_own_payslip(client, world):
    data = demo.csv_bytes([row_for(world.staff[0]), row_for(world.payroll)])
    batch = payslips.batch_upload(user=world.payroll_other.user, uploaded_file=_file(data), run_async=False)
    batch = payslips.batch_validate(batch_id=batch.pk)
    assert batch.status == PayslipBatch.Status.READY, batch.errors
    client.force_login(world.payroll.user)
    client.post(reverse("payslips:batch_publish", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == PayslipBatch.Status.READY
    assert refusals(world.payroll.user, "payslip.publish").exists()
    client.force_login(world.payroll_other.user)
    client.post(reverse("payslips:batch_publish", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == PayslipBatch.Status.PUBLISHED


def _file(data):
    from django.core.files.base import ContentFile

    return ContentFile(data, name="gaji.csv")


# --- the Django admin ----------------------------------------------------------------------------------------------
def test_an_administrator_cannot_edit_her_own_personnel_record_or_give_herself_a_scope(client, world, settings):
    from hr.org.models import HRScope

    admin_user = world.hr.user
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    base = "/" + settings.DJANGO_ADMIN_PATH
    client.force_login(admin_user)
    own = client.post(f"{base}org/employee/{world.hr.pk}/change/", {"name": "Diganti"})
    assert own.status_code == 403
    world.hr.refresh_from_db()
    assert world.hr.name != "Diganti"
    assert refusals(admin_user, "admin.employee").exists()
    other = client.get(f"{base}org/employee/{world.staff[0].pk}/change/")
    assert other.status_code == 200 and 'name="_save"' in other.content.decode(), "another employee's stays editable"

    scopes = HRScope.objects.count()
    response = client.post(
        f"{base}org/hrscope/add/",
        {"user": admin_user.pk, "kind": HRScope.Kind.PAYROLL, "unit": world.org["KEM"].pk, "source": "manual"},
    )
    assert response.status_code == 200 and HRScope.objects.count() == scopes
    assert refusals(admin_user, "admin.hrscope").exists()
