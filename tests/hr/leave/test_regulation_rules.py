"""The regulation's rules beyond a leave type's data (hr.leave.rules), each against its article: first hajj and
fourth birth as grounds for long leave, one calendar month of leave for important reasons, a doctor's note from the
first sick day, PPPK entitlements (PP 49/2018), the emergency path and the superior's opinion over HTTP, Plh./Plt.
and plural forms."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from hr.leave import services, units
from hr.leave.models import LeaveRequest, LeaveType
from hr.leave.services import LeaveError
from hr.org.models import Delegation
from hr.org.nip import build_nip
from intranet.notifications.models import Notification
from tests import factories

from .conftest import monday, submit

pytestmark = pytest.mark.django_db
Ground = LeaveRequest.Ground


def pdf(name="lampiran.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")


def newcomer(unit, years=2, **kw):
    """A PNS with `years` of service: short of the five years long leave needs."""
    start = timezone.localdate().replace(day=1) - dt.timedelta(days=365 * years)
    return factories.EmployeeFactory(unit=unit, tmt_cpns=start, **kw)


def pppk(unit, **kw):
    birth, start = dt.date(1992, 3, 14), dt.date(2019, 1, 1)
    nip = build_nip(birth_date=birth, cpns_start=start, gender="F", sequence=kw.pop("seq", 7), pppk=True)
    return factories.EmployeeFactory(
        unit=unit, nip=nip, birth_date=birth, tmt_cpns=start, employment_type="PPPK", golongan="", pppk_grade="IX", **kw
    )


# --- first hajj: PP 11/2017 art. 315 (religious duty) with Perban BKN 24/2017 -----------------------------------------
def test_first_hajj_waives_five_years_needs_the_schedule_and_is_recorded(chain, types, year):
    emp = newcomer(chain.staff.unit)
    mon = monday(year, 1)
    end = mon + dt.timedelta(days=40)
    with pytest.raises(LeaveError, match="5 years of service"):
        submit(emp, types["besar"], mon, end)
    with pytest.raises(LeaveError, match="hajj departure schedule"):
        submit(emp, types["besar"], mon, end, first_hajj=True)
    req = submit(emp, types["besar"], mon, end, first_hajj=True, document=pdf("jadwal-kloter.pdf"))
    assert req.leave_type.code == "besar" and req.ground == Ground.FIRST_HAJJ and req.document_name
    # the first hajj is once; the ground belongs to long leave only
    later = monday(year, 30)
    with pytest.raises(LeaveError, match="already used"):
        submit(emp, types["besar"], later, later + dt.timedelta(days=20), first_hajj=True, document=pdf())
    with pytest.raises(LeaveError, match="long leave"):
        submit(emp, types["tahunan"], later, later, first_hajj=True, document=pdf())


def test_first_hajj_over_http_shows_the_ground_on_the_request(client, chain, types, year):
    emp = newcomer(chain.staff.unit)
    client.force_login(emp.user)
    mon = monday(year, 1)
    form = {
        "leave_type": types["besar"].pk,
        "start_date": mon.isoformat(),
        "end_date": (mon + dt.timedelta(days=40)).isoformat(),
        "reason": "Menunaikan ibadah haji",
        "address_during_leave": "Makkah",
        "phone_during_leave": "0812 3456 7890",
        "first_hajj": "on",
    }
    preview = client.post(reverse("leave:new"), {**form, "preview": "1"}, HTTP_ACCEPT_LANGUAGE="id")
    assert 'data-testid="leave-preview-ground"' in preview.content.decode()
    resp = client.post(reverse("leave:new"), {**form, "submit": "1", "document": pdf()}, HTTP_ACCEPT_LANGUAGE="id")
    assert resp.status_code == 302
    req = LeaveRequest.objects.get(employee=emp)
    page = client.get(resp.url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert req.ground == Ground.FIRST_HAJJ
    assert 'data-testid="leave-ground"' in page and "ibadah haji pertama" in page


# --- births: PP 11/2017 art. 325 ---------------------------------------------------------------------------------------
def test_fourth_birth_as_civil_servant_is_granted_as_long_leave_without_five_years(chain, types, year):
    emp = newcomer(chain.staff.unit, prior_births=3)
    mon = monday(year, 1)
    req = submit(emp, types["melahirkan"], mon, mon + dt.timedelta(days=60), document=pdf("surat-bidan.pdf"))
    assert req.leave_type.code == "besar" and req.ground == Ground.FOURTH_BIRTH


def test_births_are_counted_from_the_employee_record_and_the_requests_here(chain, types, year):
    emp = newcomer(chain.staff.unit, prior_births=2)
    first = monday(year, 1)
    third = submit(emp, types["melahirkan"], first, first + dt.timedelta(days=60), document=pdf())
    assert third.leave_type.code == "melahirkan" and third.ground == ""
    later = monday(year, 30)
    fourth = submit(emp, types["melahirkan"], later, later + dt.timedelta(days=60), document=pdf())
    assert fourth.leave_type.code == "besar" and fourth.ground == Ground.FOURTH_BIRTH
    # a withdrawn request was no birth
    services.leave_request_withdraw(request_id=fourth.pk, user=emp.user)
    services.leave_request_withdraw(request_id=third.pk, user=emp.user)
    again = submit(emp, types["melahirkan"], later, later + dt.timedelta(days=60), document=pdf())
    assert again.leave_type.code == "melahirkan"


def test_fourth_birth_needs_the_statement(chain, types, year):
    emp = newcomer(chain.staff.unit, prior_births=4)
    mon = monday(year, 1)
    with pytest.raises(LeaveError, match="document"):
        submit(emp, types["melahirkan"], mon, mon + dt.timedelta(days=60))


def test_cpns_keeps_maternity_leave_as_long_leave_is_not_open_to_them(chain, types, year):
    emp = newcomer(chain.staff.unit, prior_births=3, employment_type="CPNS")
    mon = monday(year, 1)
    req = submit(emp, types["melahirkan"], mon, mon + dt.timedelta(days=60), document=pdf())
    assert req.leave_type.code == "melahirkan"


# --- sick leave: Perban BKN 24/2017 as amended by Perban BKN 7/2021 ----------------------------------------------------
def test_seeded_sick_leave_rule_needs_a_document_always(types):
    sick = types["sakit"]
    assert sick.document_rule == LeaveType.Document.ALWAYS and sick.document_required(1)
    assert "1 hari" in sick.description and "Perban BKN 7/2021" in sick.description


def test_one_day_sick_leave_without_a_note_is_refused_over_http(client, chain, types, year):
    client.force_login(chain.staff.user)
    mon = monday(year, 1)
    resp = client.post(
        reverse("leave:new"),
        {
            "leave_type": types["sakit"].pk,
            "start_date": mon.isoformat(),
            "end_date": mon.isoformat(),
            "reason": "Demam",
            "address_during_leave": "Rumah",
            "phone_during_leave": "0812 3456 7890",
            "submit": "1",
        },
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert resp.status_code == 200 and "surat keterangan dokter" in resp.content.decode()
    assert not LeaveRequest.objects.filter(employee=chain.staff).exists()


# --- important reasons: one calendar month (PP 11/2017 as amended by PP 17/2020) ----------------------------------------
def test_important_reasons_one_calendar_month_all_of_january(chain, types, year):
    lt = types["alasan-penting"]
    assert lt.unit == LeaveType.Unit.MONTHS and lt.max_per_request == 1
    with pytest.raises(LeaveError, match="maximum of 1 month per request"):
        submit(chain.staff, lt, dt.date(year, 1, 1), dt.date(year, 2, 1), document=pdf())  # 32 days
    with pytest.raises(LeaveError, match="maximum"):
        submit(chain.staff, lt, dt.date(year, 2, 1), dt.date(year, 3, 1), document=pdf())  # 29 days, past a month
    req = submit(chain.staff, lt, dt.date(year, 1, 1), dt.date(year, 1, 31), document=pdf())
    assert req.days == 31
    feb = submit(chain.staff, lt, dt.date(year, 2, 1), dt.date(year, 2, 28), document=pdf())
    assert feb.days == 28


# --- PPPK: PP 49/2018 -------------------------------------------------------------------------------------------------
def test_pppk_entitlements_are_selected_by_status(chain, types, year):
    emp = pppk(chain.staff.unit)
    mon = monday(year, 1)
    for code in ("besar", "cltn", "alasan-penting"):
        with pytest.raises(LeaveError, match="not available"):
            submit(emp, types[code], mon, mon + dt.timedelta(days=5), document=pdf())
    assert submit(emp, types["tahunan"], mon, mon).days == 1
    assert submit(emp, types["sakit"], mon + dt.timedelta(days=7), mon + dt.timedelta(days=9), document=pdf())
    assert not types["bersama"].eligible_employment_types or "PPPK" in types["bersama"].eligible_employment_types


def test_pppk_sick_leave_at_most_one_month_while_pns_may_take_longer(chain, types, year):
    emp = pppk(chain.staff.unit)
    start = dt.date(year, 3, 2)
    with pytest.raises(LeaveError, match="at most one month"):
        submit(emp, types["sakit"], start, dt.date(year, 4, 2), document=pdf())
    assert submit(emp, types["sakit"], start, dt.date(year, 4, 1), document=pdf()).days == 31
    assert submit(chain.staff, types["sakit"], start, dt.date(year, 5, 1), document=pdf()).days == 61


def test_pppk_maternity_for_the_first_to_third_birth_as_pppk(chain, types, year):
    mon = monday(year, 1)
    third = pppk(chain.staff.unit, prior_births=2, seq=8)
    assert submit(third, types["melahirkan"], mon, mon + dt.timedelta(days=60), document=pdf()).leave_type.code == (
        "melahirkan"
    )
    fourth = pppk(chain.staff.unit, prior_births=3, seq=9)
    with pytest.raises(LeaveError, match="first to third birth"):
        submit(fourth, types["melahirkan"], mon, mon + dt.timedelta(days=60), document=pdf())


# --- emergency: the head of office gives temporary permission before the decision (Perban BKN 24/2017) ----------------
def test_head_of_office_follows_the_emergency_notification_and_permits_over_http(client, chain, types):
    today = timezone.localdate()
    req = submit(
        chain.staff, types["alasan-penting"], today, today + dt.timedelta(days=2), emergency=True, document=pdf()
    )
    assert req.status == LeaveRequest.Status.AWAITING_SUPERIOR  # the director's turn to decide has not come
    notice = Notification.objects.get(recipient=chain.director.user, kind="leave.emergency")
    client.force_login(chain.director.user)
    listing = client.get(reverse("notifications:list"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert f'href="{notice.url}"' in listing
    page = client.get(notice.url, HTTP_ACCEPT_LANGUAGE="id")
    assert page.status_code == 200 and 'data-testid="leave-permit"' in page.content.decode()
    resp = client.post(reverse("leave:permit", args=[req.pk]))
    assert resp.status_code == 302
    req.refresh_from_db()
    assert req.temporary_permission_at is not None
    assert Notification.objects.filter(recipient=chain.staff.user, kind="leave.permitted").exists()
    assert client.get(notice.url).status_code == 200  # he acted on it: still his to see
    # nobody else gains the page: a colleague and another director still get 404
    for outsider in (chain.colleague, chain.other_head):
        client.force_login(outsider.user)
        assert client.get(notice.url).status_code == 404
        assert client.post(reverse("leave:permit", args=[req.pk])).status_code == 404


# --- the superior's opinion: advisory, and said plainly to the employee --------------------------------------------
@pytest.mark.parametrize(
    ("outcome", "said_en", "said_id"),
    [
        ("refuse", "Your superior's opinion: refuse.", "Tidak disetujui"),
        ("defer", "Your superior's opinion: defer.", "Ditangguhkan"),
        ("approve", "Your superior's opinion: approve.", "Disetujui"),
    ],
)
def test_superior_opinion_is_shown_to_the_employee(client, chain, types, year, outcome, said_en, said_id):
    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon)
    client.force_login(chain.head.user)
    reason = "" if outcome == "approve" else "Beban kerja akhir bulan"
    client.post(
        reverse("leave:decide", args=[req.pk]), {"outcome": outcome, "reason": reason}, HTTP_ACCEPT_LANGUAGE="en"
    )
    req.refresh_from_db()
    assert req.status == LeaveRequest.Status.AWAITING_OFFICIAL  # advisory: the official still decides
    notice = Notification.objects.get(recipient=chain.staff.user, kind="leave.opinion")
    assert said_en in notice.body and reason in notice.body and "The authorised official decides." in notice.body
    client.force_login(chain.staff.user)
    page = client.get(notice.url, HTTP_ACCEPT_LANGUAGE="id").content.decode()
    opinion = page.split('data-testid="leave-opinion"', 1)[1].split("</dd>", 1)[0]
    assert said_id in opinion and reason in opinion and "bersifat saran" in opinion


# --- Plh./Plt., not "a.n." ------------------------------------------------------------------------------------------
def test_acting_official_is_shown_as_plh_not_on_behalf(client, chain, types, year, org):
    mon = monday(year, 2)
    req = submit(chain.staff, types["tahunan"], mon, mon)
    services.leave_request_decide(request_id=req.pk, user=chain.head.user, outcome="approve")
    today = timezone.localdate()
    Delegation.objects.create(
        position=org["DIR1"].head_position,
        acting=chain.dir_staff,
        kind="Plh",
        start_date=today,
        end_date=today + dt.timedelta(days=3),
        decree_number="ND-7/2026",
    )
    services.leave_request_decide(request_id=req.pk, user=chain.dir_staff.user, outcome="approve")
    client.force_login(chain.staff.user)
    page = client.get(reverse("leave:detail", args=[req.pk]), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    steps = page.split('data-testid="leave-steps"', 1)[1].split("</ol>", 1)[0]
    assert f"Plh. {org['DIR1'].head_position.name_id}" in steps
    assert "atas nama" not in steps and "a.n." not in steps

    from hr.leave.documents import letter_html

    letter = " ".join(letter_html(req).split())
    assert f"Plh. {org['DIR1'].head_position.name_id}" in letter, "the letter is signed in the position, as Plh"


# --- plural forms ---------------------------------------------------------------------------------------------------
def test_quantities_have_their_plural():
    from django.utils import translation

    assert units.quantity(1, "working_days") == "1 working day"
    assert units.quantity(2, "working_days") == "2 working days"
    assert units.quantity(1, "months") == "1 month"
    assert units.counted(1, "months") == "1 calendar day"
    with translation.override("id"):
        assert units.quantity(1, "months") == "1 bulan"
        assert units.quantity(3, "working_days") == "3 hari kerja"


def test_one_day_and_one_year_read_as_singular(client, chain, types, year, org):
    fresh = factories.EmployeeFactory(unit=org["SUB1"], tmt_cpns=timezone.localdate() - dt.timedelta(days=100))
    mon = monday(year, 2)
    with pytest.raises(LeaveError) as excinfo:
        submit(fresh, types["tahunan"], mon, mon)
    assert excinfo.value.message == "This leave type needs at least 1 year of service."
    req = submit(chain.staff, types["tahunan"], mon, mon)
    client.force_login(chain.staff.user)
    page = client.get(reverse("leave:detail", args=[req.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "(1 working day)" in page and "1 working days" not in page


def test_the_form_offers_a_pppk_only_the_types_open_to_them(client, chain, types):
    emp = pppk(chain.staff.unit)
    client.force_login(emp.user)
    html = client.get(reverse("leave:new"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    for code in ("tahunan", "sakit", "melahirkan"):
        assert f'value="{types[code].pk}"' in html
    for code in ("besar", "cltn", "alasan-penting"):
        assert f'value="{types[code].pk}"' not in html
    client.force_login(chain.staff.user)
    html = client.get(reverse("leave:new"), HTTP_ACCEPT_LANGUAGE="id").content.decode()
    assert f'value="{types["besar"].pk}"' in html and f'value="{types["alasan-penting"].pk}"' in html
