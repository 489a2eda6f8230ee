"""The ledger's invariants, proven over generated histories rather than examples: sequences of year-end jobs
(allocation and close), previews, submissions, opinions and decisions (approve, change, defer, refuse), accepted
changes, withdrawals, cancellations and balance reads, on dates running through 2030–2033, for employees whose service
starts on random dates (some in the middle of the period). After every step:

- the ledger is the only source of balances (what the pages show is the ledger's sum; holds come from the requests);
- no year's balance is negative;
- a preview and a balance read change nothing;
- closing a year twice changes nothing;
- carry-over never exceeds the caps (6 days, 12 after two entitled years without leave, 24 in all with deferrals);
- pending requests hold exactly their days.

Profiles: `ci` by default (a few examples), HYPOTHESIS_PROFILE=thorough for many more (tests/conftest.py)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.db.models import Sum
from hypothesis import given
from hypothesis import strategies as st

from hr.leave import selectors, services, yearend
from hr.leave.models import ApprovalStep, Holiday, LeaveRequest, LedgerEntry, LedgerYearClose
from hr.leave.services import LeaveError
from hr.leave.workdays import seed_calendar
from hr.org.models import Employee

pytestmark = pytest.mark.django_db
JKT = ZoneInfo("Asia/Jakarta")
FIRST, LAST = dt.date(2030, 1, 1), dt.date(2033, 12, 31)
Status = LeaveRequest.Status

ACTIONS = (
    "year_end",
    "close_again",
    "preview",
    "submit",
    "submit",
    "submit",
    "decide",
    "decide",
    "accept",
    "withdraw",
    "cancel",
    "read",
)
step = st.tuples(
    st.sampled_from(ACTIONS),
    st.integers(min_value=1, max_value=120),  # days since the previous step
    st.integers(min_value=0, max_value=2),  # which employee / request
    st.integers(min_value=0, max_value=400),  # how far ahead the leave starts
    st.integers(min_value=0, max_value=14),  # its length in calendar days
    st.sampled_from(("approve", "approve", "change", "defer", "refuse")),
)
starts = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2032, 6, 30))


@pytest.fixture
def world(chain, types):
    for y in range(2030, 2036):
        Holiday.objects.filter(calendar=seed_calendar(y)).delete()  # every weekday is a working day
    return chain, types["tahunan"]


def snapshot():
    return (
        sorted(LedgerEntry.objects.values_list("pk", "employee_id", "year", "kind", "days")),
        sorted(LedgerYearClose.objects.values_list("pk", "employee_id", "year", "carried", "expired")),
        sorted(LeaveRequest.objects.values_list("pk", "status", "days", "proposed_days")),
        ApprovalStep.objects.count(),
    )


def weekdays(start: dt.date, end: dt.date) -> int:
    return sum(1 for i in range((end - start).days + 1) if (start + dt.timedelta(days=i)).weekday() < 5)


def check_invariants(people, lt, today):
    sums = LedgerEntry.objects.values("employee_id", "leave_type_id", "year").annotate(s=Sum("days"))
    negative = [row for row in sums if row["s"] < 0]
    assert not negative, negative
    for req in LeaveRequest.objects.filter(status__in=LeaveRequest.PENDING):
        assert req.days == weekdays(req.start_date, req.end_date)
        if req.proposed_days is not None:
            assert req.proposed_days == weekdays(req.proposed_start, req.proposed_end)
    for emp in people:
        for year in (today.year - 1, today.year, today.year + 1):
            pending = LeaveRequest.objects.filter(
                employee=emp, leave_type=lt, status__in=LeaveRequest.PENDING, start_date__year=year
            )
            held = sum(max(r.days, r.proposed_days or 0) for r in pending)
            assert services.pending_hold(emp.pk, lt.pk, year) == held
            bal = next(b for b in selectors.balances(emp, year) if b.leave_type.pk == lt.pk)
            ledger = LedgerEntry.objects.filter(employee=emp, leave_type=lt, year=year).aggregate(s=Sum("days"))["s"]
            assert (bal.total, bal.held) == (ledger or 0, held)
    for close in LedgerYearClose.objects.all():
        credit = (
            LedgerEntry.objects.filter(
                employee_id=close.employee_id, leave_type=lt, year=close.year + 1, kind="deferral", days__gt=0
            ).aggregate(s=Sum("days"))["s"]
            or 0
        )
        if credit:
            assert lt.yearly_entitlement + credit + close.carried <= lt.deferral_max
        elif close.extended_cap:
            assert lt.yearly_entitlement + close.carried <= lt.carry_over_extended_max
        else:
            assert lt.yearly_entitlement + close.carried <= lt.carry_over_max


def act(action, today, who, ahead, length, outcome, chain, lt, people):
    emp = people[who]
    start = today + dt.timedelta(days=ahead)
    end = start + dt.timedelta(days=length)
    if end.year != start.year:
        end = dt.date(start.year, 12, 31)
    if action == "year_end":
        yearend.year_end(year=today.year, today=today)
    elif action == "close_again":
        if yearend.year_ended(today.year - 1, today):
            yearend.close_year(year=today.year - 1, today=today)
            before = snapshot()
            yearend.close_year(year=today.year - 1, today=today)
            assert snapshot() == before, "closing a year twice changed the ledger"
    elif action == "preview":
        before = snapshot()
        try:
            services.leave_request_preview(employee=emp, leave_type=lt, start_date=start, end_date=end)
        except LeaveError:
            pass
        assert snapshot() == before, "a preview wrote"
    elif action == "read":
        before = snapshot()
        for year in (today.year, today.year + 1):
            selectors.balances(emp, year)
        assert snapshot() == before, "a balance read wrote"
    elif action == "submit":
        services.leave_request_submit(
            employee=emp,
            leave_type=lt,
            start_date=start,
            end_date=end,
            reason="Keluarga",
            address_during_leave="Bandung",
            phone_during_leave="0812",
            today=today,
        )
    else:
        reqs = list(LeaveRequest.objects.filter(employee=emp).order_by("pk"))
        if not reqs:
            return
        req = reqs[ahead % len(reqs)]
        if action == "decide":
            _stage, authority = services.current_authority(req, today)
            if authority is None or authority.employee.user is None:
                return
            services.leave_request_decide(
                request_id=req.pk,
                user=authority.employee.user,
                outcome=outcome,
                today=today,
                reason="" if outcome == "approve" else "Beban kerja",
                proposed_start=start if outcome == "change" else None,
                proposed_end=end if outcome == "change" else None,
            )
        elif action == "accept":
            services.leave_request_accept_change(request_id=req.pk, user=emp.user, today=today)
        elif action == "withdraw":
            services.leave_request_withdraw(request_id=req.pk, user=emp.user)
        elif action == "cancel":
            services.leave_request_cancel(request_id=req.pk, user=chain.hr.user, reason="Dibatalkan", today=today)


@given(steps=st.lists(step, min_size=12, max_size=30), service_starts=st.lists(starts, min_size=3, max_size=3))
def test_the_ledger_keeps_its_invariants_through_any_history(world, steps, service_starts):
    chain, lt = world
    people = [chain.staff, chain.colleague, chain.dir_staff]
    with transaction.atomic():  # each example starts from the same database
        for emp, tmt in zip(people, service_starts, strict=True):
            Employee.objects.filter(pk=emp.pk).update(tmt_cpns=tmt)
            emp.tmt_cpns = tmt
        today = FIRST
        for action, gap, who, ahead, length, outcome in steps:
            today = min(today + dt.timedelta(days=gap), LAST)
            with time_machine.travel(dt.datetime(today.year, today.month, today.day, 9, tzinfo=JKT), tick=False):
                try:
                    with transaction.atomic():
                        act(action, today, who, ahead, length, outcome, chain, lt, people)
                except LeaveError:
                    pass  # a refusal (no balance, overlap, wrong state) is an answer, not a failure  # a refusal (no balance, overlap, wrong state) is an answer, not a failure
                check_invariants(people, lt, today)
        transaction.set_rollback(True)
