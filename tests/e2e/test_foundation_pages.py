"""Foundation pages in a real browser: login, directory, profile, unit, notifications, account security.

Each main page: zero serious/critical axe violations, ≤ 100 KB first load and ≤ 20 KB repeat visit on the wire, no
request to another host, first contentful paint ≤ 3 s under emulated Slow 3G, no horizontal scrolling at 360 px."""

import pytest

from tests.e2e.conftest import measure_load, only_this_host, run_axe
from tests.e2e.pages import DirectoryPage, LoginPage
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(org, e2e_db):
    head = EmployeeFactory(unit=org["SUB1"], position=org["SUB1"].head_position, name="Rahmawati Lubis",
                           front_title="Dr.", back_title="S.Kom., M.T.")
    me = EmployeeFactory(unit=org["SUB1"], name="Siti Aminah")
    return {"head": head, "me": me}


def _main_pages(people, org):
    return {
        "login": "/akun/masuk/",
        "directory": "/direktori/?q=lubis",
        "profile": f"/direktori/pegawai/{people['head'].pk}/",
        "unit": f"/direktori/unit/{org['DIR1'].code}/",
        "notifications": "/notifikasi/",
        "sessions": "/akun/keamanan/sesi/",
    }


def test_login_search_and_profile_journey(page, people):
    LoginPage(page).open().login(people["me"].user.username)
    directory = DirectoryPage(page).open().search("rahmawati")
    assert directory.results() == ["Dr. Rahmawati Lubis, S.Kom., M.T."]
    page.click("text=Dr. Rahmawati Lubis, S.Kom., M.T.")
    assert page.inner_text("[data-testid=profile-name]") == "Dr. Rahmawati Lubis, S.Kom., M.T."
    assert page.locator("[data-testid=nip]").count() == 0, "a colleague's NIP is private"


def test_keyboard_skip_link_and_language_switch(page, people):
    LoginPage(page).open().login(people["me"].user.username)
    page.goto("/direktori/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert "skip-link" in focused, "the first Tab lands on the skip link"
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none", "focus is visible"
    page.keyboard.press("Enter")
    assert page.evaluate("() => location.hash") == "#main"
    assert page.get_attribute("html", "lang") == "id"
    page.select_option("[data-testid=language-select]", "en")
    page.click(".lang-form button[type=submit]")
    assert page.get_attribute("html", "lang") == "en"
    assert page.url.endswith("/direktori/"), "the switch keeps the page"


def test_directory_works_without_javascript(browser, live_server, people):
    ctx = browser.new_context(java_script_enabled=False, base_url=live_server.url, locale="id-ID")
    page = ctx.new_page()
    LoginPage(page).open().login(people["me"].user.username)
    assert DirectoryPage(page).open().search("lubis").results() == ["Dr. Rahmawati Lubis, S.Kom., M.T."]
    ctx.close()


def test_accessibility_of_foundation_pages(browser, live_server, people, org):
    ctx = browser.new_context(base_url=live_server.url, locale="id-ID", bypass_csp=True)
    page = ctx.new_page()
    problems = {}
    page.goto("/akun/masuk/")
    problems["login"] = run_axe(page)
    LoginPage(page).login(people["me"].user.username)
    for name, path in _main_pages(people, org).items():
        if name == "login":
            continue
        page.goto(path)
        found = run_axe(page)
        if found:
            problems[name] = found
    ctx.close()
    assert not any(problems.values()), problems


def test_bandwidth_and_paint_budgets(browser, live_server, people, org):
    rows = []
    login_ctx = browser.new_context(base_url=live_server.url, locale="id-ID")
    LoginPage(login_ctx.new_page()).open().login(people["me"].user.username)
    signed_in = login_ctx.storage_state()
    login_ctx.close()
    for width, height in ((1280, 800), (360, 640)):
        for name, path in _main_pages(people, org).items():
            # A fresh context per page: an empty HTTP cache, so the first load really is a first load.
            ctx = browser.new_context(base_url=live_server.url, locale="id-ID", viewport={"width": width, "height": height},
                                      storage_state=None if name == "login" else signed_in)
            rows.append((width, name, measure_load(ctx, path, slow_3g=(width == 360))))
            ctx.close()
    print("\nwidth  page           first(KB) repeat(KB)  FCP(ms)  other hosts")
    for width, name, f in rows:
        fcp = f"{f['fcp_ms']:.0f}" if f["fcp_ms"] else "-"
        print(f"{width:<6} {name:<14} {f['first_bytes'] / 1024:9.1f} {f['repeat_bytes'] / 1024:10.1f} {fcp:>8}  "
              f"{len(only_this_host(f['urls'], live_server.url))}")
    for width, name, f in rows:
        assert f["first_bytes"] <= 100 * 1024, (width, name, f["first_bytes"])
        assert f["repeat_bytes"] <= 20 * 1024, (width, name, f["repeat_bytes"])
        assert not only_this_host(f["urls"], live_server.url), (name, f["urls"])
        assert not f["h_scroll"], f"{name} scrolls horizontally at {width}px"
        if width == 360:  # Slow 3G run
            assert f["fcp_ms"] is not None and f["fcp_ms"] <= 3000, (name, f["fcp_ms"])
