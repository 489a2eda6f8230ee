"""A leave submission through the form (POST /cuti/ajukan/) runs a fixed number of queries in steady state — the
calendar and the requestable leave types come from the shared cache, the year is allocated — on SQLite and on
PostgreSQL alike: the same for every route (two steps, one step, an explicit superior, a Plh on the day) and whatever
the number of employees, requests and delegations. The employee's row lock is taken first, by the statement that
reads the employee, before the balance and the live requests are read."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from hr.leave import services
from hr.leave.models import LeaveRequest, LeaveType, LedgerEntry
from hr.leave.selectors import requestable_type, requestable_types_key
from hr.org.models import Delegation
from hr.org.selectors import delegated_positions
from hr.org.signals import bump_org_generation
from intranet.core.caching import cache_set
from intranet.notifications.models import Notification
from tests import factories
from tests.query_bounds import assert_flat, queries

from .conftest import monday

pytestmark = pytest.mark.django_db

# the session and the account (2; with the second-factor gate on, as in the load benchmark, also the account's roles);
# the transaction (2); the employee, locked, with unit, explicit superior and users (1); the ledger balance (1); the
# live requests (1); the route with its users (1); the request and its submitted step (2); the employee's and the first
# actor's notifications in one INSERT, their outbox e-mails in another (2). At most that; it was 21 (22 in the load
# benchmark).
SUBMIT_QUERIES = 12
# a request for next year while this year is still open, by an employee with entries this year: whether this year is
# closed, its pending requests and the entitlement and usage of the last two years (the carry-over it would give)
PROJECTION = 4


def _post(client, leave_type, day, **extra):
    data = {
        "leave_type": leave_type.pk,
        "start_date": day.isoformat(),
        "end_date": day.isoformat(),
        "reason": "Keperluan keluarga",
        "address_during_leave": "Jl. Melati 2, Bandung",
        "phone_during_leave": "0812 3456 7890",
        **extra,
    }
    return client.post(reverse("leave:new"), data)


def _days(year):
    """Working days of next year's calendar (no holidays in it), one per request."""
    day = monday(year, 0)
    while True:
        if day.weekday() < 5:
            yield day
        day += dt.timedelta(days=1)


@pytest.fixture
def warm(client, chain, types, year, django_capture_on_commit_callbacks):
    """Next year allocated for everyone in the chain, and one submission whose commit filled the shared caches."""
    services.allocate_year(year=year)
    days = _days(year)
    client.force_login(chain.staff.user)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(client, types["tahunan"], next(days)).status_code == 302
    return days


def _form(client, employee):
    """Signed in as `employee`, the form first, as in use: a fresh session's first write is not the submission's."""
    client.force_login(employee.user)
    client.get(reverse("leave:new"))


def _filed(resp, employee) -> LeaveRequest:
    assert resp.status_code == 302, resp.context and resp.context["form"].errors
    req = LeaveRequest.objects.filter(employee=employee).latest("pk")
    assert resp["Location"] == reverse("leave:detail", args=[req.pk])
    return req


def _submit(client, employee, leave_type, day):
    """The queries of one submission by `employee` and the request it filed."""
    _form(client, employee)
    with queries() as q:
        resp = _post(client, leave_type, day)
    return q, _filed(resp, employee)


def _locked_first(q, *tables) -> str:
    """The first read of the employee: on a database with row locks it takes the employee's lock, and no read of
    `tables` comes before it."""
    lock = q.reading("org_employee")[0]
    if connection.features.has_select_for_update:
        assert " FOR UPDATE" in lock, lock
    for table in tables:
        assert all(q.sql.index(lock) < q.sql.index(read) for read in q.reading(table)), table
    return lock


def test_steady_state_submission(client, chain, types, warm):
    q, req = _submit(client, chain.staff, types["tahunan"], next(warm))
    assert len(q) <= SUBMIT_QUERIES, q.listing()
    assert req.status == LeaveRequest.Status.AWAITING_SUPERIOR and req.route_position_id == chain.head.position_id
    # the employee is read once, by the locking read, and before the balance and the live requests
    _locked_first(q, "leave_ledgerentry", "leave_leaverequest")
    assert len(q.reading("org_employee")) <= 1, q.listing()
    # the leave type, the calendar and the first actor's account are not read on their own
    for table in ("leave_leavetype", "leave_holidaycalendar", "leave_holiday"):
        assert not q.reading(table), table
    assert len(q.reading("accounts_user")) <= 1  # the signed-in account (the session's user)


def test_every_route_costs_the_same(client, chain, types, warm, org):
    annual = types["tahunan"]
    q, req = _submit(client, chain.dir_staff, annual, next(warm))  # the superior is the official: one step
    assert req.single_step and len(q) <= SUBMIT_QUERIES, q.listing()
    chain.colleague.supervisor = chain.other_head  # an explicit superior in another directorate
    chain.colleague.save()
    q, req = _submit(client, chain.colleague, annual, next(warm))
    assert req.route_employee == chain.other_head and len(q) <= SUBMIT_QUERIES, q.listing()
    day = next(warm)
    plh = factories.EmployeeFactory(unit=org["SUB1"], name="Pelaksana Harian")
    Delegation.objects.create(
        position=org["SUB1"].head_position,
        acting=plh,
        kind="Plh",
        start_date=timezone.localdate(),
        end_date=timezone.localdate(),
        decree_number="ND-3/2026",
    )
    q, req = _submit(client, chain.staff, annual, day)  # today the Plh gives the superior's opinion
    assert req.route_position_id == chain.head.position_id and len(q) <= SUBMIT_QUERIES, q.listing()
    notified = Notification.objects.filter(kind="leave.action_needed", url=reverse("leave:detail", args=[req.pk]))
    assert [n.recipient_id for n in notified] == [plh.user_id]


def test_the_same_with_more_employees_requests_and_delegations(client, chain, types, warm, org, year):
    annual = types["tahunan"]
    # the employee's own history: approved leave of the past years with their ledger entries, so this year is open
    for back in (1, 2, 3):
        old = dt.date(year - back, 3, 2)
        LeaveRequest.objects.create(
            employee=chain.staff,
            leave_type=annual,
            start_date=old,
            end_date=old,
            days=1,
            reason="r",
            address_during_leave="a",
            phone_during_leave="0812",
            status=LeaveRequest.Status.APPROVED,
        )
        LedgerEntry.objects.create(employee=chain.staff, leave_type=annual, year=year - back, kind="usage", days=-1)
    start, today = monday(year, 30), timezone.localdate()

    def colleagues(n):
        """n colleagues in the chain's units, allocated, each with a request awaiting the superior and an approved
        one; one in eight holds a delegation of a chain position, most not in force today."""
        people = factories.bulk_employees(n, [org["SUB1"], org["DIR1"]], name="Rekan Kerja")
        services.allocate_year(year=year, employee_ids=[c.pk for c in people])
        LeaveRequest.objects.bulk_create(
            LeaveRequest(
                employee=employee,
                leave_type=annual,
                start_date=start + dt.timedelta(days=i % 40),
                end_date=start + dt.timedelta(days=i % 40),
                days=1,
                reason="r",
                address_during_leave="a",
                phone_during_leave="0812",
                status=status,
                route_position=org["SUB1"].head_position,
                official_position=org["DIR1"].head_position,
            )
            for i, (employee, status) in enumerate(
                [(c, s) for c in people for s in (LeaveRequest.Status.AWAITING_SUPERIOR, LeaveRequest.Status.APPROVED)]
            )
        )
        Delegation.objects.bulk_create(
            Delegation(
                position=position,
                acting=employee,
                kind="Plt",
                start_date=today - dt.timedelta(days=30 * (i + 1)),
                end_date=today - dt.timedelta(days=30 * (i + 1) - 5),
                decree_number=f"SK-{employee.pk}",
            )
            for i, employee in enumerate(people[::8])
            for position in (org["SUB1"].head_position, org["DIR1"].head_position, org["DIR2"].head_position)
        )
        bump_org_generation()  # bulk inserts send no signals

    def submit():
        return _post(client, annual, next(warm))

    resp = assert_flat(
        submit, grow=colleagues, prepare=lambda: _form(client, chain.staff), at_most=SUBMIT_QUERIES + PROJECTION
    )
    assert _filed(resp, chain.staff).status == LeaveRequest.Status.AWAITING_SUPERIOR


def test_an_account_without_an_employee_record_files_nothing(client, chain, types, year):
    """The view no longer reads the employee before submitting: the service's locking read finds none."""
    account = factories.UserFactory()
    client.force_login(account)
    day = monday(year, 2)
    for extra in ({}, {"reason": ""}):  # a valid form, and an invalid one
        resp = _post(client, types["tahunan"], day, **extra)
        assert resp.status_code == 200 and b'data-testid="leave-no-employee"' in resp.content
    assert not LeaveRequest.objects.exists()


def test_the_chosen_leave_type_follows_edits_at_once(client, chain, types, year, django_capture_on_commit_callbacks):
    """The requestable types come from the shared cache; an edit retires the cached list, also one that a reader
    filled from the database while the edit was not committed yet."""
    client.force_login(chain.staff.user)
    services.allocate_year(year=year, employee_ids=[chain.staff.pk])
    annual, sick, collective = types["tahunan"], types["sakit"], types["bersama"]
    assert requestable_type(annual.pk) == annual and requestable_type(collective.pk) is None  # not requestable
    resp = _post(client, collective, monday(year, 1))
    assert resp.status_code == 200 and resp.context["form"].has_error("leave_type", "invalid_choice")
    for value in ("", "x", "10000"):
        resp = client.post(reverse("leave:new"), {"leave_type": value, "start_date": monday(year, 1).isoformat()})
        assert "leave_type" in resp.context["form"].errors, value
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        annual.active = False
        annual.save()
        stale = {annual.pk: annual, sick.pk: sick}  # what a concurrent reader read before the commit, kept meanwhile
        assert requestable_type(sick.pk) == sick
        cache_set(requestable_types_key(), stale, 3600)
    assert requestable_type(annual.pk) is None and requestable_type(sick.pk) == sick
    resp = _post(client, annual, monday(year, 1))
    assert resp.status_code == 200 and resp.context["form"].has_error("leave_type", "invalid_choice")
    assert not LeaveRequest.objects.exists()


def test_a_submission_for_next_year_writes_nothing_to_the_ledger(client, chain, types, warm, year):
    """In December the yearly job has not opened next year for a newcomer: the submission is judged against the
    projected balance and posts nothing (the allocation comes with the year-end job or a decision)."""
    annual = types["tahunan"]
    newcomer = factories.EmployeeFactory(unit=chain.staff.unit, name="Pindahan Baru")  # after the yearly job ran
    q, _req = _submit(client, newcomer, annual, next(warm))
    assert len(q) <= SUBMIT_QUERIES, q.listing()
    assert not LedgerEntry.objects.filter(employee=newcomer).exists()
    from hr.leave.yearend import projection

    assert projection(newcomer, annual, year).total - services.pending_hold(newcomer.pk, annual.pk, year) == 11


def test_the_form_offers_the_requestable_types_without_a_query_and_follows_edits(client, chain, types, year):
    """The leave type's choices and the types' descriptions come from the cached requestable types
    (`selectors.requestable_types`), in the types' order; an edit shows on the next form."""
    client.force_login(chain.staff.user)
    client.get(reverse("leave:new"))
    with queries() as q:
        resp = client.get(reverse("leave:new"))
    assert not q.touching("leave_leavetype"), q.listing()
    offered = [value for value, _label in resp.context["form"].fields["leave_type"].choices]
    expected = list(LeaveType.objects.filter(active=True, requestable=True).values_list("pk", flat=True))
    assert [int(str(v)) for v in offered] == expected and types["bersama"].pk not in offered
    sick = types["sakit"]
    sick.requestable = False
    sick.save()
    resp = client.get(reverse("leave:new"))
    assert f'value="{sick.pk}"' not in resp.content.decode()
    assert f'value="{types["tahunan"].pk}"' in resp.content.decode()


# A withdrawal through its form (POST /cuti/<id>/tarik/): the session and the account (2); the visibility check (1);
# the transaction (2); the employee, locked by a statement that finds it from the request, with unit and account (1);
# the request, locked (1); who must act now (the superior: the Plh for the day, or else the holder with their
# account; which positions have a Plh that day is kept in the cache) (1); the request, its withdrawal step, the two
# notifications and their e-mails (4). It was 16: the employee was read twice, the superior's position and account
# each on their own, and a Plh looked for on every withdrawal.
WITHDRAW_QUERIES = 12


def _withdraw(client, req):
    delegated_positions(timezone.localdate())  # kept since an earlier request, as in use
    with queries() as q:
        resp = client.post(reverse("leave:withdraw", args=[req.pk]))
    assert resp.status_code == 302
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.WITHDRAWN
    return q


def test_withdrawal_locks_the_employee_first_and_reads_each_row_once(client, chain, types, warm):
    _q, req = _submit(client, chain.staff, types["tahunan"], next(warm))
    q = _withdraw(client, req)
    assert len(q) <= WITHDRAW_QUERIES, q.listing()
    lock = _locked_first(q)
    if connection.features.has_select_for_update:
        assert '"leave_leaverequest"' in lock  # the employee found from the request
        request_lock = next(s for s in q.reading("leave_leaverequest") if s != lock and " FOR UPDATE" in s)
        assert q.sql.index(lock) < q.sql.index(request_lock)
    assert not q.reading("org_position")  # the superior's position is known by its id
    assert len(q.reading("accounts_user")) <= 1  # the signed-in account only; the superior's comes joined
    notified = Notification.objects.filter(kind="leave.withdrawn", url=reverse("leave:detail", args=[req.pk]))
    assert sorted(n.recipient_id for n in notified) == sorted([chain.staff.user_id, chain.head.user_id])


def test_withdrawal_with_a_plh_in_office_costs_the_same(client, chain, types, warm, org):
    _sqls, req = _submit(client, chain.staff, types["tahunan"], next(warm))
    plh = factories.EmployeeFactory(unit=org["SUB1"], name="Pelaksana Harian")
    Delegation.objects.create(
        position=org["SUB1"].head_position, acting=plh, kind="Plh", start_date=timezone.localdate(),
        end_date=timezone.localdate(), decree_number="ND-4/2026",
    )  # fmt: skip
    q = _withdraw(client, req)
    assert len(q) <= WITHDRAW_QUERIES, q.listing()  # the Plh instead of the holder
    notified = Notification.objects.filter(kind="leave.withdrawn", url=reverse("leave:detail", args=[req.pk]))
    assert sorted(n.recipient_id for n in notified) == sorted([chain.staff.user_id, plh.user_id])
