"""The five journeys of issue #9 in real Chromium against the live server (PostgreSQL in CI, SQLite locally).

1. Directory login (real slapd) → targeted news on the dashboard → a training module and its quiz → a policy acknowledged.
2. Annual leave: working-day preview skips a national holiday → superior's opinion → official's approval → letter PDF;
   also with JavaScript disabled, and with the employee's form done by keyboard only.
3. Payroll: a file with errors → row-level report → corrected file → publish (with a real TOTP second factor) → the
   employee's payslip PDF; another employee gets 404 at the same URL.
4. Wagtail: an editor drafts news for one directorate and submits it; a moderator publishes; only that directorate sees it.
5. Documents: HR shares a Rahasia document until a date; the colleague downloads a copy watermarked with their name.
"""

import datetime as dt
import io
import re
import time

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import download
from tests.e2e.pages import (
    CoursePage,
    DashboardPage,
    DocumentPage,
    LeaveFormPage,
    LeaveRequestPage,
    LoginPage,
    PayrollPage,
    PolicyPage,
    TwoFactorPage,
)
from tests.ldap_server import NIP_SITI, USER_PASSWORD, ldap_server, ldap_settings  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e


def _pdf(data: bytes) -> PdfReader:
    assert data[:5] == b"%PDF-", data[:40]
    return PdfReader(io.BytesIO(data))


# --- 1 -------------------------------------------------------------------------------------------------------------------
@pytest.mark.slapd
def test_journey_1_directory_login_news_training_policy(page, world, ldap_settings):  # noqa: F811
    from hr.org.models import Employee
    from tests import factories

    # Siti exists in HR records (DIR1) but has never logged in: the directory account is created and linked at login.
    siti = factories.EmployeeFactory(user=None, nip=NIP_SITI, name="Siti Rahma", unit=world.org["DIR1"])

    LoginPage(page).open().login("siti", USER_PASSWORD)
    assert "/akun/masuk/" not in page.url, "signed in"
    siti = Employee.objects.select_related("user").get(pk=siti.pk)
    assert siti.user is not None and siti.user.username == "siti" and siti.user.source == "directory"

    news = DashboardPage(page).open().news_titles()
    assert "Apel pagi Direktorat Satu" in news, news  # targeted to her directorate
    assert "Rapat Direktorat Dua" not in news, news  # targeted elsewhere
    assert "Libur nasional dan cuti bersama" in news

    course = CoursePage(page).open_from_index("Orientasi ASN").enrol().complete_every_module()
    assert "2 dari 2 modul" in course.progress() and "Selesai" not in course.progress()  # the quiz is still open
    course.take_quiz(["Aparatur Sipil Negara", "20"])
    assert "Selesai" in course.progress(), course.progress()
    assert page.locator("[data-testid=certificate]").is_visible()

    policy = PolicyPage(page).open_from_index("Kebijakan Keamanan Informasi").acknowledge()
    assert "Anda telah menyatakan membaca" in policy.acknowledgement()
    assert page.locator("[data-testid=acknowledge]").count() == 0


# --- 2 -------------------------------------------------------------------------------------------------------------------
def _week_with_one_national_holiday(year: int) -> tuple[dt.date, dt.date, dt.date]:
    """Monday, Friday and the holiday of the first week of `year` (from the real holiday calendar, holidays.ID) that
    has exactly one holiday, on a Tuesday to Thursday."""
    from hr.leave.models import Holiday
    from hr.leave.workdays import year_calendar

    cal = year_calendar(year)
    for day, (_name, kind) in sorted(cal.holidays.items()):
        if kind != Holiday.Kind.NATIONAL or day.weekday() not in (1, 2, 3):
            continue
        monday = day - dt.timedelta(days=day.weekday())
        week = [monday + dt.timedelta(days=i) for i in range(5)]
        if sum(1 for d in week if d in cal.holidays) == 1:
            return monday, week[-1], day
    raise AssertionError(f"no week in {year} with exactly one national holiday midweek")


def _i18n(label, language="id") -> str:
    from django.utils import translation

    with translation.override(language):
        return str(label)


def _i18n_date(day, fmt: str, language="id") -> str:
    from django.utils import dateformat, translation

    with translation.override(language):
        return dateformat.format(day, fmt)


def _tab_to(page, selector: str, limit: int = 80):
    """Press Tab until the focused element matches `selector`; every element Tab lands on must show a visible focus
    indicator. (Tab also walks the parts inside a date field and its picker button, which Chromium draws itself: those
    stops keep the same active element and are not checked again.)"""
    previous = page.evaluate(
        "() => { const el = document.activeElement; return el.tagName + '#' + el.id + '.' + el.name; }"
    )
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """sel => { const el = document.activeElement; const s = getComputedStyle(el);
                return {match: el.matches(sel), outline: s.outlineStyle !== 'none' && s.outlineWidth !== '0px',
                        shadow: s.boxShadow !== 'none', tag: el.tagName + '#' + el.id + '.' + el.name}; }""",
            selector,
        )
        if focused["tag"] != previous:
            assert focused["outline"] or focused["shadow"], f"no visible focus on {focused['tag']}"
        previous = focused["tag"]
        if focused["match"]:
            return
    raise AssertionError(f"Tab never reached {selector}")


def _date_digits(context, day: dt.date) -> str:
    """What to type into Chromium's date field: its segment order follows the browser's UI language, not the page's,
    so find it out once on a blank page of the same browser."""
    probe = context.new_page()
    probe.set_content("<input type=date>")
    probe.focus("input")
    probe.keyboard.type("01022030")
    month_first = probe.input_value("input") == "2030-01-02"
    probe.close()
    return day.strftime("%m%d%Y" if month_first else "%d%m%Y")


def _fill_leave_form_by_keyboard(page, *, start: dt.date, end: dt.date, reason: str, leave_type_id: int):
    """Tab, typing, Enter and Space only: no clicks."""
    _tab_to(page, "#id_leave_type")
    assert page.evaluate("() => document.activeElement.value") == str(leave_type_id), "annual leave comes first"
    _tab_to(page, "#id_start_date")
    page.keyboard.type(_date_digits(page.context, start))
    _tab_to(page, "#id_end_date")
    page.keyboard.type(_date_digits(page.context, end))
    assert (page.input_value("#id_start_date"), page.input_value("#id_end_date")) == (
        start.isoformat(),
        end.isoformat(),
    )
    _tab_to(page, "#id_reason")
    page.keyboard.type(reason)
    _tab_to(page, "[data-testid=leave-preview-button]")
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("mode", ["javascript", "no-javascript", "keyboard"])
def test_journey_2_annual_leave_request_opinion_approval_letter(signed_in, world, mode):
    from hr.leave.models import LeaveRequest, LeaveType

    annual = LeaveType.objects.get(code="tahunan")
    monday, friday, holiday = _week_with_one_national_holiday(world.year)
    options = {"java_script_enabled": mode != "no-javascript"}
    reason = "Menghadiri pernikahan keluarga"

    employee = signed_in("pegawai", **options)
    form = LeaveFormPage(employee).open()
    if mode == "keyboard":
        _fill_leave_form_by_keyboard(employee, start=monday, end=friday, reason=reason, leave_type_id=annual.pk)
    else:
        form.fill(leave_type_id=annual.pk, start=monday, end=friday, reason=reason).preview()
    # Monday to Friday is five weekdays; the national holiday on `holiday` is not counted.
    preview = form.preview_text()
    assert "4 hari dihitung" in preview, (holiday, preview)
    from hr.leave.workdays import year_calendar

    holiday_name = year_calendar(holiday.year).holidays[holiday][0]
    assert holiday_name in preview, f"the skipped holiday is named in the preview: {holiday_name!r} in {preview!r}"
    assert employee.input_value("#id_address_during_leave") == "Jl. Mawar 1, Jakarta", "prefilled from the profile"
    assert not LeaveRequest.objects.exists(), "a preview files nothing"
    if mode == "keyboard":
        _tab_to(employee, "[data-testid=leave-submit]")
        with employee.expect_navigation(url=re.compile(r"/cuti/\d+/$")):
            employee.keyboard.press("Space")
    else:
        form.submit()
    req = LeaveRequest.objects.get()
    assert (req.employee_id, req.start_date, req.end_date, req.days) == (world.staff.pk, monday, friday, 4)
    assert LeaveRequestPage(employee).status() == _i18n(LeaveRequest.Status.AWAITING_SUPERIOR.label)

    superior = LeaveRequestPage(signed_in("atasan", **options)).open_from_inbox("Siti Aminah")
    superior.decide("approve")
    assert superior.status() == _i18n(LeaveRequest.Status.AWAITING_OFFICIAL.label)

    official = LeaveRequestPage(signed_in("direktur", **options)).open_from_inbox("Siti Aminah")
    official.decide("approve")
    assert official.status() == _i18n(LeaveRequest.Status.APPROVED.label)
    assert len(official.steps()) == 3  # submitted, opinion, decision

    employee.goto(f"/cuti/{req.pk}/")
    assert LeaveRequestPage(employee).status() == _i18n(LeaveRequest.Status.APPROVED.label)
    letter = _pdf(download(employee, lambda: employee.click("[data-testid=leave-letter]")))
    text = " ".join(p.extract_text() for p in letter.pages)
    assert "Siti Aminah" in text and world.staff.nip in text.replace(" ", ""), text[:500]


# --- 3 -------------------------------------------------------------------------------------------------------------------
def _payroll_rows(world, period: str) -> list[dict]:
    import random

    from hr.payslips import demo

    rows = []
    for n, emp in enumerate((world.staff, world.colleague, world.head)):
        values = demo.amounts(random.Random(n), golongan="III/a")
        rows.append({"period": period, "nip": emp.nip, "name": emp.full_name, **values, "net": demo.net_of(values)})
    return rows


def _totp(device) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


@pytest.mark.enforce_2fa
def test_journey_3_payroll_errors_correction_publish_and_private_payslip(signed_in, world, tmp_path, settings):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from hr.payslips import demo
    from hr.payslips.models import Payslip

    officer = world.payroll.user
    totp_device = TOTPDevice.objects.create(user=officer, name="Ponsel", confirmed=True)
    recovery = StaticDevice.objects.create(user=officer, name="recovery", confirmed=True)
    recovery.token_set.create(token="pulih1234")
    # Publishing asks for a fresh second factor when the last one is older than this (production: 10 minutes).
    settings.SERAMBI_2FA_STEP_UP_SECONDS = 4

    rows = _payroll_rows(world, "2026-10")
    good = tmp_path / "gaji-oktober.csv"
    good.write_bytes(demo.csv_bytes(rows))
    broken = [dict(r) for r in rows]
    broken[1]["net"] += 1000  # earnings − deductions ≠ net
    broken[2]["nip"] = "19850314201002300"  # 17 digits
    bad = tmp_path / "gaji-oktober-salah.csv"
    bad.write_bytes(demo.csv_bytes(broken))

    page = signed_in("gaji")
    assert "/akun/keamanan/2fa/verifikasi/" in page.url, "a payroll officer must verify a second factor"
    TwoFactorPage(page).verify("pulih1234")  # a recovery code at login
    verified_at = time.monotonic()

    payroll = PayrollPage(page).open().upload(bad)
    assert payroll.status() == "invalid"
    problems = payroll.problems()
    assert {p[0] for p in problems} == {"3", "4"}, problems  # file rows (the header is row 1)
    assert {p[1] for p in problems} == {"net", "nip"}, problems  # the column of each problem
    assert all(p[2] and p[3] for p in problems), "each problem says what is wrong and how to fix it"
    assert not Payslip.objects.exists(), "a file with any problem imports nothing"

    payroll.open().upload(good)
    assert payroll.status() == "ready"
    assert page.locator("[data-testid=batch-rows] tbody tr").count() == 3

    time.sleep(max(0.0, settings.SERAMBI_2FA_STEP_UP_SECONDS + 1 - (time.monotonic() - verified_at)))
    payroll.publish()
    assert "/akun/keamanan/2fa/verifikasi/" in page.url, "publishing steps up to a fresh second factor"
    assert not Payslip.objects.filter(status=Payslip.Status.PUBLISHED).exists()
    TwoFactorPage(page).verify(_totp(totp_device))  # a real TOTP code from the officer's authenticator
    payroll.publish()
    assert payroll.status() == "published"

    slip = Payslip.objects.get(employee=world.staff, status=Payslip.Status.PUBLISHED)
    employee = signed_in("pegawai")
    employee.goto("/slip-gaji/")
    link = employee.locator("[data-testid=payslip-row] a[href$='/pdf/']")
    assert link.count() == 1
    pdf_url = link.get_attribute("href")
    assert pdf_url == f"/slip-gaji/{slip.pk}/pdf/"
    text = " ".join(p.extract_text() for p in _pdf(download(employee, link.click)).pages)
    assert world.staff.nip in text.replace(" ", "") and "Siti Aminah" in text

    colleague = signed_in("rekan")
    response = colleague.goto(pdf_url)
    assert response.status == 404, "another employee's payslip does not exist for them"
    assert b"%PDF" not in response.body()


# --- 4 -------------------------------------------------------------------------------------------------------------------
def test_journey_4_editor_drafts_targeted_news_moderator_publishes(signed_in, world, settings):
    from cms.news.models import NewsIndexPage, NewsPage

    title = "Donor darah Direktorat Satu"
    index = NewsIndexPage.objects.get(locale__language_code="id")
    admin = "/" + settings.WAGTAIL_ADMIN_PATH

    editor = signed_in("editor")
    editor.goto(f"{admin}pages/add/news/newspage/{index.pk}/")
    editor.fill("#id_title", title)
    editor.fill("#id_intro", "Kegiatan donor darah di aula Direktorat Satu.")
    # Audience sits on the content tab, units as a tree of checkboxes.
    editor.uncheck("#id_audience_everyone")
    editor.check(f"input[name=audience_units][value='{world.org['DIR1'].pk}']")
    # Editors cannot publish: the action menu offers submitting the draft to the moderators.
    editor.click("footer [data-w-dropdown-target=toggle], footer .dropdown-toggle")
    editor.click("button[name=action-submit]")
    editor.wait_for_url(re.compile(r"/pages/\d+/edit/|/pages/\d+/$"))
    page = NewsPage.objects.get(title=title)
    assert not page.live, "not published by the editor"
    assert page.current_workflow_state is not None and page.current_workflow_state.status == "in_progress"

    reader = signed_in("pegawai")
    assert title not in DashboardPage(reader).open().news_titles(), "nothing shows before the moderator publishes"

    moderator = signed_in("moderator")
    moderator.goto(f"{admin}pages/{page.pk}/edit/")
    moderator.click("footer [data-w-dropdown-target=toggle], footer .dropdown-toggle")
    moderator.click("button[data-workflow-action-name=approve]")
    moderator.wait_for_load_state()
    for _ in range(20):  # the approval posts in the background, then the admin navigates
        page.refresh_from_db()
        if page.live:
            break
        time.sleep(0.25)
    assert page.live and not page.has_unpublished_changes
    assert list(page.audience_units.all()) == [world.org["DIR1"]] and not page.audience_everyone

    assert title in DashboardPage(reader).open().news_titles(), "an employee of the directorate (via SUB1) sees it"
    reader.goto("/berita/")
    assert reader.locator(f"[data-testid=news-list] a:text-is('{title}')").count() == 1

    elsewhere = signed_in("luar")
    assert title not in DashboardPage(elsewhere).open().news_titles(), "DIR2 is not in the audience"
    elsewhere.goto("/berita/")
    assert elsewhere.locator(f"[data-testid=news-list] a:text-is('{title}')").count() == 0


# --- 5 -------------------------------------------------------------------------------------------------------------------
def test_journey_5_hr_shares_rahasia_document_until_a_date_colleague_gets_watermarked_copy(signed_in, world, tmp_path):
    from django.utils import timezone
    from pypdf import PdfWriter

    from hr.documents.models import Category, Classification, Document

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    original = tmp_path / "sk-kenaikan-pangkat.pdf"
    with original.open("wb") as fh:
        writer.write(fh)
    until = timezone.localdate() + dt.timedelta(days=14)

    hr = signed_in("sdm")
    DocumentPage(hr).file_new(
        title="SK Kenaikan Pangkat Siti Aminah",
        category_id=Category.objects.get(code="sk-pangkat").pk,
        classification=Classification.RAHASIA,
        subject_nip=world.staff.nip,
        path=original,
    )
    doc = Document.objects.get(title="SK Kenaikan Pangkat Siti Aminah")
    assert doc.classification == Classification.RAHASIA and doc.subject_employee_id == world.staff.pk
    assert hr.url.endswith(f"/dokumen/{doc.pk}/")

    colleague = signed_in("rekan")
    assert colleague.goto(f"/dokumen/{doc.pk}/").status == 404, "a Rahasia file is invisible before it is shared"
    assert colleague.goto(f"/dokumen/{doc.pk}/unduh/").status == 404

    DocumentPage(hr).share(username="rekan", until=until)
    shared = [g for g in DocumentPage(hr).grants() if "Rina Kartika" in g]
    assert len(shared) == 1 and _i18n_date(until, "j M Y") in shared[0] and "download" in shared[0], shared

    colleague.goto(f"/dokumen/{doc.pk}/")
    data = download(colleague, lambda: colleague.click("[data-testid=download]"))
    assert data != original.read_bytes()
    text = " ".join(p.extract_text() for p in _pdf(data).pages)
    # Every page names who downloaded it: name and NIP, so a leaked copy points to its source.
    assert "Rina Kartika" in text and world.colleague.nip in text.replace(" ", ""), text
