"""Browser journeys: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Skipped, with the reason printed, where Chromium, Playwright or axe-core is absent (a bare first-run machine);
CI installs all three. On failure a screenshot and the page HTML are saved under test-artifacts/ (CI prints the path).
"""

import datetime as dt
import io
import os
import shutil
from pathlib import Path
from urllib.parse import urlparse

import pytest

# Playwright's sync API keeps an event loop in this thread; Django would otherwise refuse database calls made by the
# test itself (fixtures, assertions) in that thread. Test-only: the server side runs in its own thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("SERAMBI_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None

_missing = [what for what, ok in (("playwright", sync_playwright is not None), (f"chromium at {CHROMIUM}", Path(CHROMIUM).exists()),
                                  ("node_modules/axe-core (npm install)", AXE.exists())) if not ok]
pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(config, items):
    if _missing:
        reason = "browser journeys need " + ", ".join(_missing)
        for item in items:
            if "tests/e2e" in str(item.fspath):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """On SQLite, the journeys' test database is a file, not Django's shared in-memory one: the live server answers
    the browser's requests in threads, and on the in-memory database they all share one connection, so two requests
    at once (a page and its favicon) could meet a "database table is locked" error. A file gives each thread its own
    connection, with the WAL journal and busy timeout the embedded default runs with."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        path = Path(os.environ.get("SERAMBI_VAR_DIR", ROOT / "var" / "test")) / "e2e-test.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        db.setdefault("TEST", {})["NAME"] = str(path)


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        # Every page still open in the test's browser contexts (journeys with several people have several).
        browser = item.funcargs.get("browser")
        pages = [p for ctx in browser.contexts for p in ctx.pages] if browser is not None else []
        for n, page in enumerate(pages):
            ARTIFACTS.mkdir(exist_ok=True)
            stem = ARTIFACTS / (item.name.replace("/", "_")[:120] + (f"-{n}" if n else ""))
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(page.content())
                print(f"\n[e2e] saved {stem}.png and {stem}.html ({page.url})")
            except Exception as exc:  # the page may be gone; the failure itself is what matters
                print(f"\n[e2e] could not save artifacts: {exc}")


@pytest.fixture
def e2e_db(django_db_serialized_rollback, transactional_db):
    """Journeys run against a live server thread, so their data must be committed (tests/conftest.py keeps the
    migrated reference data in place between them)."""


@pytest.fixture
def context(browser, live_server, e2e_db):
    ctx = browser.new_context(locale="id-ID", viewport={"width": 1280, "height": 800}, base_url=live_server.url)
    ctx.set_default_timeout(15000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()


def only_this_host(urls: list[str], live_url: str) -> list[str]:
    host = urlparse(live_url).netloc
    return [u for u in urls if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != host]


def run_axe(page) -> list[dict]:
    """Serious and critical axe-core violations on the current page (WCAG 2.1 A/AA rules). The page's context must be
    opened with bypass_csp=True: our CSP (rightly) refuses the injected script otherwise."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a','wcag2aa','wcag21a','wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


SLOW_3G = {"offline": False, "latency": 400, "downloadThroughput": 400 * 1024 / 8, "uploadThroughput": 400 * 1024 / 8}
NO_THROTTLING = {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}


def measure_load(context, path: str, *, slow_3g: bool = False) -> dict:
    """Load `path` twice in one tab (first visit, then a repeat visit with the HTTP cache warm) and return the bytes
    transferred on the wire, the hosts asked, and first contentful paint of the first visit."""
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if slow_3g:
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    transfers: dict[str, float] = {}
    urls: list[str] = []
    cdp.on("Network.requestWillBeSent", lambda e: urls.append(e["request"]["url"]))
    cdp.on("Network.loadingFinished", lambda e: transfers.__setitem__(e["requestId"], e["encodedDataLength"]))
    page.goto(path, wait_until="load")
    fcp = page.evaluate(
        """() => new Promise(resolve => {
            new PerformanceObserver(list => {
                const e = list.getEntries().find(x => x.name === 'first-contentful-paint');
                if (e) resolve(e.startTime);
            }).observe({type: 'paint', buffered: true});
            setTimeout(() => resolve(null), 5000);
        })"""
    )
    first = sum(transfers.values())
    first_urls = list(urls)
    if slow_3g:  # the repeat visit counts bytes, not time: no need to wait for the emulated link again
        cdp.send("Network.emulateNetworkConditions", NO_THROTTLING)
    transfers.clear()
    page.goto(path, wait_until="load")
    repeat = sum(transfers.values())
    scroll = page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth")
    page.close()
    return {"first_bytes": first, "repeat_bytes": repeat, "urls": first_urls, "fcp_ms": fcp, "h_scroll": scroll}


@pytest.fixture(autouse=True)
def _e2e_fast_passwords_and_fresh_cache(settings):
    """Journeys create a dozen accounts: a cheap hasher keeps them quick (login itself is still a real form post, and
    the directory journey binds to slapd). Fragment caches are cleared so no page carries over from an earlier test
    whose database rows had the same ids."""
    from django.core.cache import cache

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    yield
    cache.clear()


def download(page, trigger) -> bytes:
    """Click/press whatever `trigger` does and return the bytes the browser downloaded."""
    with page.expect_download() as info:
        trigger()
    return Path(info.value.path()).read_bytes()


@pytest.fixture
def signed_in(browser, live_server, e2e_db):
    """signed_in(username, **context_options) -> a page of a fresh browser context, signed in through the real login
    form. Contexts stay open until teardown so that a failure's artifacts show every person's page."""
    from tests.e2e.pages import PASSWORD, LoginPage

    made = []

    def make(username, *, password=None, **options):
        options = {"locale": "id-ID", "viewport": {"width": 1280, "height": 800}, **options}
        ctx = browser.new_context(base_url=live_server.url, **options)
        ctx.set_default_timeout(15000)
        made.append(ctx)
        page = ctx.new_page()
        LoginPage(page).open().login(username, password or PASSWORD)
        assert "/akun/masuk/" not in page.url, f"{username} could not sign in"
        return page

    yield make
    for ctx in made:
        ctx.close()


@pytest.fixture
def world(org, e2e_db):
    """A small ministry's people, content and records, enough for every journey and main page:

    - SUB1 staff `pegawai` → superior `atasan` (head of SUB1) → authorised official `direktur` (head of DIR1, Eselon II);
    - `sdm` HR officer and `gaji` payroll officer with scope DIR1; `editor`, `moderator`;
    - `rekan` a colleague in SUB1, `luar` an employee of DIR2;
    - news targeted to DIR1 and to DIR2, a course with a quiz, a policy to acknowledge, next year's holiday calendar."""
    from types import SimpleNamespace

    from django.utils import timezone

    from hr.leave.workdays import seed_calendar
    from hr.org.models import HRScope
    from intranet.accounts.roles import Role
    from tests import factories
    from tests.cms.conftest import add_course, add_news, add_policy

    dir1, sub1, dir2 = org["DIR1"], org["SUB1"], org["DIR2"]

    def person(username, unit, name, **kw):
        user = factories.UserFactory(username=username, first_name=name.split()[0], last_name=" ".join(name.split()[1:]))
        return factories.EmployeeFactory(user=user, unit=unit, name=name, **kw)

    w = SimpleNamespace(org=org)
    w.director = person("direktur", dir1, "Direktur Satu", position=dir1.head_position, gender="M")
    w.head = person("atasan", sub1, "Kepala Sub Satu", position=sub1.head_position)
    w.staff = person("pegawai", sub1, "Siti Aminah", position=factories.PositionFactory(unit=sub1),
                     home_address="Jl. Mawar 1, Jakarta", personal_phone="0812 3456 7890")
    w.colleague = person("rekan", sub1, "Rina Kartika", position=factories.PositionFactory(unit=sub1))
    w.outsider = person("luar", dir2, "Dewi Lestari")
    w.hr = person("sdm", dir1, "Petugas SDM")
    factories.give_scope(w.hr.user, dir1, HRScope.Kind.HR)
    w.payroll = person("gaji", dir1, "Petugas Gaji")
    factories.give_scope(w.payroll.user, dir1, HRScope.Kind.PAYROLL)
    w.editor = person("editor", dir1, "Editor Humas", roles=[Role.EDITOR])
    w.moderator = person("moderator", dir1, "Moderator Humas", roles=[Role.MODERATOR])

    w.news_dir1 = add_news("Apel pagi Direktorat Satu", units=[dir1], intro="Semua pegawai Direktorat Satu hadir.")
    w.news_dir2 = add_news("Rapat Direktorat Dua", units=[dir2])
    w.news_all = add_news("Libur nasional dan cuti bersama", intro="Jadwal libur tahun depan.")
    w.course = add_course("Orientasi ASN", modules=2, pass_mark=100, questions=[
        ("Apa singkatan ASN?", ["Aparatur Sipil Negara", "Anggota Sipil Nasional"], 1),
        ("Berapa JP minimal per tahun?", ["10", "20"], 2),
    ])
    w.policy = add_policy("Kebijakan Keamanan Informasi", requires_acknowledgement=True, summary="Wajib dibaca.")
    w.year = timezone.localdate().year + 1
    seed_calendar(w.year)
    seed_calendar(timezone.localdate().year)
    return w


@pytest.fixture
def main_pages(world):
    """Every main page, with the account it is seen as and real records on it: name → (username or None, path)."""
    import random

    from django.core.files.base import ContentFile
    from pypdf import PdfWriter

    from hr.documents import services as documents
    from hr.documents.models import Category, Classification
    from hr.leave import services as leave
    from hr.leave.models import LeaveType
    from hr.payslips import demo
    from hr.payslips import services as payslips

    annual = LeaveType.objects.get(code="tahunan")
    start = next(d for d in (dt.date(world.year, 3, 1) + dt.timedelta(days=i) for i in range(60)) if d.weekday() == 1)
    request = leave.leave_request_submit(employee=world.staff, leave_type=annual, start_date=start, end_date=start,
                                         reason="Urusan keluarga", address_during_leave="Jl. Mawar 1",
                                         phone_during_leave="0812 3456 7890")
    values = demo.amounts(random.Random(1), golongan="III/a")
    row = {"period": "2026-10", "nip": world.staff.nip, "name": world.staff.full_name, **values,
           "net": demo.net_of(values)}
    batch = payslips.batch_upload(user=world.payroll.user, run_async=False,
                                  uploaded_file=ContentFile(demo.csv_bytes([row]), name="gaji.csv"))
    payslips.batch_validate(batch_id=batch.pk)
    payslips.batch_publish(batch_id=batch.pk, user=world.payroll.user, send_notifications=False)
    slip = world.staff.payslips.get()
    writer, pdf = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(pdf)
    documents.document_create(created_by=world.hr.user, title="SK CPNS Siti Aminah", category=Category.objects.get(code="sk-pangkat"),
                              classification=Classification.TERBATAS, subject_employee=world.staff,
                              file=ContentFile(pdf.getvalue(), name="sk-cpns.pdf"))
    pages = {
        "login": (None, "/akun/masuk/"),
        "dashboard": ("pegawai", "/"),
        "news index": ("pegawai", "/berita/"),
        "news page": ("pegawai", world.news_dir1.url),
        "training": ("pegawai", "/pelatihan/"),
        "course": ("pegawai", world.course.url),
        "policies": ("pegawai", "/kebijakan/"),
        "policy": ("pegawai", world.policy.url),
        "directory": ("pegawai", "/direktori/?q=siti"),
        "profile": ("pegawai", f"/direktori/pegawai/{world.head.pk}/"),
        "leave form": ("pegawai", "/cuti/ajukan/"),
        "my leave": ("pegawai", "/cuti/"),
        "leave request": ("atasan", f"/cuti/{request.pk}/"),
        "leave inbox": ("atasan", "/cuti/persetujuan/"),
        "payslips": ("pegawai", "/slip-gaji/"),
        "documents": ("pegawai", "/dokumen/"),
        "payslip": ("pegawai", f"/slip-gaji/{slip.pk}/"),
        "search": ("pegawai", "/cari/?q=libur"),
        "unit": ("pegawai", f"/direktori/unit/{world.org['DIR1'].code}/"),
        "notifications": ("pegawai", "/notifikasi/"),
        "sessions": ("pegawai", "/akun/keamanan/sesi/"),
    }
    return pages
