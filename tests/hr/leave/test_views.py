"""Screens: my leave, the form with its server-side preview, the approvals inbox, the team calendar, the HR dashboard,
exports, the iCal feed, the dashboard panel; query counts that do not grow with the requests."""

import datetime as dt

import pytest
from django.urls import reverse

from hr.leave import dashboard, services
from hr.leave.models import LeaveRequest
from intranet.core.caching import bump_user_generation
from tests.query_bounds import assert_flat, queries

from .conftest import monday, submit

pytestmark = pytest.mark.django_db


def _bulk_requests(employees, leave_type, n, status, route_position=None, start=None):
    start = start or dt.date.today() + dt.timedelta(days=30)
    rows = []
    for i in range(n):
        emp = employees[i % len(employees)]
        day = start + dt.timedelta(days=i)
        rows.append(
            LeaveRequest(
                employee=emp,
                leave_type=leave_type,
                start_date=day,
                end_date=day,
                days=1,
                reason="r",
                address_during_leave="a",
                phone_during_leave="0812",
                status=status,
                route_position=route_position,
                official_position=route_position,
            )
        )
    LeaveRequest.objects.bulk_create(rows)


def _doctors_note():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("surat-dokter.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def _built_afresh(client):
    """Retire the reader's copy of the page: these tests add rows behind the app's back, which would leave it kept."""
    return lambda: bump_user_generation(int(client.session["_auth_user_id"]))


def _view(client, url):
    def view():
        resp = client.get(url)
        assert resp.status_code == 200
        return resp

    return view


def _requests(employees, leave_type, status, route_position=None):
    """`grow` for assert_flat: n more requests, each on a day after the last one's."""
    made = []

    def grow(n):
        start = dt.date.today() + dt.timedelta(days=30 + len(made))
        _bulk_requests(employees, leave_type, n, status, route_position, start=start)
        made.extend([None] * n)

    return grow


def test_my_leave_queries_do_not_grow_with_the_requests(client, chain, types):
    client.force_login(chain.staff.user)
    services.allocate_year(year=dt.date.today().year, employee_ids=[chain.staff.pk])
    resp = assert_flat(
        _view(client, reverse("leave:index")),
        grow=_requests([chain.staff], types["sakit"], LeaveRequest.Status.APPROVED),
        prepare=_built_afresh(client),
        at_most=7,
    )
    assert b'data-testid="balance-tahunan"' in resp.content
    assert LeaveRequest.objects.filter(employee=chain.staff).count() == 2000


def test_inbox_queries_do_not_grow_with_the_requests(client, chain, types, org):
    client.force_login(chain.head.user)
    resp = assert_flat(
        _view(client, reverse("leave:inbox")),
        grow=_requests(
            [chain.staff, chain.colleague],
            types["sakit"],
            LeaveRequest.Status.AWAITING_SUPERIOR,
            org["SUB1"].head_position,
        ),
        prepare=_built_afresh(client),
        at_most=7,
    )
    assert resp.content.count(b"/cuti/") >= 20
    assert b"2000" in resp.content


def test_inbox_shows_unit_absences(client, chain, types, year):
    mon = monday(year, 2)
    other = submit(chain.colleague, types["tahunan"], mon, mon + dt.timedelta(days=2))
    services.leave_request_decide(request_id=other.pk, user=chain.head.user, outcome="approve")
    services.leave_request_decide(request_id=other.pk, user=chain.director.user, outcome="approve")
    submit(chain.staff, types["tahunan"], mon + dt.timedelta(days=1), mon + dt.timedelta(days=3))
    client.force_login(chain.head.user)
    resp = client.get(reverse("leave:inbox"))
    # SUB1 has head, staff and colleague: the colleague is away on overlapping days.
    assert "1 dari 3" in resp.content.decode() or "1 of 3" in resp.content.decode()


def test_form_preview_without_js_and_submit(client, chain, types, year):
    client.force_login(chain.staff.user)
    resp = client.get(reverse("leave:new"))
    assert resp.status_code == 200 and b"Jl. Mawar 1" in resp.content  # address prefilled
    mon = monday(year, 2)
    data = {
        "leave_type": types["tahunan"].pk,
        "start_date": mon.isoformat(),
        "end_date": (mon + dt.timedelta(days=6)).isoformat(),
        "reason": "Liburan keluarga",
        "address_during_leave": "Jl. Melati 2",
        "phone_during_leave": "0812 3456 789",
    }
    resp = client.post(reverse("leave:new"), {**data, "preview": "1"})
    assert resp.status_code == 200
    html = resp.content.decode()
    preview = html.split('data-testid="leave-preview"')[1][:400]
    assert "5" in preview and "7" in preview  # 5 working days, 7 left
    assert not LeaveRequest.objects.exists()
    resp = client.post(reverse("leave:new"), {**data, "submit": "1"})
    req = LeaveRequest.objects.get()
    assert resp.status_code == 302 and resp["Location"] == reverse("leave:detail", args=[req.pk])


def test_form_shows_translated_validation_errors(client, chain, types, year):
    client.force_login(chain.staff.user)
    mon = monday(year, 2)
    resp = client.post(
        reverse("leave:new"),
        {
            "leave_type": types["tahunan"].pk,
            "start_date": mon.isoformat(),
            "end_date": (mon + dt.timedelta(days=20)).isoformat(),
            "reason": "x",
            "address_during_leave": "x",
            "phone_during_leave": "0812 3456 789",
            "submit": "1",
        },
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert resp.status_code == 200
    assert "Saldo cuti tidak cukup" in resp.content.decode()


def test_decide_through_the_view(client, chain, types, year):
    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon)
    client.force_login(chain.head.user)
    page = client.get(reverse("leave:detail", args=[req.pk]))
    assert b'data-testid="leave-decide-form"' in page.content
    resp = client.post(reverse("leave:decide", args=[req.pk]), {"outcome": "refuse", "reason": ""})
    assert resp.status_code == 200 and b'id="id_reason_error"' in resp.content  # the form again, with its error
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.AWAITING_SUPERIOR  # reason required
    client.post(reverse("leave:decide", args=[req.pk]), {"outcome": "approve"})
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.AWAITING_OFFICIAL


def test_team_calendar_hides_types_from_colleagues(client, chain, types, year):
    mon = monday(year, 2)
    r = submit(chain.staff, types["tahunan"], mon, mon + dt.timedelta(days=1))
    services.leave_request_decide(request_id=r.pk, user=chain.head.user, outcome="approve")
    services.leave_request_decide(request_id=r.pk, user=chain.director.user, outcome="approve")
    url = reverse("leave:calendar") + f"?unit=SUB1&month={mon:%Y-%m}"
    client.force_login(chain.head.user)
    html = client.get(url).content.decode()
    assert 'title="tahunan"' in html
    client.force_login(chain.colleague.user)
    html = client.get(url).content.decode()
    assert 'title="x"' in html and 'tahunan"' not in html
    client.force_login(chain.outsider.user)
    html = client.get(url).content.decode()
    assert "Staf Satu" not in html  # falls back to the outsider's own unit


def test_hr_dashboard_scope_adjust_and_exports(client, chain, types, year):
    services.allocate_year(year=year, employee_ids=[chain.staff.pk])
    mon = monday(year, 2)
    submit(chain.staff, types["tahunan"], mon, mon)
    submit(chain.outsider, types["sakit"], mon, mon, document=_doctors_note())
    client.force_login(chain.hr.user)
    html = client.get(reverse("leave:hr") + f"?year={year}").content.decode()
    assert "Staf Satu" in html and "Orang Luar" not in html
    filtered = client.get(reverse("leave:hr") + f"?year={year}&unit={chain.director.unit_id}").content.decode()
    assert "Staf Satu" in filtered  # SUB1 lies under DIR1
    outside = client.get(reverse("leave:hr") + f"?year={year}&unit={chain.outsider.unit_id}").content.decode()
    assert "Orang Luar" not in outside  # a unit outside the scope is not a valid choice
    csv = client.get(reverse("leave:hr_export", args=["csv"]) + f"?year={year}")
    assert csv.status_code == 200 and "Staf Satu" in csv.content.decode() and "Orang Luar" not in csv.content.decode()
    xlsx = client.get(reverse("leave:hr_export", args=["xlsx"]) + f"?year={year}")
    assert xlsx.content[:2] == b"PK"
    resp = client.post(
        reverse("leave:hr_adjust"),
        {"employee": chain.staff.pk, "year": year, "days": 1, "reason": "Piket cuti bersama"},
    )
    assert resp.status_code == 302
    assert services.ledger_balance(chain.staff.pk, types["tahunan"].pk, year) == 13
    resp = client.post(
        reverse("leave:hr_adjust"), {"employee": chain.outsider.pk, "year": year, "days": 1, "reason": "x"}
    )
    assert resp.status_code == 404
    client.force_login(chain.staff.user)
    assert client.get(reverse("leave:hr")).status_code == 403


def test_ical_feed_token_rotate_and_revoke(client, chain, types, year):
    mon = monday(year, 2)
    r = submit(chain.staff, types["tahunan"], mon, mon)
    services.leave_request_decide(request_id=r.pk, user=chain.head.user, outcome="approve")
    services.leave_request_decide(request_id=r.pk, user=chain.director.user, outcome="approve")
    token = services.feed_token_rotate(user=chain.head.user)
    client.logout()
    url = reverse("leave:feed", args=[token.token])
    body = client.get(url).content.decode()
    assert "BEGIN:VCALENDAR" in body and "Staf Satu" in body and f"DTSTART;VALUE=DATE:{mon:%Y%m%d}" in body
    services.feed_token_rotate(user=chain.head.user)
    assert client.get(url).status_code == 404
    client.force_login(chain.head.user)
    assert client.post(reverse("leave:feed_settings"), {"revoke": "1"}).status_code == 302
    assert not chain.head.user.leave_feed.__class__.objects.filter(user=chain.head.user).exists()


def test_ical_feed_folds_long_lines_and_reads_back(client, chain, types, year):
    """RFC 5545: content lines of at most 75 octets, folded; a long name with commas and semicolons survives."""
    from icalendar import Calendar

    chain.staff.name = "Raden Ajeng Kartika Dewi Sekar; Wulan, Putri Ayu Ningrum Prameswari Hadiningrat Kusuma"
    chain.staff.save(update_fields=["name"])
    mon = monday(year, 3)
    r = submit(chain.staff, types["tahunan"], mon, mon + dt.timedelta(days=1))
    services.leave_request_decide(request_id=r.pk, user=chain.head.user, outcome="approve")
    services.leave_request_decide(request_id=r.pk, user=chain.director.user, outcome="approve")
    token = services.feed_token_rotate(user=chain.head.user)
    client.logout()
    raw = client.get(reverse("leave:feed", args=[token.token])).content
    assert all(len(line) <= 75 for line in raw.split(b"\r\n")), "every content line folded at 75 octets"
    events = Calendar.from_ical(raw).walk("VEVENT")
    mine = [e for e in events if str(e["uid"]).startswith(f"leave-{r.pk}@")]
    assert len(mine) == 1 and chain.staff.full_name in str(mine[0]["summary"])
    assert mine[0].decoded("dtstart") == mon and mine[0].decoded("dtend") == mon + dt.timedelta(days=2)


def test_dashboard_panel(rf, chain, types, year):
    mon = monday(year, 2)
    submit(chain.staff, types["tahunan"], mon, mon)
    request = rf.get("/")
    request.user = chain.head.user
    panel = dashboard.panel(request)
    assert panel["template"] == "leave/dashboard_panel.html"
    assert panel["context"]["leave_awaiting_count"] == 1
    request.user = chain.staff.user
    ctx = dashboard.panel(request)["context"]
    assert len(ctx["leave_pending"]) == 1


def test_document_download_audited(client, chain, types, year):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from intranet.audit.models import AuditEntry

    mon = monday(year, 1)
    doc = SimpleUploadedFile("x.pdf", b"%PDF-1.4 hello", content_type="application/pdf")
    r = submit(chain.staff, types["sakit"], mon, mon + dt.timedelta(days=2), document=doc)
    client.force_login(chain.head.user)
    resp = client.get(reverse("leave:document", args=[r.pk]))
    assert resp.status_code == 200 and b"".join(resp.streaming_content).startswith(b"%PDF")
    assert resp["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="leave.document.download").count() == 1


def test_kept_copies_are_retired_when_the_reader_is_notified(client, chain, types, year):
    """The inbox and "my leave" are kept per reader for a minute, but a request routed to the reader or a decision on
    theirs shows at once: the notification retires the reader's copy. Readers never share a copy."""
    from django.utils import translation

    with translation.override("id"):
        approved = str(LeaveRequest.Status.APPROVED.label)
    mon = monday(year, 2)
    client.force_login(chain.head.user)
    assert b"Staf Satu" not in client.get(reverse("leave:inbox")).content
    with queries() as q:
        client.get(reverse("leave:inbox"))
    assert not q.touching("leave_"), q.listing()  # the kept copy: no leave query at all
    req = submit(chain.staff, types["tahunan"], mon, mon)  # notifies the head
    assert b"Staf Satu" in client.get(reverse("leave:inbox")).content
    client.force_login(chain.director.user)
    assert b"Staf Satu" not in client.get(reverse("leave:inbox")).content
    client.force_login(chain.staff.user)
    assert approved not in client.get(reverse("leave:index")).content.decode()
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")  # notifies the director
    client.force_login(chain.director.user)
    assert b"Staf Satu" in client.get(reverse("leave:inbox")).content
    services.leave_request_decide(request_id=req.pk, user=chain.director.user, outcome="approve")  # notifies staff
    client.force_login(chain.staff.user)
    assert approved in client.get(reverse("leave:index")).content.decode()


def test_detail_shows_team_absences_to_the_superior(client, chain, types, year):
    mon = monday(year, 2)
    other = submit(chain.colleague, types["tahunan"], mon, mon + dt.timedelta(days=2))
    services.leave_request_decide(request_id=other.pk, user=chain.head.user, outcome="approve")
    services.leave_request_decide(request_id=other.pk, user=chain.director.user, outcome="approve")
    req = submit(chain.staff, types["tahunan"], mon + dt.timedelta(days=1), mon + dt.timedelta(days=3))
    client.force_login(chain.head.user)
    html = client.get(reverse("leave:detail", args=[req.pk])).content.decode()
    assert 'data-testid="leave-overlap"' in html and "1 anggota tim Anda juga cuti" in html


def test_submit_runs_a_fixed_small_number_of_queries(chain, types, year):
    """The service alone (tests/hr/leave/test_submit_queries.py counts the whole request): the transaction (2); lock
    and read the employee with unit, explicit superior and users (1); ledger balance and allocation (1); the calendar
    (2; from the shared cache once a transaction that read it has committed, which this test's never does); the live
    requests (1); the route — official, superior and their users — (1); the request and its step (2); two
    notifications (one INSERT for both, one for their e-mails). It was 31, then 23, then 14."""
    services.allocate_year(year=year, employee_ids=[chain.staff.pk])
    mon = monday(year, 2)
    with queries(at_most=12):
        submit(chain.staff, types["tahunan"], mon, mon)
