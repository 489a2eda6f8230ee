"""A shared computer: a leave draft typed by one employee is not left in the browser for the next person, whether she
logs out from another page than the form or her session simply ends."""

import pytest

pytestmark = pytest.mark.e2e

DRAFTS = "() => Object.keys(localStorage).filter(k => k.startsWith('serambi:draft:'))"


def test_logging_out_from_any_page_clears_the_drafts(signed_in, world):
    page = signed_in("pegawai")
    page.goto("/cuti/ajukan/")
    page.fill("#id_reason", "Kontrol ke dokter jiwa")
    page.wait_for_timeout(800)  # the draft is written 300 ms after the last keystroke
    assert page.evaluate(DRAFTS) != []
    page.goto("/")  # the form left unsent; the logout is clicked on another page
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    page.wait_for_url("**/akun/masuk/**")
    assert page.evaluate(DRAFTS) == []


def test_the_next_person_signing_in_drops_a_draft_left_behind(signed_in, world):
    page = signed_in("pegawai")
    page.goto("/cuti/ajukan/")
    page.fill("#id_reason", "Kontrol ke dokter jiwa")
    page.wait_for_timeout(800)
    page.context.clear_cookies()  # her session ended (idle timeout) with the draft kept for her return
    page.goto("/akun/masuk/")
    assert page.evaluate(DRAFTS) != []  # kept while nobody else signs in: she may come back to it
    from tests.e2e.pages import PASSWORD, LoginPage

    LoginPage(page).open().login("rekan", PASSWORD)
    page.wait_for_load_state()
    assert page.evaluate(DRAFTS) == []
