"""The turn of the year (issue: planning next year in December must not close this year). December 2030 → 2031, over
HTTP where a person acts: a preview writes nothing, a submission for January leaves December's balance whole, the year
is closed only after its end, once, by the year-end job; next year's requests are judged against the projected balance
and re-checked at the close; the repair command rebuilds years closed early."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from hr.leave import services, tasks, yearend
from hr.leave.models import Holiday, LeaveRequest, LedgerEntry, LedgerYearClose
from hr.leave.services import LeaveError
from hr.leave.workdays import seed_calendar
from intranet.notifications.models import Notification

from .conftest import submit

pytestmark = pytest.mark.django_db
JKT = ZoneInfo("Asia/Jakarta")
Status = LeaveRequest.Status


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=JKT), tick=False)


def ledger_snapshot(employee=None):
    rows = LedgerEntry.objects.filter(employee=employee) if employee else LedgerEntry.objects.all()
    return sorted(rows.values_list("employee_id", "leave_type_id", "year", "kind", "days"))


def balance(emp, lt, year):
    return services.ledger_balance(emp.pk, lt.pk, year)


@pytest.fixture
def december(chain, types):
    """2030 and 2031 calendars without holidays; the staff member has 2030's allocation (12 days), nothing taken."""
    for y in (2029, 2030, 2031, 2032):
        Holiday.objects.filter(calendar=seed_calendar(y)).delete()
    with at(dt.date(2030, 1, 2)):
        services.allocate_year(year=2030)
    return types["tahunan"]


def _form(lt, start, end, **extra):
    return {
        "leave_type": lt.pk,
        "start_date": start.isoformat(),
        "end_date": end.isoformat(),
        "reason": "Keperluan keluarga",
        "address_during_leave": "Jl. Melati 2, Bandung",
        "phone_during_leave": "0812 3456 7890",
        **extra,
    }


def test_preview_in_december_writes_nothing_and_shows_the_projected_balance(client, chain, december):
    lt = december
    before = ledger_snapshot()
    with at(dt.date(2030, 12, 10)):
        client.force_login(chain.staff.user)
        resp = client.post(reverse("leave:new"), _form(lt, dt.date(2031, 1, 6), dt.date(2031, 1, 10), preview="1"))
    assert resp.status_code == 200
    preview = resp.context["preview"]
    # 12 to come in 2031 + 6 the 12 left in 2030 would carry (cap 18: no two years of history without leave)
    assert (preview.available, preview.remaining, preview.projected) == (18, 13, True)
    assert b'data-testid="leave-preview-projected"' in resp.content
    assert ledger_snapshot() == before and not LedgerYearClose.objects.exists()
    assert balance(chain.staff, lt, 2030) == 12


def test_balances_page_in_december_shows_next_year_projected_without_writing(client, chain, december):
    before = ledger_snapshot()
    with at(dt.date(2030, 12, 10)):
        client.force_login(chain.staff.user)
        resp = client.get(reverse("leave:index") + "?year=2031")
    assert resp.status_code == 200 and b'data-testid="balance-projected"' in resp.content
    assert ledger_snapshot() == before


def test_submitting_january_in_december_keeps_december_whole(client, chain, december):
    lt = december
    with at(dt.date(2030, 12, 1)):
        dec = submit(chain.staff, lt, dt.date(2030, 12, 16), dt.date(2030, 12, 20))  # 5 days in December
        client.force_login(chain.staff.user)
        resp = client.post(reverse("leave:new"), _form(lt, dt.date(2031, 1, 6), dt.date(2031, 1, 10)))
        assert resp.status_code == 302
        assert not LedgerEntry.objects.filter(kind__in=["carry_over", "expiry"]).exists()
        assert not LedgerEntry.objects.filter(year=2031).exists()
        assert balance(chain.staff, lt, 2030) == 12
        # the December request can still be approved: the year is not closed under it
        services.leave_request_decide(request_id=dec.pk, user=chain.head.user, outcome="approve")
        services.leave_request_decide(request_id=dec.pk, user=chain.director.user, outcome="approve")
    assert balance(chain.staff, lt, 2030) == 7


def test_a_year_is_closed_only_after_its_end_and_only_once(chain, december):
    lt = december
    with at(dt.date(2030, 12, 31), 23):
        with pytest.raises(LeaveError, match="has not ended"):
            yearend.close_year(year=2030)
        tasks.allocate_year(2031)  # the job run early: allocates 2031, closes nothing
        assert not LedgerEntry.objects.filter(kind__in=["carry_over", "expiry"]).exists()
        assert balance(chain.staff, lt, 2030) == 12
    with at(dt.date(2031, 1, 1), 0):
        tasks.allocate_year()
        after_first = ledger_snapshot()
        assert balance(chain.staff, lt, 2031) == 18 and balance(chain.staff, lt, 2030) == 0
        close = LedgerYearClose.objects.get(employee=chain.staff, leave_type=lt, year=2030)
        assert (close.carried, close.expired, close.extended_cap) == (6, 6, False)
        tasks.allocate_year()
        call_command("leave_allocate", "--year", "2031")
        assert ledger_snapshot() == after_first
        assert LedgerYearClose.objects.filter(employee=chain.staff, leave_type=lt, year=2030).count() == 1


def test_next_year_request_on_projected_carry_over_is_rechecked_at_the_close(chain, december):
    lt = december
    with at(dt.date(2030, 12, 1)):
        jan = submit(chain.staff, lt, dt.date(2031, 1, 6), dt.date(2031, 1, 22))  # 13 days: 12 + 1 carried
        dec = submit(chain.staff, lt, dt.date(2030, 12, 2), dt.date(2030, 12, 17))  # all 12 of 2030
        services.leave_request_decide(request_id=dec.pk, user=chain.head.user, outcome="approve")
        services.leave_request_decide(request_id=dec.pk, user=chain.director.user, outcome="approve")
        assert balance(chain.staff, lt, 2030) == 0
    with at(dt.date(2031, 1, 1), 1):
        summary = yearend.year_end(year=2031)
    assert summary.short_requests == 1
    jan.refresh_from_db()
    assert jan.status == Status.AWAITING_SUPERIOR  # stays pending, flagged
    assert Notification.objects.filter(recipient=chain.staff.user, kind="leave.year_close_short").exists()
    assert Notification.objects.filter(recipient=chain.head.user, kind="leave.year_close_short").exists()
    with at(dt.date(2031, 1, 2)):
        services.leave_request_decide(request_id=jan.pk, user=chain.head.user, outcome="approve")
        with pytest.raises(LeaveError, match="Not enough"):
            services.leave_request_decide(request_id=jan.pk, user=chain.director.user, outcome="approve")
    assert balance(chain.staff, lt, 2031) == 12


def test_approving_january_in_december_uses_the_allocation_and_waits_for_the_carry_over(chain, december):
    lt = december
    with at(dt.date(2030, 12, 1)):
        small = submit(chain.staff, lt, dt.date(2031, 1, 6), dt.date(2031, 1, 10))  # 5
        large = submit(chain.staff, lt, dt.date(2031, 2, 3), dt.date(2031, 2, 14))  # 10: 5 + 10 > 12
        for req in (small, large):
            services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
        services.leave_request_decide(request_id=small.pk, user=chain.director.user, outcome="approve")
        assert balance(chain.staff, lt, 2031) == 7  # 2031's allocation posted with the decision, 5 used
        assert balance(chain.staff, lt, 2030) == 12  # 2030 not closed
        with pytest.raises(LeaveError, match="carried over from 2030"):
            services.leave_request_decide(request_id=large.pk, user=chain.director.user, outcome="approve")
    with at(dt.date(2031, 1, 1), 1):
        yearend.year_end(year=2031)
    with at(dt.date(2031, 1, 2)):
        services.leave_request_decide(request_id=large.pk, user=chain.director.user, outcome="approve")
    assert balance(chain.staff, lt, 2031) == 18 - 15


def test_deferral_in_december_of_a_january_request_never_drives_a_year_negative(chain, december):
    lt = december
    with at(dt.date(2030, 12, 1)):
        req = submit(chain.staff, lt, dt.date(2031, 1, 6), dt.date(2031, 1, 10))
        services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
        services.leave_request_decide(request_id=req.pk, user=chain.director.user, outcome="defer", reason="Beban")
    for year in (2030, 2031, 2032):
        assert balance(chain.staff, lt, year) >= 0
    assert balance(chain.staff, lt, 2032) == 5


def test_long_leave_approved_in_december_forfeits_next_years_annual_leave_and_its_carry_over(chain, types, december):
    lt = december
    with at(dt.date(2030, 12, 1)):
        besar = submit(chain.staff, types["besar"], dt.date(2031, 3, 3), dt.date(2031, 4, 1))
        services.leave_request_decide(request_id=besar.pk, user=chain.head.user, outcome="approve")
        services.leave_request_decide(request_id=besar.pk, user=chain.director.user, outcome="approve")
        assert balance(chain.staff, lt, 2031) == 0  # allocated with the decision and forfeited
    with at(dt.date(2031, 1, 1), 1):
        yearend.year_end(year=2031)
    assert balance(chain.staff, lt, 2031) == 0  # the carry-over into 2031 is forfeited too
    services.leave_request_cancel(request_id=besar.pk, user=chain.hr.user, reason="Batal")
    assert balance(chain.staff, lt, 2031) == 18  # cancelling gives back what was forfeited


def test_first_submission_in_january_closes_the_ended_year_for_that_employee(client, chain, december):
    """The job has not reached the employee yet on 2 January: the submission runs its steps for that employee."""
    lt = december
    with at(dt.date(2031, 1, 2)):
        client.force_login(chain.staff.user)
        resp = client.post(reverse("leave:new"), _form(lt, dt.date(2031, 1, 13), dt.date(2031, 1, 14)))
    assert resp.status_code == 302
    assert LedgerYearClose.objects.filter(employee=chain.staff, year=2030).count() == 1
    assert balance(chain.staff, lt, 2031) == 18


# --- carry-over cap with and without history ------------------------------------------------------------------------
def _post(emp, lt, year, kind, days):
    return LedgerEntry.objects.create(employee=emp, leave_type=lt, year=year, kind=kind, days=days)


def test_extended_cap_needs_an_entitlement_in_both_previous_years(chain, types, december):
    lt = december  # 2030 allocated (12), nothing taken; no entry for 2029
    with at(dt.date(2031, 1, 1), 1):
        yearend.year_end(year=2031, employee_ids=[chain.staff.pk])
    assert balance(chain.staff, lt, 2031) == 18  # not 24: no entitlement on record for 2029


def test_extended_cap_after_two_entitled_years_without_leave(chain, types, december):
    lt = december
    _post(chain.colleague, lt, 2029, "allocation", 12)  # 2030 allocated by the fixture
    with at(dt.date(2031, 1, 1), 1):
        yearend.year_end(year=2031, employee_ids=[chain.colleague.pk])
    assert balance(chain.colleague, lt, 2031) == 24


def test_a_reversed_usage_is_no_leave_taken_but_a_kept_one_is(chain, types, december):
    lt = december
    _post(chain.colleague, lt, 2029, "allocation", 12)
    _post(chain.dir_staff, lt, 2029, "allocation", 12)
    _post(chain.dir_staff, lt, 2029, "usage", -1)
    with at(dt.date(2031, 1, 1), 1):
        yearend.year_end(year=2031, employee_ids=[chain.colleague.pk, chain.dir_staff.pk])
    assert balance(chain.colleague, lt, 2031) == 24
    assert balance(chain.dir_staff, lt, 2031) == 18


# --- repair ----------------------------------------------------------------------------------------------------------
def _early_close(emp, lt):
    """What the old code did on a December preview: 2031 allocated, 2030's remainder carried and expired early."""
    with at(dt.date(2030, 12, 10)):
        _post(emp, lt, 2031, "allocation", 12)
        _post(emp, lt, 2030, "carry_over", -6)
        _post(emp, lt, 2031, "carry_over", 6)
        _post(emp, lt, 2030, "expiry", -6)


def test_repair_finds_early_closes_dry_run_first_then_rebuilds_once(chain, december, capsys):
    lt = december
    _early_close(chain.staff, lt)
    with at(dt.date(2030, 12, 14)):  # December leave approved after the early close: 2030 went negative
        _post(chain.staff, lt, 2030, "usage", -3)
    assert balance(chain.staff, lt, 2030) == -3
    before = ledger_snapshot()
    with at(dt.date(2031, 1, 5)):
        call_command("leave_repair_year_close")
        out = capsys.readouterr().out
        assert chain.staff.nip in out and "--apply" in out
        assert ledger_snapshot() == before  # dry run
        call_command("leave_repair_year_close", "--apply")
        out = capsys.readouterr().out
        assert chain.staff.nip in out
    assert balance(chain.staff, lt, 2030) == 0
    assert balance(chain.staff, lt, 2031) == 12 + 6  # 9 left in 2030: 6 carried, 3 expired
    close = LedgerYearClose.objects.get(employee=chain.staff, leave_type=lt, year=2030)
    assert (close.carried, close.expired, close.source) == (6, 3, "repair")
    after = ledger_snapshot(chain.staff)
    with at(dt.date(2031, 1, 6)):
        call_command("leave_repair_year_close", "--apply")
        assert "No year was closed early" in capsys.readouterr().out
        yearend.year_end(year=2031)
    assert ledger_snapshot(chain.staff) == after


def test_repair_in_december_reopens_the_running_year(chain, december, capsys):
    lt = december
    _early_close(chain.staff, lt)
    with at(dt.date(2030, 12, 20)):
        call_command("leave_repair_year_close", "--apply")
    assert "year-end job" in capsys.readouterr().out
    assert balance(chain.staff, lt, 2030) == 12 and balance(chain.staff, lt, 2031) == 12
    assert not LedgerYearClose.objects.exists()


def test_migration_records_years_closed_after_their_end_and_leaves_early_ones_to_the_repair(chain, december):
    import importlib

    from django.apps import apps

    lt = december
    _early_close(chain.staff, lt)
    with at(dt.date(2031, 1, 1), 1):  # the old job on time for a colleague: carry-over after the end
        _post(chain.colleague, lt, 2031, "allocation", 12)
        _post(chain.colleague, lt, 2030, "carry_over", -6)
        _post(chain.colleague, lt, 2031, "carry_over", 6)
        _post(chain.dir_staff, lt, 2031, "allocation", 12)  # nothing left to carry, closed all the same
    _post(chain.dir_staff, lt, 2030, "usage", -12)
    migration = importlib.import_module("hr.leave.migrations.0004_year_close")
    migration.record_years_closed_after_their_end(apps, None)
    closed = set(LedgerYearClose.objects.values_list("employee_id", "year"))
    assert closed == {(chain.colleague.pk, 2030), (chain.dir_staff.pk, 2030)}
