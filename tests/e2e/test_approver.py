"""The approver's decision page on a phone (balance N-2/N-1/N and the team's absences, no horizontal scrolling), and
nothing typed lost: a draft of the leave form survives a reload and goes once the request is sent, and the idle
timeout is announced before it signs the employee out. The live preview counts the days before Alasan is written."""

import datetime as dt

import pytest

from tests.e2e.pages import submit

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
H_SCROLL = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


def _weekday(year: int, month: int, weekday: int = 1) -> dt.date:
    day = dt.date(year, month, 1)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def test_the_decision_page_shows_balance_and_absences_on_a_phone(signed_in, world):
    from hr.leave import services
    from hr.leave.models import LeaveType

    annual = LeaveType.objects.get(code="tahunan")
    services.allocate_year(year=world.year, employee_ids=[world.staff.pk, world.colleague.pk])
    start = _weekday(world.year, 3)
    details = {"address_during_leave": "Jl. Mawar 1", "phone_during_leave": "0812 3456 7890"}
    away = services.leave_request_submit(
        employee=world.colleague,
        leave_type=annual,
        start_date=start,
        end_date=start + dt.timedelta(days=2),
        reason="Pulang kampung",
        **details,
    )
    for approver in (world.head, world.director):
        services.leave_request_decide(request_id=away.pk, user=approver.user, outcome="approve")
    req = services.leave_request_submit(
        employee=world.staff,
        leave_type=annual,
        start_date=start,
        end_date=start + dt.timedelta(days=1),
        reason="Urusan keluarga",
        **details,
    )

    page = signed_in("atasan", viewport=PHONE)
    page.goto(f"/cuti/{req.pk}/")
    balance = page.locator("[data-testid=leave-balance-years]")
    assert balance.is_visible()
    assert f"N ({world.year})" in balance.inner_text() and f"N-2 ({world.year - 2})" in balance.inner_text()
    assert "Rina Kartika" in page.locator("[data-testid=leave-absences]").inner_text()
    assert "1 anggota tim Anda juga cuti" in page.locator("[data-testid=leave-overlap]").inner_text()
    assert page.locator("[data-testid=leave-steps]").is_visible()
    assert not page.evaluate(H_SCROLL), "the decision page scrolls sideways at 360 px"

    # a refusal without its reason comes back with the choice made, the error by the reason
    page.check("input[name=outcome][value=refuse]")
    submit(page, "[data-testid=leave-decide]")
    assert page.locator("#id_reason_error").is_visible()
    assert page.locator("input[name=outcome][value=refuse]").is_checked()
    assert not page.evaluate(H_SCROLL)


def test_a_leave_form_draft_survives_a_reload_and_goes_once_sent(signed_in, world):
    from hr.leave import services

    services.allocate_year(year=world.year, employee_ids=[world.staff.pk])
    page = signed_in("pegawai")
    page.clock.install()
    page.goto("/cuti/ajukan/")
    start = _weekday(world.year, 4)
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_end_date", start.isoformat())
    page.clock.run_for(500)  # the live preview asks 250 ms after the last change, with Alasan still empty
    page.locator("[data-testid=leave-preview]").get_by_text("1 hari dihitung").wait_for()
    page.fill("#id_reason", "Menghadiri pernikahan adik di Padang")
    page.clock.run_for(1000)  # the draft is written 300 ms after the last keystroke
    page.reload()
    assert page.input_value("#id_reason") == "Menghadiri pernikahan adik di Padang"
    assert page.input_value("#id_start_date") == start.isoformat()
    assert page.locator("[data-testid=draft-restored]").is_visible()

    # the idle timeout is announced two minutes before it (30 minutes, less a minute's margin), and a click keeps
    # the session alive
    page.clock.fast_forward("27:30")
    warning = page.locator("[data-testid=session-warning]")
    warning.wait_for(state="visible")
    warning.get_by_role("button").click()
    warning.wait_for(state="hidden")

    submit(page, "[data-testid=leave-submit]")
    assert "/cuti/ajukan/" not in page.url
    page.goto("/cuti/ajukan/")
    assert page.input_value("#id_reason") == ""  # sent: the draft is gone
    assert not page.locator("[data-testid=draft-restored]").is_visible()
