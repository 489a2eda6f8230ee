"""Every page and action of the leave module over HTTP with the clock frozen at the turn of the year (31 December in
the morning and just before midnight, 1 January just after midnight, before the year-end job's 00:30 run) and on
29 February: no error page, the right year is touched, only ended years are closed, no year goes negative."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Sum
from django.urls import reverse

from hr.leave import services
from hr.leave.models import Holiday, LeaveLetter, LeaveRequest, LedgerEntry, LedgerYearClose
from hr.leave.workdays import seed_calendar

pytestmark = pytest.mark.django_db
JKT = ZoneInfo("Asia/Jakarta")
Status = LeaveRequest.Status

MOMENTS = {
    "31-december-morning": dt.datetime(2030, 12, 31, 9, 0, tzinfo=JKT),
    "31-december-before-midnight": dt.datetime(2030, 12, 31, 23, 50, tzinfo=JKT),
    "1-january-before-the-job": dt.datetime(2031, 1, 1, 0, 5, tzinfo=JKT),
    "29-february": dt.datetime(2028, 2, 29, 10, 0, tzinfo=JKT),
}


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


def _weekday_from(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _as(client, employee):
    client.force_login(employee.user)
    return client


def _decide(client, person, req, outcome, **extra):
    resp = _as(client, person).post(
        reverse("leave:decide", args=[req.pk]), {"outcome": outcome, "reason": extra.pop("reason", ""), **extra}
    )
    assert resp.status_code == 302
    req.refresh_from_db()
    return req


def _no_year_negative():
    sums = LedgerEntry.objects.values("employee_id", "leave_type_id", "year").annotate(s=Sum("days"))
    assert not [row for row in sums if row["s"] < 0]


@pytest.mark.parametrize("moment", list(MOMENTS.values()), ids=list(MOMENTS))
def test_every_leave_page_and_action_at_the_edge_of_the_year(
    client, chain, types, moment, django_capture_on_commit_callbacks
):
    annual, urgent = types["tahunan"], types["alasan-penting"]
    today = moment.date()
    for y in (today.year - 1, today.year, today.year + 1):
        Holiday.objects.filter(calendar=seed_calendar(y)).delete()  # every weekday a working day
    first_of_year = (today.month, today.day) == (1, 1)
    with time_machine.travel(moment, tick=False):
        # the yearly job ran on 1 January of this year; on 1 January at 00:05 it has not run yet
        services.allocate_year(year=today.year - 1 if first_of_year else today.year)
        staff = chain.staff
        c = _as(client, staff)
        for url in (reverse("leave:index"), reverse("leave:index") + f"?year={today.year + 1}", reverse("leave:new")):
            assert c.get(url).status_code == 200, url
        before = LedgerEntry.objects.count()

        # one request per year: a preview across the turn of the year is refused on the form, and writes nothing
        resp = c.post(
            reverse("leave:new"), _form(annual, dt.date(today.year, 12, 30), dt.date(today.year + 1, 1, 2), preview="1")
        )
        assert resp.status_code == 200 and resp.context["form"].errors
        start = _weekday_from(today)
        resp = c.post(reverse("leave:new"), _form(annual, start, start, preview="1"))
        assert resp.status_code == 200 and resp.context["preview"].days == 1
        assert LedgerEntry.objects.count() == before and not LedgerYearClose.objects.exists()

        # submit today (31 December or 29 February is still "not in the past"), opinion, change, accept
        resp = c.post(reverse("leave:new"), _form(annual, start, start))
        assert resp.status_code == 302
        req = LeaveRequest.objects.get(employee=staff, start_date=start)
        assert c.get(reverse("leave:detail", args=[req.pk])).status_code == 200
        if first_of_year:  # the first submission of the year ran the job's steps for this employee
            close = LedgerYearClose.objects.get(employee=staff, leave_type=annual, year=today.year - 1)
            assert close.carried + annual.yearly_entitlement <= annual.carry_over_max
        else:
            assert not LedgerYearClose.objects.exists()  # no running year is closed
        assert _as(client, chain.head).get(reverse("leave:inbox")).status_code == 200
        _decide(client, chain.head, req, "approve")
        later = _weekday_from(start + dt.timedelta(days=1))
        req = _decide(
            client,
            chain.director,
            req,
            "change",
            reason="Rapat akhir tahun",
            proposed_start=later.isoformat(),
            proposed_end=later.isoformat(),
        )
        assert req.status == Status.CHANGED
        with django_capture_on_commit_callbacks(execute=True):
            assert _as(client, staff).post(reverse("leave:accept", args=[req.pk])).status_code == 302
        req.refresh_from_db()
        assert req.status == Status.APPROVED and req.start_date == later
        usage = LedgerEntry.objects.get(request=req, kind="usage")
        assert usage.year == later.year  # the year of the leave, whichever year the decision was taken in
        letter = LeaveLetter.objects.get(request=req)
        resp = _as(client, staff).get(reverse("leave:letter", args=[req.pk]))
        assert resp.status_code == 200 and letter.year == today.year

        # next year's request: submitted, then withdrawn
        jan = _weekday_from(dt.date(today.year + 1, 1, 6))
        assert _as(client, staff).post(reverse("leave:new"), _form(annual, jan, jan)).status_code == 302
        nxt = LeaveRequest.objects.get(employee=staff, start_date=jan)
        assert c.post(reverse("leave:withdraw", args=[nxt.pk])).status_code == 302
        nxt.refresh_from_db()
        assert nxt.status == Status.WITHDRAWN

        # approved, then cancelled by HR with a reason: the days come back to the leave's year
        resp = _as(client, chain.colleague).post(reverse("leave:new"), _form(annual, later, later))
        assert resp.status_code == 302
        other = LeaveRequest.objects.get(employee=chain.colleague, start_date=later)
        _decide(client, chain.head, other, "approve")
        assert _decide(client, chain.director, other, "approve").status == Status.APPROVED
        resp = _as(client, chain.hr).post(reverse("leave:cancel", args=[other.pk]), {"reason": "Salah input"})
        assert resp.status_code == 302
        other.refresh_from_db()
        assert other.status == Status.CANCELLED
        assert services.ledger_balance(chain.colleague.pk, annual.pk, later.year) >= 0

        # the emergency path: temporary permission before the decision, and the supporting document
        doc = SimpleUploadedFile("surat.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
        resp = _as(client, chain.dir_staff).post(
            reverse("leave:new"), _form(urgent, start, start, emergency="on", document=doc)
        )
        assert resp.status_code == 302
        urgent_req = LeaveRequest.objects.get(employee=chain.dir_staff, leave_type=urgent)
        d = _as(client, chain.director)
        assert d.post(reverse("leave:permit", args=[urgent_req.pk])).status_code == 302
        urgent_req.refresh_from_db()
        assert urgent_req.temporary_permission_at is not None
        assert d.get(reverse("leave:document", args=[urgent_req.pk])).status_code == 200

        # calendar, home panel, HR pages, adjustment, exports, opening import page, calendar feed
        assert _as(client, staff).get(reverse("leave:calendar")).status_code == 200
        assert c.get("/").status_code == 200
        h = _as(client, chain.hr)
        for url in (
            reverse("leave:hr"),
            reverse("leave:hr") + f"?year={today.year + 1}",
            reverse("leave:hr_export", args=["csv"]) + f"?year={today.year}",
            reverse("leave:hr_export", args=["xlsx"]) + f"?year={today.year}",
            reverse("leave:hr_opening"),
        ):
            assert h.get(url).status_code == 200, url
        held = services.ledger_balance(staff.pk, annual.pk, today.year)
        resp = h.post(
            reverse("leave:hr_adjust"), {"employee": staff.pk, "year": today.year, "days": 1, "reason": "Piket"}
        )
        assert resp.status_code == 302
        assert services.ledger_balance(staff.pk, annual.pk, today.year) == held + 1
        assert _as(client, staff).post(reverse("leave:feed_settings")).status_code == 302
        token = staff.user.leave_feed.token
        feed = client.get(reverse("leave:feed", args=[token]))
        assert feed.status_code == 200 and later.strftime("%Y%m%d").encode() in feed.content

        _no_year_negative()
        closed = set(LedgerYearClose.objects.values_list("year", flat=True))
        assert all(year < today.year for year in closed)  # only ended years are ever closed
