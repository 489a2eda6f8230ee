"""A small ministry for the segregation-of-duties attacks: an HR officer and a payroll officer who are themselves
employees inside their own scope (SUB1 under DIR1), a second officer of each kind, and a few colleagues."""

import datetime as dt
import io
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from hr.leave.models import Holiday, LeaveType
from hr.leave.workdays import seed_calendar
from hr.org.models import HRScope
from tests import factories


def pdf_upload(name="sk.pdf") -> SimpleUploadedFile:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


def _person(unit, username, **kw):
    user = factories.UserFactory(username=username)
    return factories.EmployeeFactory(user=user, unit=unit, name=username.replace("_", " ").title(), **kw)


def make_world(org, settings) -> SimpleNamespace:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    year = timezone.localdate().year + 1
    Holiday.objects.filter(calendar=seed_calendar(year)).delete()
    sub1, dir1 = org["SUB1"], org["DIR1"]
    people = SimpleNamespace(
        year=year,
        org=org,
        director=_person(dir1, "director", position=dir1.head_position),
        head=_person(sub1, "head", position=sub1.head_position),
        hr=_person(sub1, "hr_self", position=factories.PositionFactory(unit=sub1)),
        hr_other=_person(dir1, "hr_other"),
        payroll=_person(sub1, "pay_self"),
        payroll_other=_person(dir1, "pay_other"),
        staff=[_person(sub1, f"staff_{i}") for i in range(7)],
        annual=LeaveType.objects.filter(uses_ledger=True, active=True).order_by("sort_order").first(),
    )
    for officer in (people.hr, people.hr_other):
        factories.give_scope(officer.user, dir1, HRScope.Kind.HR)
    for officer in (people.payroll, people.payroll_other):
        factories.give_scope(officer.user, dir1, HRScope.Kind.PAYROLL)
    return people


def next_year_monday(year: int, week: int = 0) -> dt.date:
    day = dt.date(year, 2, 1)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)
    return day + dt.timedelta(weeks=week)
