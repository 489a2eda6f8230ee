"""The leave preview names the holidays a working-day count skips; the calendar is kept in the shared cache."""

import datetime as dt

import pytest

from hr.leave import workdays
from tests.query_bounds import queries

pytestmark = pytest.mark.django_db


def test_days_off_lists_the_midweek_holidays_with_their_names():
    cal = workdays.year_calendar(2026)
    # a working weekday that is a holiday in the seeded national calendar, and the week around it
    day = next(d for d in sorted(cal.holidays) if d.weekday() in cal.working_weekdays)
    start, end = day - dt.timedelta(days=day.weekday()), day + dt.timedelta(days=6 - day.weekday())
    count, _versions, off = workdays.working_days_detail(start, end)
    assert (day, cal.holidays[day][0]) in off
    assert all(d.weekday() in cal.working_weekdays for d, _ in off), "weekends are not listed"
    assert (count, _versions) == workdays.working_days(start, end)
    assert count == sum(1 for i in range(7) if (start + dt.timedelta(days=i)).weekday() in cal.working_weekdays) - len(off)


def test_calendar_is_kept_until_a_holiday_or_the_calendar_changes(django_capture_on_commit_callbacks):
    from django.core.cache import cache
    from django.db import transaction

    from hr.leave.models import Holiday, HolidayCalendar

    with django_capture_on_commit_callbacks(execute=True):
        cal = workdays.year_calendar(2031)
    with queries(at_most=0):
        assert workdays.year_calendar(2031) == cal
    day = next(d for d in (dt.date(2031, 3, 3) + dt.timedelta(days=i) for i in range(30)) if cal.is_working_day(d))
    Holiday.objects.create(
        calendar=HolidayCalendar.objects.get(year=2031), date=day, name="Hari instansi", kind="agency"
    )
    fresh = workdays.year_calendar(2031)
    assert day in fresh.holidays and fresh.version == cal.version + 1
    with django_capture_on_commit_callbacks(execute=True):
        workdays.year_calendar(2031)
    HolidayCalendar.objects.filter(year=2031).get().save()  # e.g. the working weekdays edited in the admin
    assert cache.get(workdays.calendar_cache_key(2031)) is None
    # a calendar seeded by a transaction that rolls back is not kept
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                workdays.year_calendar(2032)
                raise RuntimeError
        except RuntimeError:
            pass
    assert cache.get(workdays.calendar_cache_key(2032)) is None
