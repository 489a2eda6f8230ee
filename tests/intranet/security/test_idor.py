"""IDOR probes: walking through sequential ids, other people's UUIDs, and form fields swapped to name someone else.
Every probe is refused and changes nothing."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from hr.documents.models import Document
from hr.leave.models import LeaveRequest, LedgerEntry
from hr.payslips.models import PayslipBatch
from intranet.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _status(client, path, method="get", data=None):
    response = getattr(client, method)(path, data or {})
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # the test client closes the response (and the file) at the end
    return response.status_code


def test_walking_sequential_ids_finds_nothing(world):
    """The colleague owns none of these objects: every id from 1 to well past the last one answers 404, whether
    the object exists or not (the answer does not confirm existence)."""
    colleague = _as(world.cast["colleague"].user)
    last_leave = LeaveRequest.objects.order_by("-pk").first().pk
    last_doc = Document.objects.order_by("-pk").first().pk
    probes = []
    for pk in range(1, last_leave + 10):
        probes += [reverse(f"leave:{name}", args=[pk]) for name in ("detail", "letter", "document", "form", "form_pdf")]
    for pk in range(1, last_doc + 10):
        if pk == world.document.pk:
            continue  # the colleague asked for access to this one; asking is not seeing (checked below)
        probes += [reverse("documents:detail", args=[pk]), reverse("documents:download", args=[pk])]
    probes += [reverse("documents:detail", args=[world.document.pk]), reverse("documents:download", args=[world.document.pk])]
    answers = {path: _status(colleague, path) for path in probes}
    assert len(answers) > 20
    assert {path: code for path, code in answers.items() if code != 404} == {}


def test_other_peoples_uuids_are_refused(world):
    owner = _as(world.cast["owner"].user)
    theirs = world.colleague_payslip.pk
    for name in ("payslips:detail", "payslips:pdf"):
        assert _status(owner, reverse(name, args=[theirs])) == 404, name
        assert _status(owner, reverse(name, args=[uuid.uuid4()])) == 404, name  # a guessed one
    # A payroll officer of another directorate cannot open, publish or discard the batch of DIR1.
    payroll_out = _as(world.cast["payroll_out"].user)
    for name in ("payslips:batch", "payslips:batch_rows", "payslips:batch_errors"):
        assert _status(payroll_out, reverse(name, args=[world.draft_batch.pk])) == 404, name
    for name in ("payslips:batch_publish", "payslips:batch_discard"):
        assert _status(payroll_out, reverse(name, args=[world.draft_batch.pk]), "post") == 404, name
    world.draft_batch.refresh_from_db()
    assert world.draft_batch.status == PayslipBatch.Status.READY


def test_leave_form_ignores_a_swapped_employee(world):
    """Posting another employee's id (under any plausible field name) to the leave form files the request for the
    signed-in employee only."""
    colleague, owner = world.cast["colleague"], world.cast["owner"]
    before = LeaveRequest.objects.filter(employee=owner).count()
    start = world.leave_pending.start_date.replace(day=1).replace(month=6)
    while start.weekday() > 4:
        start = start.replace(day=start.day + 1)
    response = _as(colleague.user).post(
        reverse("leave:new"),
        {
            "leave_type": world.leave_pending.leave_type_id,
            "start_date": start.isoformat(),
            "end_date": start.isoformat(),
            "reason": "Urusan keluarga",
            "address_during_leave": "Jl. Kenanga 3",
            "phone_during_leave": "0812 1111 2222",
            "employee": owner.pk,
            "employee_id": owner.pk,
            "user": owner.user.pk,
            "nip": owner.nip,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    created = LeaveRequest.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert created.employee == colleague
    assert LeaveRequest.objects.filter(employee=owner).count() == before


def test_hr_adjustment_for_an_employee_outside_scope_is_refused(world):
    hr_out = _as(world.cast["hr_out"].user)
    owner = world.cast["owner"]
    data = {"employee": owner.pk, "year": world.year, "days": 5, "reason": "Tambahan"}
    assert _status(hr_out, reverse("leave:hr_adjust"), "post", data) == 404
    assert not LedgerEntry.objects.filter(employee=owner, kind="adjustment").exists()
    # The same form, in scope, works: the refusal above is the scope, not a broken form.
    assert _status(_as(world.cast["hr_in"].user), reverse("leave:hr_adjust"), "post", data) == 302
    assert LedgerEntry.objects.filter(employee=owner, kind="adjustment", days=5).exists()


def test_document_submission_ignores_a_swapped_subject(world):
    colleague, owner = world.cast["colleague"], world.cast["owner"]
    from tests.intranet.security.world import pdf_upload

    category = world.submitted_document.category
    response = _as(colleague.user).post(
        reverse("documents:submit"),
        {
            "category": category.pk,
            "title": "Sertifikat",
            "file": pdf_upload("sertifikat.pdf"),
            "subject_employee": owner.pk,
            "employee": owner.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    doc = Document.objects.get(title="Sertifikat")
    assert doc.subject_employee == colleague


def test_deciding_or_reading_someone_elses_things_changes_nothing(world):
    colleague = _as(world.cast["colleague"].user)
    # Another employee's notification: 404, as for one that does not exist, and it stays unread.
    assert _status(colleague, reverse("notifications:read", args=[world.notification.pk]), "post") == 404
    assert Notification.objects.get(pk=world.notification.pk).read_at is None
    # A leave decision by someone outside the chain: 404, and the request still awaits the superior.
    assert _status(colleague, reverse("leave:decide", args=[world.leave_pending.pk]), "post", {"outcome": "approve"}) == 404
    # The employee deciding their own request: refused by the service, nothing recorded.
    owner = _as(world.cast["owner"].user)
    assert _status(owner, reverse("leave:decide", args=[world.leave_pending.pk]), "post", {"outcome": "approve"}) == 302
    world.leave_pending.refresh_from_db()
    assert world.leave_pending.status == LeaveRequest.Status.AWAITING_SUPERIOR
    assert world.leave_pending.steps.count() == 1  # only the submission
    # Revoking a grant on a document one cannot see: 404.
    data = {"kind": "user", "id": world.cast["hr_in"].user.pk}
    assert _status(colleague, reverse("documents:revoke", args=[world.document.pk]), "post", data) == 404
    # Deciding one's own access request: 404 (only HR in scope decides).
    decide = reverse("documents:decide", args=[world.access_request.pk])
    assert _status(colleague, decide, "post", {f"r{world.access_request.pk}-decision": "approve"}) == 404
    world.access_request.refresh_from_db()
    assert world.access_request.status == world.access_request.Status.PENDING
