"""Working days from the holiday calendar in force. A year without a calendar row is seeded on first use from the
`holidays` package (national holidays and cuti bersama, Indonesian names); HR then edits it in the admin."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from intranet.core.caching import cache_get, cache_set

from .models import Holiday, HolidayCalendar, LeaveType

DEFAULT_WORKING_WEEKDAYS = [0, 1, 2, 3, 4]


def holiday_rows_from_package(year: int) -> list[tuple[dt.date, str, str]]:
    """(date, name, kind) for one year from `holidays.ID`; cuti bersama come from the `government` category."""
    import holidays

    public = holidays.ID(years=year, categories=("public",), language="id")
    government = holidays.ID(years=year, categories=("government",), language="id")
    rows: dict[dt.date, tuple[str, str]] = {}
    for day, name in public.items():
        rows[day] = (name, Holiday.Kind.NATIONAL)
    for day, name in government.items():
        if day in rows:
            rows[day] = (f"{rows[day][0]}; {name}"[:200], rows[day][1])
        else:
            rows[day] = (name, Holiday.Kind.COLLECTIVE)
    return sorted((d, n[:200], k) for d, (n, k) in rows.items())


def seed_calendar(year: int, *, holiday_model=Holiday, calendar_model=HolidayCalendar):
    """Create the calendar of `year` from the package if it does not exist yet. Idempotent; usable from migrations."""
    cal = calendar_model.objects.filter(year=year).first()
    if cal is not None:
        return cal
    try:
        with transaction.atomic():
            cal = calendar_model.objects.create(
                year=year, working_weekdays=DEFAULT_WORKING_WEEKDAYS, source="holidays.ID (public, government)"
            )
            holiday_model.objects.bulk_create(
                [holiday_model(calendar=cal, date=d, name=n, kind=k) for d, n, k in holiday_rows_from_package(year)]
            )
    except IntegrityError:  # created concurrently
        cal = calendar_model.objects.get(year=year)
    return cal


@dataclass
class YearCalendar:
    year: int
    version: int
    working_weekdays: frozenset[int]
    holidays: dict[dt.date, tuple[str, str]]

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.working_weekdays and day not in self.holidays


def calendar_cache_key(year: int) -> str:
    return f"leave:calendar:{year}"


def year_calendar(year: int) -> YearCalendar:
    """The calendar of `year`: read by every leave form, preview, submission and team calendar, edited a few times a
    year. Kept in the shared cache; saving or deleting a calendar or a holiday drops it (`hr.leave.signals`). Cached
    only once the transaction that read it commits, so a calendar seeded by a transaction that rolls back is not."""
    key = calendar_cache_key(year)
    cached = cache_get(key, outage_copy=False)  # day counts are written from it: never a process's stale copy
    if cached is None:
        cached = _read_calendar(year)
        transaction.on_commit(lambda: cache_set(key, cached, 3600, outage_copy=False))
    return cached


def _read_calendar(year: int) -> YearCalendar:
    cal = seed_calendar(year)
    holidays = {h.date: (h.name, h.kind) for h in Holiday.objects.filter(calendar=cal).only("date", "name", "kind")}
    return YearCalendar(
        year=year,
        version=cal.version,
        working_weekdays=frozenset(cal.working_weekdays or DEFAULT_WORKING_WEEKDAYS),
        holidays=holidays,
    )


def _dates(start: dt.date, end: dt.date):
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


def working_days(start: dt.date, end: dt.date) -> tuple[int, dict[str, int]]:
    """Working days in [start, end] and the calendar versions used ({"2026": 3})."""
    count, versions, _off = working_days_detail(start, end)
    return count, versions


def working_days_detail(start: dt.date, end: dt.date) -> tuple[int, dict[str, int], list[tuple[dt.date, str]]]:
    """`working_days` plus the holidays and cuti bersama in [start, end] that fall on a working weekday, with their
    names: the days the count skips besides weekends (what the leave form's preview lists)."""
    calendars = {y: year_calendar(y) for y in range(start.year, end.year + 1)}
    count, off = 0, []
    for d in _dates(start, end):
        cal = calendars[d.year]
        if cal.is_working_day(d):
            count += 1
        elif d.weekday() in cal.working_weekdays:
            off.append((d, cal.holidays[d][0]))
    return count, {str(y): c.version for y, c in calendars.items()}, off


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    import calendar as _cal

    return dt.date(year, month, min(day.day, _cal.monthrange(year, month)[1]))


def request_detail(
    leave_type: LeaveType, start: dt.date, end: dt.date
) -> tuple[int, dict[str, int], list[tuple[dt.date, str]]]:
    """Length in the type's counting unit (working days, or calendar days for calendar-day and month types), the
    calendar versions used, and the named holidays a working-day count skipped (none for calendar-day types)."""
    if leave_type.unit == LeaveType.Unit.WORKING_DAYS:
        return working_days_detail(start, end)
    return (end - start).days + 1, {}, []


def exceeds_max(leave_type: LeaveType, start: dt.date, end: dt.date, length: int) -> bool:
    if leave_type.max_per_request is None:
        return False
    if leave_type.unit == LeaveType.Unit.MONTHS:
        return end >= add_months(start, leave_type.max_per_request)
    return length > leave_type.max_per_request
