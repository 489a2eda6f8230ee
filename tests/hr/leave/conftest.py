import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from hr.leave.models import Holiday, LeaveType
from hr.leave.workdays import seed_calendar
from tests import factories


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The chain fixture creates ten users; a fast hasher keeps the suite quick (password strength is not under test)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _english():
    """Service messages are asserted in English (the msgids); views are tested in Indonesian through the middleware."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def year():
    """Requests go into next year so that 'not in the past' always holds."""
    return timezone.localdate().year + 1


@pytest.fixture
def clean_calendar(db, year):
    """Next year's calendar without holidays (tests add the ones they need)."""
    cal = seed_calendar(year)
    Holiday.objects.filter(calendar=cal).delete()
    return cal


def monday(year: int, week: int = 0) -> dt.date:
    """The week-th Monday from the first Monday of February of `year`."""
    day = dt.date(year, 2, 1)
    day += dt.timedelta(days=(7 - day.weekday()) % 7)
    return day + dt.timedelta(weeks=week)


@pytest.fixture
def types(db):
    return {t.code: t for t in LeaveType.objects.all()}


@pytest.fixture
def chain(org, clean_calendar):
    """SUB1 staff → head of SUB1 (superior) → head of DIR1 (authorised official, Eselon II); HR with scope DIR1;
    outsiders in DIR2."""
    dir1, sub1, dir2 = org["DIR1"], org["SUB1"], org["DIR2"]
    director = factories.EmployeeFactory(unit=dir1, position=dir1.head_position, gender="M", name="Direktur Satu")
    head = factories.EmployeeFactory(unit=sub1, position=sub1.head_position, name="Kepala Sub Satu")
    staff = factories.EmployeeFactory(
        unit=sub1, position=factories.PositionFactory(unit=sub1), name="Staf Satu", home_address="Jl. Mawar 1"
    )
    colleague = factories.EmployeeFactory(unit=sub1, position=factories.PositionFactory(unit=sub1), name="Staf Dua")
    dir_staff = factories.EmployeeFactory(unit=dir1, position=factories.PositionFactory(unit=dir1), name="Staf Dir")
    other_head = factories.EmployeeFactory(unit=dir2, position=dir2.head_position, name="Direktur Dua")
    outsider = factories.EmployeeFactory(unit=dir2, name="Orang Luar")
    hr = factories.EmployeeFactory(unit=dir1, name="Petugas SDM")
    factories.give_scope(hr.user, dir1)
    hr_other = factories.EmployeeFactory(unit=dir2, name="SDM Lain")
    factories.give_scope(hr_other.user, dir2)
    return SimpleNamespace(
        director=director,
        head=head,
        staff=staff,
        colleague=colleague,
        dir_staff=dir_staff,
        other_head=other_head,
        outsider=outsider,
        hr=hr,
        hr_other=hr_other,
    )


def submit(employee, leave_type, start, end, **kw):
    from hr.leave import services

    defaults = {
        "reason": "Keperluan keluarga",
        "address_during_leave": "Jl. Melati 2, Bandung",
        "phone_during_leave": "0812 3456 7890",
    }
    defaults.update(kw)
    return services.leave_request_submit(
        employee=employee, leave_type=leave_type, start_date=start, end_date=end, **defaults
    )
