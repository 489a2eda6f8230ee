"""axe-core on every main page (zero serious or critical WCAG 2.1 A/AA violations), and the page language follows the
language the reader picks."""

import pytest

from tests.e2e.conftest import run_axe

pytestmark = pytest.mark.e2e


def test_every_main_page_has_no_serious_accessibility_violation_and_follows_the_language(
    signed_in, browser, live_server, main_pages
):
    pages = {None: browser.new_context(base_url=live_server.url, locale="id-ID", bypass_csp=True).new_page()}
    problems, langs = {}, {}
    for name, (username, path) in main_pages.items():
        if username not in pages:
            pages[username] = signed_in(username, bypass_csp=True)
        page = pages[username]
        response = page.goto(path)
        assert response.status == 200, (name, path, response.status)
        langs[name] = page.get_attribute("html", "lang")
        found = run_axe(page)
        if found:
            problems[name] = found
    assert not problems, problems
    assert set(langs.values()) == {"id"}, langs

    # Switch to English once per person: every page then says so in <html lang> (screen readers pick the voice from
    # it); axe runs again on the pages whose English text is longest.
    for username, page in pages.items():
        page.goto("/akun/masuk/" if username is None else "/")
        page.select_option("[data-testid=language-select]", "en")
        page.click(".lang-form button[type=submit]")
    for name, (username, path) in main_pages.items():
        pages[username].goto(path)
        assert pages[username].get_attribute("html", "lang") == "en", name
        if name in ("dashboard", "leave form", "payslip"):
            found = run_axe(pages[username])
            if found:
                problems[f"{name} (en)"] = found
    pages[None].context.close()
    assert not problems, problems
