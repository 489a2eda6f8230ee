"""The leave preview names the holidays a working-day count skips."""

import datetime as dt

import pytest

from hr.leave import workdays

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
