"""The approver's decision page: the employee's annual balance N-2/N-1/N, the team's absences in the period by name
(the approver's own team only), the history; a refused decision comes back with what was entered; the live preview
answers before the reason is written; the dashboard puts waiting decisions first."""

import datetime as dt

import pytest
from django.urls import reverse

from hr.leave import dashboard, decision_selectors, services
from hr.leave.models import LeaveRequest, LedgerEntry
from hr.leave.selectors import balances
from tests import factories
from tests.query_bounds import assert_flat

from .conftest import monday, submit

pytestmark = pytest.mark.django_db


def _approved(employee, leave_type, start, end, chain):
    req = submit(employee, leave_type, start, end)
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
    services.leave_request_decide(request_id=req.pk, user=chain.director.user, outcome="approve")
    return req


def _balance_rows(html: str) -> str:
    return html.split('data-testid="leave-balance-years"')[1].split("</dl>")[0]


def test_the_superior_sees_balance_team_absences_and_history(client, chain, types, year):
    annual = types["tahunan"]
    LedgerEntry.objects.create(employee=chain.staff, leave_type=annual, year=year - 2, kind="adjustment", days=4)
    services.allocate_year(year=year - 1, employee_ids=[chain.staff.pk, chain.colleague.pk])
    services.allocate_year(year=year, employee_ids=[chain.staff.pk, chain.colleague.pk])
    mon = monday(year, 2)
    _approved(chain.colleague, annual, mon, mon + dt.timedelta(days=2), chain)
    # away on the same days but outside the superior's team: never named on the page
    outsider_leave = submit(chain.outsider, annual, mon, mon)
    LeaveRequest.objects.filter(pk=outsider_leave.pk).update(status=LeaveRequest.Status.APPROVED)
    req = submit(chain.staff, annual, mon + dt.timedelta(days=1), mon + dt.timedelta(days=3))

    client.force_login(chain.head.user)
    html = client.get(reverse("leave:detail", args=[req.pk]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    rows = _balance_rows(html)
    assert f"N-2 ({year - 2})" in rows and f"N-1 ({year - 1})" in rows and f"N ({year})" in rows
    assert "4 hari" in rows and "12 hari" in rows
    # N as the employee's own balance page shows it: a year not opened yet is projected (allocation + carry-over),
    # less the 3 days the request holds
    mine = next(b for b in balances(chain.staff, year) if b.leave_type.pk == annual.pk)
    assert f"N ({year})</dt><dd>{mine.available} hari" in rows and mine.held == 3
    absences = html.split('data-testid="leave-absences"')[1].split("</ul>")[0]
    assert "Staf Dua" in absences and "Orang Luar" not in html
    assert "1 anggota tim Anda juga cuti pada tanggal tersebut" in html  # addressed to the approver
    steps = html.split('data-testid="leave-steps"')[1].split("</ol>")[0]
    assert "Staf Satu" in steps and "Diajukan" in steps


def test_the_official_sees_them_too_and_the_employee_does_not(client, chain, types, year):
    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon)
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve", reason="")
    client.force_login(chain.director.user)
    html = client.get(reverse("leave:detail", args=[req.pk])).content.decode()
    assert 'data-testid="leave-decision-context"' in html and 'data-testid="leave-overlap-none"' in html
    assert "Kepala Sub Satu" in html.split('data-testid="leave-steps"')[1]  # the superior's opinion in the history
    client.force_login(chain.staff.user)
    html = client.get(reverse("leave:detail", args=[req.pk])).content.decode()
    assert 'data-testid="leave-decision-context"' not in html and 'data-testid="leave-balance-years"' not in html


def test_a_refused_decision_keeps_what_was_entered(client, chain, types, year):
    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon)
    client.force_login(chain.head.user)
    proposed = (mon + dt.timedelta(days=7)).isoformat()
    resp = client.post(
        reverse("leave:decide", args=[req.pk]),
        {"outcome": "change", "reason": "", "proposed_start": proposed},
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'value="change" checked' in html.replace('" id="id_outcome_1" checked', '" checked') or (
        'value="change"' in html and "checked" in html.split('value="change"')[1][:80]
    )
    assert f'value="{proposed}"' in html
    # the error is tied to its field, and the form is marked as the latest draft
    assert 'id="id_reason_error"' in html and 'aria-describedby="id_reason_helptext id_reason_error"' in html
    assert 'id="id_proposed_start_error"' in html
    assert 'data-draft-bound="1"' in html
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.AWAITING_SUPERIOR


def test_a_decision_refused_by_a_rule_keeps_the_reason(client, chain, types, year):
    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon)
    client.force_login(chain.head.user)
    # proposed dates in the past: the service refuses them; the reason typed comes back
    past = dt.date(year - 3, 2, 3).isoformat()
    resp = client.post(
        reverse("leave:decide", args=[req.pk]),
        {"outcome": "change", "reason": "Tenggat laporan tahunan", "proposed_start": past, "proposed_end": past},
    )
    assert resp.status_code == 200
    assert "Tenggat laporan tahunan" in resp.content.decode()


def test_preview_answers_before_the_reason_is_written(client, chain, types, year):
    client.force_login(chain.staff.user)
    mon = monday(year, 2)
    resp = client.post(
        reverse("leave:new"),
        {
            "leave_type": types["tahunan"].pk,
            "start_date": mon.isoformat(),
            "end_date": (mon + dt.timedelta(days=4)).isoformat(),
            "reason": "",
            "address_during_leave": "",
            "phone_during_leave": "",
            "preview": "1",
        },
        HTTP_ACCEPT_LANGUAGE="id",
    )
    html = resp.content.decode()
    preview = html.split('data-testid="leave-preview"')[1].split("</div>")[0]
    assert "5 hari dihitung" in preview
    assert "Kolom ini harus diisi" not in html
    assert not LeaveRequest.objects.exists()


def test_the_form_pages_carry_the_session_notice_and_draft_marks(client, chain, types, year, settings):
    settings.SERAMBI_SESSION_IDLE_SECONDS = 1800
    client.force_login(chain.staff.user)
    html = client.get(reverse("leave:new"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert 'data-idle-seconds="1800"' in html and "setelah 30 menit tanpa aktivitas" in html
    assert f'data-draft="leave-request" data-draft-user="{chain.staff.user.pk}"' in html
    assert "data-draft-bound" not in html
    assert "js/drafts.js" in html and "js/session.js" in html


def test_dashboard_puts_waiting_decisions_first(rf, chain, types, year):
    mon = monday(year, 2)
    submit(chain.staff, types["tahunan"], mon, mon)
    request = rf.get("/")
    request.user = chain.head.user
    panel = dashboard.panel(request)
    assert panel["order"] < 10 and [r.employee.name for r in panel["context"]["leave_awaiting"]] == ["Staf Satu"]
    request.user = chain.staff.user
    assert dashboard.panel(request)["order"] == 20


def test_dashboard_panel_lists_the_waiting_decisions_above_the_balances(client, chain, types, year):
    mon = monday(year, 2)
    submit(chain.staff, types["tahunan"], mon, mon)
    client.force_login(chain.head.user)
    html = client.get("/").content.decode()
    panel = html.split('data-testid="leave-panel"')[1]
    assert panel.index('data-testid="leave-panel-awaiting"') < panel.index("Staf Satu") < panel.index("</ul>")
    assert html.index('data-testid="leave-panel"') < html.index('data-testid="panel-news"')  # before every other panel


def test_team_absences_of_a_delegate_cover_the_units_they_act_for(chain, types, year):
    """A Plh of the head of SUB1 sees SUB1's absences on the request they must act on; nobody else's."""
    from hr.leave.decision_selectors import team_absences
    from hr.org.models import Delegation

    mon = monday(year, 2)
    _approved(chain.colleague, types["tahunan"], mon, mon, chain)
    req = submit(chain.staff, types["tahunan"], mon, mon)
    today = dt.date.today()
    Delegation.objects.create(
        position=chain.head.position,
        acting=chain.dir_staff,
        kind=Delegation.Kind.PLH,
        start_date=today,
        end_date=today + dt.timedelta(days=3),
        decree_number="800/2/2026",
    )
    found = team_absences(chain.dir_staff.user, req, today)
    assert found.people == 1 and [r.employee.name for r in found.requests] == ["Staf Dua"]
    stranger = factories.EmployeeFactory(unit=chain.outsider.unit, name="Orang Lain")
    assert team_absences(stranger.user, req, today).people == 0


def test_an_expired_form_keeps_nothing_of_what_was_sent(chain, types, year):
    """The CSRF failure page (a form sent after its session ended) says what to do and echoes nothing that was sent:
    the reason stays in the browser's draft, not in a page a shared computer may keep."""
    from django.test import Client

    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon)
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(chain.head.user)
    secret = "Sedang menjalani perawatan kesehatan jiwa"
    resp = client.post(
        reverse("leave:decide", args=[req.pk]),
        {"outcome": "refuse", "reason": secret, "csrfmiddlewaretoken": "token-lama-123"},
    )
    html = resp.content.decode()
    assert resp.status_code == 403 and "Formulir kedaluwarsa" in html
    assert secret not in html and 'kedaluwarsa"' not in html and "<form" not in html
    assert "CSRF" not in html  # nothing technical either
    assert "no-cache" in resp["Cache-Control"] or "no-store" in resp["Cache-Control"]
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.AWAITING_SUPERIOR


def test_after_an_idle_timeout_the_way_back_leads_to_the_request(client, chain, types, year, settings):
    """A decision sent after the idle timeout goes to the login page; the page it names to come back to is the
    request (where the draft of the reason waits), not an error for a GET of the form's address."""
    import time

    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon)
    client.force_login(chain.head.user)
    session = client.session
    session["serambi_seen_at"] = int(time.time()) - settings.SERAMBI_SESSION_IDLE_SECONDS - 5
    session.save()
    resp = client.post(reverse("leave:decide", args=[req.pk]), {"outcome": "refuse", "reason": "Tenggat"})
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("accounts:login"))
    back = resp["Location"].split("next=", 1)[1]
    client.force_login(chain.head.user)
    resp = client.get(back)
    assert resp.status_code == 302 and resp["Location"] == reverse("leave:detail", args=[req.pk])
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.AWAITING_SUPERIOR


def test_the_decision_page_costs_the_same_with_more_absences(client, chain, types, year):
    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon + dt.timedelta(days=4))
    client.force_login(chain.head.user)
    url = reverse("leave:detail", args=[req.pk])

    def absences(n):
        """n more of the team away on the request's first day."""
        away = factories.bulk_employees(n, [chain.staff.unit], name="Staf Tambahan")
        LeaveRequest.objects.bulk_create(
            LeaveRequest(
                employee=employee,
                leave_type=types["tahunan"],
                start_date=mon,
                end_date=mon,
                days=1,
                reason="r",
                address_during_leave="a",
                phone_during_leave="0812",
                status=LeaveRequest.Status.APPROVED,
            )
            for employee in away
        )

    def decision_page():
        response = client.get(url)
        assert response.status_code == 200
        return response.content.decode()

    # from one more absence than the page names on, it also counts them all (one query): compared from there
    small = decision_selectors.ABSENCE_LIMIT + 1
    html = assert_flat(decision_page, grow=absences, small=small, at_most=22)
    assert "2000 anggota tim Anda" in html
