"""Demo leave data: a realistic year of history for every employee — last year's allocation and leave, this year's
allocation with carry-over/expiry (through the real yearly job), approved leave before and after today (for the team
calendar), sick leave, and pending requests for `atasan` (superior's opinion) and `pejabat` (official's decision).

Bulk inserts throughout; about seven ledger entries per employee, so `--employees 50000` gives well over 300,000.
`--scale leave_history=N` sets the average number of annual-leave requests per employee per year (default 2)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from hr.org.models import Employee, OrgUnit
from intranet.core.bulk import insert_rows

from . import services, yearend
from .models import ApprovalStep, LeaveRequest, LeaveType, LedgerEntry
from .workdays import seed_calendar, year_calendar

Status = LeaveRequest.Status
ADDRESSES = ["Jl. Melati No. 3, Bogor", "Jl. Kenanga No. 12, Depok", "Jl. Cempaka No. 7, Bekasi", "Kampung halaman"]
REASONS = ["Keperluan keluarga", "Liburan bersama keluarga", "Mudik", "Urusan pribadi", "Menghadiri pernikahan saudara"]


def seed(ctx) -> None:
    if LeaveRequest.objects.exists() or LedgerEntry.objects.exists():
        ctx.stdout.write("  leave already seeded; skipping (idempotent)")
        return
    today = timezone.localdate()
    year = today.year
    for y in (year - 1, year, year + 1):
        seed_calendar(y)
    annual = LeaveType.objects.get(code="tahunan")
    sick = LeaveType.objects.get(code="sakit")
    per_year = ctx.scale.get("leave_history", 2)
    with transaction.atomic():
        services.allocate_year(year=year - 1)
        _history(ctx, annual, sick, year - 1, dt.date(year - 1, 12, 31), per_year, future_until=None)
        summary = yearend.year_end(year=year, today=today)  # closes last year, allocates this one
        ctx.count("leave days carried over", summary.carried_days)
        _history(ctx, annual, sick, year, today, per_year, future_until=today + dt.timedelta(days=45))
        _pending_for_demo(ctx, annual, today)
    ctx.count("leave ledger entries", LedgerEntry.objects.count())
    ctx.count("leave requests", LeaveRequest.objects.count())


def _weekday_span(cal, start: dt.date, length: int) -> tuple[dt.date, int]:
    """End date and working days of a leave of `length` working days from `start` (skipping holidays)."""
    day, counted, end = start, 0, start
    while counted < length and day.year == start.year:
        if cal.is_working_day(day):
            counted += 1
            end = day
        day += dt.timedelta(days=1)
    return end, counted


def _history(ctx, annual, sick, year, until, per_year, future_until) -> None:
    rng = ctx.rng
    cal = year_calendar(year)
    allocated = set(
        LedgerEntry.objects.filter(leave_type=annual, year=year, kind="allocation").values_list(
            "employee_id", flat=True
        )
    )
    people = list(Employee.objects.filter(active=True).values_list("pk", "user_id", "unit_id").order_by("pk"))
    first_day = dt.date(year, 1, 5)
    span_days = max((until - first_day).days, 1)
    last_day = min(future_until or until, dt.date(year, 12, 31))
    requests: list[LeaveRequest] = []
    usage_days: list[int] = []
    with ctx.progress(f"leave history {year}", len(people)) as bar:
        for i, (pk, _user_id, _unit) in enumerate(people):
            if pk in allocated:
                budget = rng.randint(4, 10)
                for _ in range(rng.randint(max(per_year - 1, 0), per_year + 1)):
                    if budget <= 0:
                        break
                    offset = rng.randrange(span_days + (future_until - until).days if future_until else span_days)
                    start = first_day + dt.timedelta(days=offset)
                    while not cal.is_working_day(start):
                        start += dt.timedelta(days=1)
                    end, days = _weekday_span(cal, start, min(rng.randint(1, 5), budget))
                    if (
                        days == 0
                        or end > last_day
                        or any(r[0] == pk and r[2] <= end and r[3] >= start for r in requests[-6:])
                    ):
                        continue
                    budget -= days
                    requests.append(_request(pk, annual, start, end, days, rng))
                    usage_days.append(days)
            if rng.random() < 0.15:
                start = first_day + dt.timedelta(days=rng.randrange(span_days))
                end = start + dt.timedelta(days=rng.randint(0, 2))
                if end <= until and not any(r[0] == pk and r[2] <= end and r[3] >= start for r in requests[-6:]):
                    requests.append(_request(pk, sick, start, end, (end - start).days + 1, rng))
                    usage_days.append(0)
            if i % 1000 == 999:
                bar.advance(1000)
        bar.done = len(people)
    now = timezone.now()
    insert_rows(
        LeaveRequest,
        "employee leave_type start_date end_date days reason address_during_leave phone_during_leave document_name "
        "document_type emergency status single_step calendar_versions created_at updated_at cancel_reason".split(),
        [
            (emp, lt, start, end, days, reason, addr, phone, "", "", False, Status.APPROVED, False, {}) + (now, now, "")
            for emp, lt, start, end, days, reason, addr, phone in requests
        ],
    )
    ids = {
        (emp, lt, start): pk
        for pk, emp, lt, start in LeaveRequest.objects.filter(
            start_date__year=year, status=Status.APPROVED
        ).values_list("pk", "employee_id", "leave_type_id", "start_date")
    }
    heads = dict(OrgUnit.objects.filter(head_position__isnull=False).values_list("pk", "head_position_id"))
    holders = dict(Employee.objects.filter(position_id__in=heads.values()).values_list("position_id", "pk"))
    unit_of = {pk: unit for pk, _u, unit in people}
    steps, ledger = [], []
    for (emp, lt, start, *_rest), used in zip(requests, usage_days, strict=True):
        req_id = ids[(emp, lt, start)]
        decider = holders.get(heads.get(unit_of[emp]))
        steps.append((req_id, "submitted", "submit", emp, "", "", now))
        steps.append((req_id, "official", "approve", decider if decider != emp else None, "", "", now))
        if used:
            ledger.append((emp, lt, year, "usage", -used, req_id, "", now))
    insert_rows(ApprovalStep, "request stage outcome actor acting_for_text reason created_at".split(), steps)
    insert_rows(LedgerEntry, "employee leave_type year kind days request reason created_at".split(), ledger)
    ctx.count(f"leave history requests {year}", len(requests))


def _request(pk, leave_type, start, end, days, rng) -> tuple:
    return (
        pk,
        leave_type.pk,
        start,
        end,
        days,
        rng.choice(REASONS) if leave_type.code == "tahunan" else "Sakit",
        rng.choice(ADDRESSES),
        f"08{rng.randint(1000000000, 9999999999)}",
    )


def _pending_for_demo(ctx, annual, today) -> None:
    """Requests from the demo section for `atasan` to give an opinion on, and from across the directorate (already
    past their superior) for `pejabat` to decide."""
    pegawai = Employee.objects.filter(user__username="pegawai").select_related("unit").first()
    if pegawai is None:
        return
    section = pegawai.unit
    directorate = section.get_ancestors().filter(level=OrgUnit.Level.ESELON_II).first()
    cal = year_calendar(today.year)
    start = today + dt.timedelta(days=10)
    made = 0
    staff = list(
        Employee.objects.filter(unit=section, active=True)
        .exclude(position_id=section.head_position_id)
        .order_by("pk")[:4]
    )
    others = []
    if directorate is not None:
        others = list(
            Employee.objects.filter(unit__path__startswith=directorate.path, unit__level=OrgUnit.Level.ESELON_IV)
            .exclude(unit=section)
            .exclude(position__headed_unit__isnull=False)
            .order_by("pk")[:3]
        )
    for i, emp in enumerate(staff + others):
        first = start + dt.timedelta(days=2 * i)
        while not (year_calendar(first.year) if first.year != cal.year else cal).is_working_day(first):
            first += dt.timedelta(days=1)
        if first.year != (first + dt.timedelta(days=2)).year:
            first += dt.timedelta(days=7)
        services.allocated_balance(emp, annual, first.year, today)  # opens a begun year the job has not reached
        try:
            assessment = services.assess(
                employee=emp, leave_type=annual, start_date=first, end_date=first + dt.timedelta(days=2), today=today
            )
        except services.LeaveError:
            continue
        official = services.official_position_for(emp)
        in_section = emp in staff
        req = LeaveRequest.objects.create(
            employee=emp,
            leave_type=annual,
            start_date=first,
            end_date=first + dt.timedelta(days=2),
            days=assessment.days,
            reason=REASONS[i % len(REASONS)],
            address_during_leave=ADDRESSES[i % len(ADDRESSES)],
            phone_during_leave="081234567890",
            status=Status.AWAITING_SUPERIOR if in_section else Status.AWAITING_OFFICIAL,
            route_position_id=section.head_position_id if in_section else getattr(official, "pk", None),
            official_position=official,
            calendar_versions=assessment.calendar_versions,
            last_action_at=timezone.now(),
        )
        ApprovalStep.objects.create(request=req, stage="submitted", outcome="submit", actor=emp, actor_user=emp.user)
        if not in_section:
            head = Employee.objects.filter(position_id=emp.unit.head_position_id).first()
            ApprovalStep.objects.create(
                request=req, stage="superior", outcome="approve", actor=head, actor_user=head.user if head else None
            )
        made += 1
    ctx.count("leave pending requests for atasan/pejabat", made)
