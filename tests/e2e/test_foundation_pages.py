"""Foundation pages in a real browser: login, directory search and profile, keyboard skip link, language switch, no-JS.

The foundation pages (login, directory, profile, unit, notifications, account security) are also in the axe-core run
(test_accessibility.py) and the bandwidth/paint budgets (test_budgets.py) with every other main page."""

import pytest

from tests.e2e.pages import DirectoryPage, LoginPage
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def people(org, e2e_db):
    head = EmployeeFactory(unit=org["SUB1"], position=org["SUB1"].head_position, name="Rahmawati Lubis",
                           front_title="Dr.", back_title="S.Kom., M.T.")
    me = EmployeeFactory(unit=org["SUB1"], name="Siti Aminah")
    return {"head": head, "me": me}


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
