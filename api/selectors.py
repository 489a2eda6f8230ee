"""Reads for the interoperability API. The only place that decides what an API client (or an HR officer exporting)
may see: every query here is limited to the client's unit subtrees, and restricted fields are added only when the
client was granted them. Queries are flat `values()` reads with a fixed number of queries per page."""

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.core import signing
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from hr.leave.models import Holiday, HolidayCalendar, LeaveRequest
from hr.leave.workdays import year_calendar
from hr.org.models import Employee, OrgUnit

from .errors import ApiError
from .models import ApiClient, RestrictedField

CURSOR_SALT = "serambi.api.cursor"
MAX_PERIOD_DAYS = 366


# --- scope -----------------------------------------------------------------------------------------------------------
def client_scope_units(client: ApiClient) -> list[OrgUnit]:
    """Root units of the client's scope (cached on the instance for the request)."""
    cached = getattr(client, "_scope_units", None)
    if cached is None:
        cached = list(client.units.all())
        client._scope_units = cached
    return cached


def paths_q(units, prefix: str) -> Q | None:
    units = list(units)
    if not units:
        return None
    return reduce(or_, (Q(**{f"{prefix}path__startswith": u.path}) for u in units))


def client_scope_q(client: ApiClient, prefix: str = "unit__") -> Q | None:
    """Q over `<prefix>path` for the client's unit subtrees; None means the client sees nothing."""
    return paths_q(client_scope_units(client), prefix)


def unit_for_scope(scope: Q | None, code: str) -> OrgUnit:
    """A unit by code, only if inside the scope. Outside or unknown: the same 404 (nothing leaks)."""
    unit = OrgUnit.objects.filter(scope, code=code).first() if scope is not None else None
    if unit is None:
        raise ApiError(404, "not_found", _("Unit not found."))
    return unit


# --- cursors ---------------------------------------------------------------------------------------------------------
def cursor_encode(kind: str, *key) -> str:
    return signing.dumps({"k": kind, "v": list(key)}, salt=CURSOR_SALT, compress=True)


def cursor_decode(kind: str, cursor: str) -> list:
    try:
        data = signing.loads(cursor, salt=CURSOR_SALT)
    except signing.BadSignature:
        data = None
    if not isinstance(data, dict) or data.get("k") != kind or not isinstance(data.get("v"), list):
        raise ApiError(400, "invalid_cursor", _("The cursor is not valid for this list."))
    return data["v"]


def _after_updated(qs: QuerySet, kind: str, cursor: str | None) -> QuerySet:
    """Keyset pagination on (updated_at, id): stable while rows change (a changed row moves to the end, so an
    incremental pull sees it again instead of missing it)."""
    if cursor:
        stamp, pk = cursor_decode(kind, cursor)
        try:
            stamp = dt.datetime.fromisoformat(stamp)
            pk = int(pk)
        except (TypeError, ValueError):
            raise ApiError(400, "invalid_cursor", _("The cursor is not valid for this list.")) from None
        qs = qs.filter(Q(updated_at__gt=stamp) | Q(updated_at=stamp, id__gt=pk))
    return qs.order_by("updated_at", "id")


def _since(qs: QuerySet, updated_since: dt.datetime | None) -> QuerySet:
    if updated_since is not None:
        if timezone.is_naive(updated_since):
            updated_since = timezone.make_aware(updated_since)
        qs = qs.filter(updated_at__gte=updated_since)
    return qs


@dataclass
class Page:
    items: list[dict]
    next_cursor: str | None

    def as_dict(self) -> dict:
        return {"items": self.items, "next_cursor": self.next_cursor, "has_more": self.next_cursor is not None}


def _localised(row: dict, field: str, english: bool | None = None) -> str:
    if english is None:
        english = get_language() == "en"
    if english and row.get(f"{field}_en"):
        return row[f"{field}_en"]
    return row[f"{field}_id"]


def _full_name(front: str, name: str, back: str) -> str:
    full = f"{front} {name}".strip()
    return f"{full}, {back}" if back else full


# --- units -----------------------------------------------------------------------------------------------------------
UNIT_FIELDS = (
    "id",
    "code",
    "name_id",
    "name_en",
    "level",
    "path",
    "active",
    "head_position__name_id",
    "head_position__name_en",
)


def units_page(client: ApiClient, *, cursor: str | None = None, limit: int = 100) -> Page:
    """Units in the client's subtrees, by id; a unit's parent code only when the parent is in scope too. 3 queries."""
    scope = client_scope_q(client, prefix="")
    if scope is None:
        return Page([], None)
    qs = OrgUnit.objects.filter(scope)
    if cursor:
        (pk,) = cursor_decode("units", cursor)
        qs = qs.filter(id__gt=int(pk))
    rows = list(qs.order_by("id").values(*UNIT_FIELDS)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    steplen = OrgUnit.steplen
    parent_paths = {r["path"][:-steplen] for r in rows if len(r["path"]) > steplen}
    parents = (
        dict(OrgUnit.objects.filter(scope, path__in=parent_paths).values_list("path", "code")) if parent_paths else {}
    )
    items = [
        {
            "id": r["id"],
            "code": r["code"],
            "name": _localised(r, "name"),
            "name_id": r["name_id"],
            "name_en": r["name_en"],
            "level": r["level"],
            "parent_code": parents.get(r["path"][:-steplen]),
            "head_position": (_localised(r, "head_position__name") if r["head_position__name_id"] else None),
            "active": r["active"],
        }
        for r in rows
    ]
    return Page(items, cursor_encode("units", rows[-1]["id"]) if more else None)


# --- employees -------------------------------------------------------------------------------------------------------
EMPLOYEE_FIELDS = (
    "id",
    "name",
    "front_title",
    "back_title",
    "position__name_id",
    "position__name_en",
    "unit__code",
    "unit__name_id",
    "unit__name_en",
    "work_email",
    "work_phone",
    "active",
    "updated_at",
)


def employee_row(row: dict, *, with_nip: bool, english: bool, prefix: str = "") -> dict:
    p = prefix
    item = {
        "id": row[f"{p}id"],
        "name": row[f"{p}name"],
        "full_name": _full_name(row[f"{p}front_title"], row[f"{p}name"], row[f"{p}back_title"]),
        "front_title": row[f"{p}front_title"],
        "back_title": row[f"{p}back_title"],
        "position": (_localised(row, f"{p}position__name", english) if row.get(f"{p}position__name_id") else None),
        "unit_code": row[f"{p}unit__code"],
        "unit_name": _localised(row, f"{p}unit__name", english),
        "work_email": row[f"{p}work_email"],
        "work_phone": row[f"{p}work_phone"],
    }
    if with_nip:
        item["nip"] = row[f"{p}nip"]
    return item


def employees_page(
    client: ApiClient,
    *,
    updated_since: dt.datetime | None = None,
    unit_code: str | None = None,
    active: bool | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> Page:
    """Employees in the client's subtrees: work fields only, NIP only when granted. 2 queries (+1 with a unit)."""
    scope = client_scope_q(client, prefix="unit__")
    if scope is None:
        return Page([], None)
    qs = Employee.objects.filter(scope)
    if unit_code:
        unit = unit_for_scope(client_scope_q(client, prefix=""), unit_code)
        qs = qs.filter(unit__path__startswith=unit.path)
    if active is not None:
        qs = qs.filter(active=active)
    qs = _after_updated(_since(qs, updated_since), "employees", cursor)
    with_nip = client.has_field(RestrictedField.NIP)
    fields = EMPLOYEE_FIELDS + (("nip",) if with_nip else ())
    rows = list(qs.values(*fields)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    items = []
    english = get_language() == "en"
    for r in rows:
        item = employee_row(r, with_nip=with_nip, english=english)
        item["active"] = r["active"]
        item["updated_at"] = r["updated_at"]
        items.append(item)
    nxt = cursor_encode("employees", rows[-1]["updated_at"].isoformat(), rows[-1]["id"]) if more else None
    return Page(items, nxt)


# --- leave -----------------------------------------------------------------------------------------------------------
LEAVE_FIELDS = (
    "id",
    "status",
    "start_date",
    "end_date",
    "days",
    "updated_at",
    "employee__id",
    "employee__name",
    "employee__front_title",
    "employee__back_title",
    "employee__position__name_id",
    "employee__position__name_en",
    "employee__unit__code",
    "employee__unit__name_id",
    "employee__unit__name_en",
    "employee__work_email",
    "employee__work_phone",
    "leave_type__code",
    "leave_type__name_id",
    "leave_type__name_en",
    "leave_type__unit",
)


def check_period(start: dt.date | None, end: dt.date | None) -> tuple[dt.date | None, dt.date | None]:
    if start and end:
        if end < start:
            raise ApiError(400, "invalid_period", _("The end of the period is before its start."))
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise ApiError(400, "invalid_period", _("The period may span at most 366 days."))
    return start, end


def approved_leave_qs(
    scope: Q | None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    unit: OrgUnit | None = None,
    include_cancelled: bool = False,
) -> QuerySet[LeaveRequest]:
    """Approved (optionally also cancelled) leave overlapping [start, end] of employees inside `scope`
    (a Q over `employee__unit__path`)."""
    if scope is None:
        return LeaveRequest.objects.none()
    statuses = [LeaveRequest.Status.APPROVED]
    if include_cancelled:
        statuses.append(LeaveRequest.Status.CANCELLED)
    qs = LeaveRequest.objects.filter(scope, status__in=statuses)
    if start:
        qs = qs.filter(end_date__gte=start)
    if end:
        qs = qs.filter(start_date__lte=end)
    if unit is not None:
        qs = qs.filter(employee__unit__path__startswith=unit.path)
    return qs


class WorkingDays:
    """Working days of any date range from the calendars in force, loading each year once (2 queries a year)."""

    def __init__(self):
        self._years = {}

    def count(self, start: dt.date, end: dt.date) -> int:
        total = 0
        day = start
        while day <= end:
            cal = self._years.get(day.year)
            if cal is None:
                cal = self._years[day.year] = year_calendar(day.year)
            total += cal.is_working_day(day)
            day += dt.timedelta(days=1)
        return total


def leave_rows(rows: list[dict], *, start: dt.date | None, end: dt.date | None, with_nip: bool) -> list[dict]:
    workdays = WorkingDays()
    english = get_language() == "en"
    items = []
    for r in rows:
        p_start = max(r["start_date"], start) if start else r["start_date"]
        p_end = min(r["end_date"], end) if end else r["end_date"]
        items.append(
            {
                "id": r["id"],
                "status": r["status"],
                "employee": {
                    "id": r["employee__id"],
                    "name": r["employee__name"],
                    "full_name": _full_name(r["employee__front_title"], r["employee__name"], r["employee__back_title"]),
                    **({"nip": r["employee__nip"]} if with_nip else {}),
                },
                "unit_code": r["employee__unit__code"],
                "unit_name": _localised(r, "employee__unit__name", english),
                "leave_type_code": r["leave_type__code"],
                "leave_type_name": _localised(r, "leave_type__name", english),
                "start_date": r["start_date"],
                "end_date": r["end_date"],
                "days": r["days"],
                "days_unit": r["leave_type__unit"],
                "period_start": p_start,
                "period_end": p_end,
                "working_days_in_period": workdays.count(p_start, p_end),
                "updated_at": r["updated_at"],
            }
        )
    return items


def leave_page(
    client: ApiClient,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    unit_code: str | None = None,
    include_cancelled: bool = False,
    updated_since: dt.datetime | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> Page:
    """Approved leave of employees in the client's subtrees overlapping the period, with the working days that fall
    inside the period. 1 query per page (+1 with a unit, +2 per calendar year touched)."""
    start, end = check_period(start, end)
    scope = client_scope_q(client, prefix="employee__unit__")
    unit = unit_for_scope(client_scope_q(client, prefix=""), unit_code) if unit_code else None
    qs = approved_leave_qs(scope, start=start, end=end, unit=unit, include_cancelled=include_cancelled)
    qs = _after_updated(_since(qs, updated_since), "leave", cursor)
    with_nip = client.has_field(RestrictedField.NIP)
    fields = LEAVE_FIELDS + (("employee__nip",) if with_nip else ())
    rows = list(qs.values(*fields)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    items = leave_rows(rows, start=start, end=end, with_nip=with_nip)
    nxt = cursor_encode("leave", rows[-1]["updated_at"].isoformat(), rows[-1]["id"]) if more else None
    return Page(items, nxt)


def leave_summary_page(
    client: ApiClient,
    *,
    start: dt.date,
    end: dt.date,
    unit_code: str | None = None,
    cursor: str | None = None,
    limit: int = 100,
) -> Page:
    """Per employee with approved leave in the period: working days of leave inside the period, by leave type and in
    total (what attendance and performance-allowance systems deduct). Paged by employee id. 2 queries per page
    (+1 with a unit, +2 per calendar year touched)."""
    start, end = check_period(start, end)
    scope = client_scope_q(client, prefix="employee__unit__")
    unit = unit_for_scope(client_scope_q(client, prefix=""), unit_code) if unit_code else None
    qs = approved_leave_qs(scope, start=start, end=end, unit=unit)
    ids_qs = qs.order_by("employee_id").values_list("employee_id", flat=True).distinct()
    if cursor:
        (last,) = cursor_decode("leave-summary", cursor)
        ids_qs = ids_qs.filter(employee_id__gt=int(last))
    ids = list(ids_qs[: limit + 1])
    more = len(ids) > limit
    ids = ids[:limit]
    with_nip = client.has_field(RestrictedField.NIP)
    fields = LEAVE_FIELDS + (("employee__nip",) if with_nip else ())
    rows = (
        list(qs.filter(employee_id__in=ids).order_by("employee_id", "start_date", "id").values(*fields)) if ids else []
    )
    summary: dict[int, dict] = {}
    for item in leave_rows(rows, start=start, end=end, with_nip=with_nip):
        emp = item["employee"]
        entry = summary.setdefault(
            emp["id"],
            {
                "employee": emp,
                "unit_code": item["unit_code"],
                "unit_name": item["unit_name"],
                "working_days": 0,
                "by_type": {},
            },
        )
        entry["working_days"] += item["working_days_in_period"]
        code = item["leave_type_code"]
        entry["by_type"][code] = entry["by_type"].get(code, 0) + item["working_days_in_period"]
    items = [{"period_start": start, "period_end": end, **summary[pk]} for pk in ids if pk in summary]
    return Page(items, cursor_encode("leave-summary", ids[-1]) if more else None)


def export_rows(
    scope: Q | None, *, start: dt.date, end: dt.date, unit: OrgUnit | None = None, with_nip: bool = False
) -> list[dict]:
    """The same data as the leave endpoint, every row of the period, ordered by unit, name and date (for exports)."""
    check_period(start, end)
    qs = approved_leave_qs(scope, start=start, end=end, unit=unit).order_by(
        "employee__unit__code", "employee__sort_name", "start_date", "id"
    )
    fields = LEAVE_FIELDS + (("employee__nip",) if with_nip else ())
    return leave_rows(list(qs.values(*fields)), start=start, end=end, with_nip=with_nip)


# --- holidays --------------------------------------------------------------------------------------------------------
def holiday_calendar(year: int) -> dict:
    """The calendar in force for `year`: working weekdays and holidays (national, cuti bersama, agency days)."""
    today = timezone.localdate()
    if not 2000 <= year <= today.year + 2:
        raise ApiError(404, "not_found", _("No holiday calendar for that year."))
    cal = HolidayCalendar.objects.filter(year=year).first()
    if cal is None:
        year_calendar(year)  # seeds the year from the holidays package, as the leave app does on first use
        cal = HolidayCalendar.objects.get(year=year)
    holidays = [
        {"date": h["date"], "name": h["name"], "kind": h["kind"]}
        for h in Holiday.objects.filter(calendar=cal).order_by("date").values("date", "name", "kind")
    ]
    return {
        "year": cal.year,
        "version": cal.version,
        "working_weekdays": sorted(cal.working_weekdays or []),
        "updated_at": cal.updated_at,
        "holidays": holidays,
    }


def client_by_token_hash(token_hash: str) -> ApiClient | None:
    return ApiClient.objects.filter(token_hash=token_hash).first()
