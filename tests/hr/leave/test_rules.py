"""Leave rules as data: working days from the calendar, each type's rules, the ledger and the yearly allocation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from hr.leave import selectors, services, workdays
from hr.leave.models import Holiday, HolidayCalendar, LeaveRequest, LedgerEntry
from hr.leave.services import LeaveError, allocate_year
from hr.leave.yearend import year_end

from .conftest import monday, submit

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="surat.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_package_calendar_has_national_days_and_cuti_bersama():
    rows = workdays.holiday_rows_from_package(2026)
    kinds = {d: k for d, _n, k in rows}
    assert kinds[dt.date(2026, 8, 17)] == Holiday.Kind.NATIONAL
    assert kinds[dt.date(2026, 12, 24)] == Holiday.Kind.COLLECTIVE  # Cuti Bersama Natal
    assert all(n for _d, n, _k in rows)


def test_working_days_skip_weekends_national_holidays_and_cuti_bersama(clean_calendar, year):
    mon = monday(year, 2)
    assert workdays.working_days(mon, mon + dt.timedelta(days=6))[0] == 5
    Holiday.objects.create(calendar=clean_calendar, date=mon + dt.timedelta(days=2), name="Hari besar", kind="national")
    Holiday.objects.create(
        calendar=clean_calendar, date=mon + dt.timedelta(days=3), name="Cuti Bersama", kind="collective"
    )
    days, versions = workdays.working_days(mon, mon + dt.timedelta(days=6))
    assert days == 3
    assert versions == {str(year): HolidayCalendar.objects.get(year=year).version}


def test_editing_the_calendar_bumps_its_version(clean_calendar):
    before = HolidayCalendar.objects.get(pk=clean_calendar.pk).version
    h = Holiday.objects.create(calendar=clean_calendar, date=dt.date(clean_calendar.year, 3, 3), name="Hari instansi")
    h.delete()
    assert HolidayCalendar.objects.get(pk=clean_calendar.pk).version == before + 2


def test_agency_working_week_is_data(clean_calendar, year):
    clean_calendar.working_weekdays = [0, 1, 2, 3, 4, 5]
    clean_calendar.save()
    mon = monday(year, 2)
    assert workdays.working_days(mon, mon + dt.timedelta(days=6))[0] == 6


def test_request_stores_calendar_version_and_cuti_bersama_does_not_reduce_annual(chain, types, year, clean_calendar):
    mon = monday(year, 3)
    Holiday.objects.create(calendar=clean_calendar, date=mon, name="Cuti Bersama Idul Fitri", kind="collective")
    req = submit(chain.staff, types["tahunan"], mon, mon + dt.timedelta(days=4))
    assert req.days == 4
    assert req.calendar_versions == {str(year): HolidayCalendar.objects.get(year=year).version}
    bal = next(b for b in selectors.balances(chain.staff, year) if b.leave_type.code == "tahunan")
    # next year is not opened: nothing on its ledger, the allocation to come is projected
    assert (bal.total, bal.to_come, bal.held, bal.available) == (0, 12, 4, 8)


def test_cuti_bersama_type_is_documented_and_not_requestable(types):
    assert types["bersama"].requestable is False
    assert "Cuti bersama" in services.__doc__ or "cuti bersama" in (types["bersama"].description.lower())
    from hr.leave import models

    assert "do **not**" in models.__doc__


def test_ledger_entries_are_immutable(chain, types, year):
    allocate_year(year=year, employee_ids=[chain.staff.pk])
    entry = LedgerEntry.objects.filter(employee=chain.staff).first()
    entry.days = 99
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    with pytest.raises(ValidationError):
        LedgerEntry.objects.filter(pk=entry.pk).update(days=1)


# --- allocation and carry-over ----------------------------------------------------------------------------------------
def _post(emp, lt, year, kind, days):
    return LedgerEntry.objects.create(employee=emp, leave_type=lt, year=year, kind=kind, days=days)


def test_allocation_is_idempotent_and_respects_service_years(chain, types):
    summary = allocate_year(year=2031)
    n = LedgerEntry.objects.filter(year=2031, kind="allocation").count()
    assert n == summary.allocated > 0
    again = allocate_year(year=2031)
    assert again.allocated == 0 and again.already_allocated == n
    assert LedgerEntry.objects.filter(year=2031, kind="allocation").count() == n


def test_new_employee_gets_no_annual_leave_before_one_year(chain, types, employee_factory, org):
    young = employee_factory(unit=org["SUB1"], tmt_cpns=dt.date(2031, 3, 1))
    allocate_year(year=2031, employee_ids=[young.pk])
    assert not LedgerEntry.objects.filter(employee=young).exists()
    allocate_year(year=2032, employee_ids=[young.pk])
    assert services.ledger_balance(young.pk, types["tahunan"].pk, 2032) == 12


def test_carry_over_capped_at_18(chain, types):
    lt, emp = types["tahunan"], chain.staff
    _post(emp, lt, 2030, "allocation", 12)
    _post(emp, lt, 2030, "usage", -2)  # took leave this year: normal cap
    year_end(year=2031, employee_ids=[emp.pk], today=dt.date(2031, 1, 1))
    assert services.ledger_balance(emp.pk, lt.pk, 2031) == 18  # 12 + 6 carried
    assert services.ledger_balance(emp.pk, lt.pk, 2030) == 0  # 4 expired
    kinds = dict(LedgerEntry.objects.filter(employee=emp).values_list("kind", "days").filter(year=2030, kind="expiry"))
    assert kinds == {"expiry": -4}


def test_carry_over_up_to_24_after_two_years_without_annual_leave(chain, types):
    lt, emp = types["tahunan"], chain.staff
    _post(emp, lt, 2029, "allocation", 12)
    _post(emp, lt, 2030, "allocation", 12)
    _post(emp, lt, 2030, "carry_over", 6)
    year_end(year=2031, employee_ids=[emp.pk], today=dt.date(2031, 1, 1))
    assert services.ledger_balance(emp.pk, lt.pk, 2031) == 24  # 12 + 12 carried (of 18 unused)


def test_deferral_moves_days_to_next_year_within_24(chain, types, year):
    lt = types["tahunan"]
    mon = monday(year, 4)
    req = submit(chain.staff, lt, mon, mon + dt.timedelta(days=4))
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
    services.leave_request_decide(request_id=req.pk, user=chain.director.user, outcome="defer", reason="Beban kerja")
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.DEFERRED
    assert services.ledger_balance(chain.staff.pk, lt.pk, year) == 7
    assert services.ledger_balance(chain.staff.pk, lt.pk, year + 1) == 5
    # Next year's allocation: deferral credit present → total cap 24 including it.
    year_end(year=year + 1, employee_ids=[chain.staff.pk], today=dt.date(year + 1, 1, 1))
    assert services.ledger_balance(chain.staff.pk, lt.pk, year + 1) == 24  # 12 + 5 deferred + 7 carried


def test_leave_allocate_command_prints_summary_and_is_idempotent(chain, capsys):
    call_command("leave_allocate", "--year", "2033")
    first = LedgerEntry.objects.filter(year=2033).count()
    call_command("leave_allocate", "--year", "2033")
    out = capsys.readouterr().out
    assert LedgerEntry.objects.filter(year=2033).count() == first > 0
    assert "2033" in out


# --- rules per type ---------------------------------------------------------------------------------------------------
def test_cuti_besar_forfeits_annual_leave_and_cancel_restores_it(chain, types, year):
    mon = monday(year, 1)
    allocate_year(year=year, employee_ids=[chain.staff.pk])
    req = submit(chain.staff, types["besar"], mon, mon + dt.timedelta(days=30))
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
    services.leave_request_decide(request_id=req.pk, user=chain.director.user, outcome="approve")
    annual = types["tahunan"]
    assert services.ledger_balance(chain.staff.pk, annual.pk, year) == 0
    services.leave_request_cancel(request_id=req.pk, user=chain.staff.user)
    assert services.ledger_balance(chain.staff.pk, annual.pk, year) == 12
    assert LedgerEntry.objects.filter(request=req, kind="reversal").count() == 1


def test_cuti_besar_needs_five_years_of_service(org, types, year, clean_calendar, employee_factory):
    young = employee_factory(unit=org["SUB1"], tmt_cpns=dt.date(year - 2, 1, 1))
    mon = monday(year, 1)
    with pytest.raises(LeaveError, match="5"):
        submit(young, types["besar"], mon, mon + dt.timedelta(days=10))


def test_cuti_besar_at_most_three_months(chain, types, year):
    mon = monday(year, 1)
    with pytest.raises(LeaveError):
        submit(chain.staff, types["besar"], mon, mon + dt.timedelta(days=100))


def test_maternity_only_for_women_and_needs_a_document(chain, types, year):
    mon = monday(year, 1)
    with pytest.raises(LeaveError, match="not available"):
        submit(chain.director, types["melahirkan"], mon, mon + dt.timedelta(days=60))
    with pytest.raises(LeaveError, match="document"):
        submit(chain.staff, types["melahirkan"], mon, mon + dt.timedelta(days=60))
    req = submit(chain.staff, types["melahirkan"], mon, mon + dt.timedelta(days=60), document=pdf())
    assert req.days == 61 and req.document_type == "application/pdf"


def test_sick_leave_needs_a_doctors_note_from_the_first_day(chain, types, year):
    """Perban BKN 24/2017 as amended by Perban BKN 7/2021: a sick leave of one day needs a doctor's note too."""
    mon = monday(year, 1)
    with pytest.raises(LeaveError, match="document"):
        submit(chain.staff, types["sakit"], mon, mon)
    with pytest.raises(LeaveError, match="document"):
        submit(chain.staff, types["sakit"], mon + dt.timedelta(days=7), mon + dt.timedelta(days=9))
    assert submit(chain.staff, types["sakit"], mon, mon, document=pdf()).days == 1


def test_pppk_cannot_take_cuti_besar(org, types, year, clean_calendar, employee_factory):
    pppk = employee_factory(unit=org["SUB1"], employment_type="PPPK", golongan="", pppk_grade="IX")
    mon = monday(year, 1)
    with pytest.raises(LeaveError, match="not available"):
        submit(pppk, types["besar"], mon, mon + dt.timedelta(days=10))


def test_important_reasons_at_most_one_month(chain, types, year):
    mon = monday(year, 1)
    with pytest.raises(LeaveError, match="maximum"):
        submit(chain.staff, types["alasan-penting"], mon, mon + dt.timedelta(days=31), document=pdf())


def test_validation_messages(chain, types, year, clean_calendar):
    lt = types["tahunan"]
    mon = monday(year, 5)
    with pytest.raises(LeaveError, match="before the start"):
        submit(chain.staff, lt, mon, mon - dt.timedelta(days=1))
    with pytest.raises(LeaveError, match="no working days"):
        submit(chain.staff, lt, mon - dt.timedelta(days=2), mon - dt.timedelta(days=1))
    submit(chain.staff, lt, mon, mon + dt.timedelta(days=4))
    with pytest.raises(LeaveError, match="overlaps"):
        submit(chain.staff, lt, mon + dt.timedelta(days=4), mon + dt.timedelta(days=8))
    with pytest.raises(LeaveError, match="Not enough leave balance"):
        submit(chain.staff, lt, mon + dt.timedelta(days=7), mon + dt.timedelta(days=7 + 11))
    with pytest.raises(LeaveError, match="past"):
        submit(chain.staff, lt, dt.date(year - 2, 3, 2), dt.date(year - 2, 3, 3))
    with pytest.raises(LeaveError, match="cannot be requested"):
        submit(chain.staff, types["bersama"], mon + dt.timedelta(days=21), mon + dt.timedelta(days=21))


def test_document_content_is_sniffed_not_trusted(chain, types, year, settings):
    mon = monday(year, 1)
    fake = SimpleUploadedFile("surat.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(LeaveError, match="PDF, JPG or PNG"):
        submit(chain.staff, types["melahirkan"], mon, mon + dt.timedelta(days=60), document=fake)
    settings.SERAMBI_LEAVE_DOCUMENT_MAX_BYTES = 10
    with pytest.raises(LeaveError, match="too large"):
        submit(chain.staff, types["melahirkan"], mon, mon + dt.timedelta(days=60), document=pdf())
    png = SimpleUploadedFile("scan.txt", b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    settings.SERAMBI_LEAVE_DOCUMENT_MAX_BYTES = 1000
    req = submit(chain.staff, types["melahirkan"], mon, mon + dt.timedelta(days=60), document=png)
    assert req.document_type == "image/png"
