"""The cast and the objects of the access table: one employee (the owner) in SUB1 with everything a person can own
(leave requests, a letter, a payslip, a personnel document, a notification), and one actor per role around them.

Role holders who are not in the owner's chain sit in DIR2; HR and payroll "in scope" cover DIR1 (which holds SUB1),
"out of scope" cover DIR2 only."""

import datetime as dt
import io
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from hr.org.models import HRScope
from intranet.accounts.roles import Role
from tests import factories

# Every actor of the table, in column order. "anonymous" has no account.
ACTORS = (
    "anonymous",
    "owner",
    "colleague",
    "superior",
    "official",
    "hr_in",
    "hr_out",
    "payroll_in",
    "payroll_out",
    "editor",
    "moderator",
    "administrator",
    "auditor",
)


def pdf_upload(name="lampiran.pdf") -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def _person(unit, username, *, position=None, roles=()):
    user = factories.UserFactory(username=username)
    return factories.EmployeeFactory(user=user, unit=unit, position=position, roles=list(roles), name=username.title())


def build_cast(org) -> dict:
    sub1, dir1, dir2 = org["SUB1"], org["DIR1"], org["DIR2"]
    cast = {
        "owner": _person(sub1, "owner", position=factories.PositionFactory(unit=sub1)),
        "colleague": _person(sub1, "colleague", position=factories.PositionFactory(unit=sub1)),
        "superior": _person(sub1, "superior", position=sub1.head_position),
        "official": _person(dir1, "official", position=dir1.head_position),  # head of DIR1, Eselon II
        "hr_in": _person(dir2, "hr_in"),
        "hr_out": _person(dir2, "hr_out"),
        "payroll_in": _person(dir2, "payroll_in"),
        "payroll_out": _person(dir2, "payroll_out"),
        "editor": _person(dir2, "editor", roles=[Role.EDITOR]),
        "moderator": _person(dir2, "moderator", roles=[Role.MODERATOR]),
        "administrator": _person(dir2, "administrator", roles=[Role.ADMINISTRATOR]),
        "auditor": _person(dir2, "auditor", roles=[Role.AUDITOR]),
    }
    factories.give_scope(cast["hr_in"].user, dir1, HRScope.Kind.HR)
    factories.give_scope(cast["hr_out"].user, dir2, HRScope.Kind.HR)
    factories.give_scope(cast["payroll_in"].user, dir1, HRScope.Kind.PAYROLL)
    factories.give_scope(cast["payroll_out"].user, dir2, HRScope.Kind.PAYROLL)
    # The administrator account works the Django admin, as the demo "admin" does.
    admin = cast["administrator"].user
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    return cast


def _monday(year: int, week: int) -> dt.date:
    day = dt.date(year, 2, 1)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)
    return day + dt.timedelta(weeks=week)


def build_objects(cast, org, run_on_commit) -> SimpleNamespace:
    """The owner's things, created through the services (as the views would). `run_on_commit` is pytest-django's
    django_capture_on_commit_callbacks, so the letter task runs as it would after a real commit."""
    from hr.documents import services as documents
    from hr.documents.models import Category, Classification
    from hr.leave import services as leave
    from hr.leave.models import Holiday, LeaveType
    from hr.leave.workdays import seed_calendar
    from hr.payslips import demo
    from hr.payslips import services as payslips
    from hr.payslips.models import Component, Payslip
    from intranet.notifications.services import notify

    year = timezone.localdate().year + 1
    Holiday.objects.filter(calendar=seed_calendar(year)).delete()
    annual = LeaveType.objects.get(code="tahunan")
    owner = cast["owner"]

    def submit(week, **kw):
        start = _monday(year, week)
        return leave.leave_request_submit(
            employee=owner,
            leave_type=annual,
            start_date=start,
            end_date=start + dt.timedelta(days=1),
            reason="Keperluan keluarga",
            address_during_leave="Jl. Melati 2",
            phone_during_leave="0812 3456 7890",
            **kw,
        )

    pending = submit(2, document=pdf_upload())  # awaiting the superior, with a supporting document
    approved = submit(4)
    leave.leave_request_decide(request_id=approved.pk, user=cast["superior"].user, outcome="approve")
    with run_on_commit(execute=True):  # the letter is rendered by the task after commit
        leave.leave_request_decide(request_id=approved.pk, user=cast["official"].user, outcome="approve")

    # A payroll period for DIR1 (owner and colleague) published by the payroll officer in scope.
    import random

    def row(emp, period="2026-01"):
        values = demo.amounts(random.Random(emp.pk), golongan="III/a")  # noqa: S311 - test data
        return {"period": period, "nip": emp.nip, "name": emp.full_name, **values, "net": demo.net_of(values)}

    from django.core.files.base import ContentFile

    batch = payslips.batch_upload(
        user=cast["payroll_in"].user,
        uploaded_file=ContentFile(demo.csv_bytes([row(owner), row(cast["colleague"])]), name="gaji.csv"),
        reason="",
        run_async=False,
    )
    payslips.batch_validate(batch_id=batch.pk)
    payslips.batch_publish(batch_id=batch.pk, user=cast["payroll_in"].user)
    draft = payslips.batch_upload(
        user=cast["payroll_in"].user,
        uploaded_file=ContentFile(demo.csv_bytes([row(owner, "2026-02")]), name="gaji2.csv"),
        reason="",
        run_async=False,
    )
    payslips.batch_validate(batch_id=draft.pk)

    # A Terbatas personnel document about the owner, filed by HR in scope, and a colleague's pending access request.
    personnel = documents.document_create(
        created_by=cast["hr_in"].user,
        title="Petikan SK Pangkat",
        category=Category.objects.get(code="sk-pangkat"),
        classification=Classification.TERBATAS,
        file=pdf_upload(),
        subject_employee=owner,
        number="SK-1/2026",
        document_date=dt.date(2026, 1, 2),
    )
    access_request = documents.access_request_create(
        document=personnel, requester=cast["colleague"].user, reason="Untuk rapat tim"
    )

    submitted = documents.employee_submit(  # the owner's own upload, awaiting HR verification
        user=owner.user,
        title="Ijazah S2",
        category=Category.objects.filter(employee_may_upload=True, for_personnel_files=True, active=True).first(),
        file=pdf_upload(),
    )

    return SimpleNamespace(
        year=year,
        leave_pending=pending,
        leave_approved=approved,
        batch=batch,
        draft_batch=draft,
        payslip=Payslip.objects.get(employee=owner, batch=batch),
        colleague_payslip=Payslip.objects.get(employee=cast["colleague"], batch=batch),
        component=Component.objects.order_by("pk").first(),
        document=personnel,
        access_request=access_request,
        submitted_document=submitted,
        notification=notify(owner.user, "test", "Pemberitahuan uji", email=False),
    )
