"""Phones: every page a role reaches from the navigation fits 360 px with no horizontal scrolling (a news article with
images included, served as responsive renditions); the compact header opens its menu without JavaScript; the error
pages (404, 500, CSRF failure) render branded with DEBUG off. The rules a browser is not needed for (stylesheet,
components, templates) are checked in tests/intranet/test_phone_layout.py."""

import io
from types import ModuleType
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import path

from tests.e2e.pages import LoginPage

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
H_SCROLL = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
WIDEST = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
                 && !e.closest('.table-scroll') && getComputedStyle(e).position !== 'absolute')
    .slice(0, 3).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
# Not pages of ours, not pages at all, or not for a GET from a crawler: admin areas, files, downloads, the language
# switch and logout (both POST), API.
SKIP = ("/cms-admin/", "/django-admin/", "/static/", "/media/", "/berkas/", "/i18n/", "/api/", "/akun/keluar")
ROLES = ("pegawai", "atasan", "direktur", "sdm", "gaji", "editor", "moderator")
MAX_PAGES = 40
PER_SECTION = 5  # pages per first path segment, so that one long list (news) does not use up the walk


def _boom(request):
    raise RuntimeError("a fault the error page must survive")


@pytest.fixture
def phone_urls(settings):
    """The site's routes, plus a view that fails (the 500 page) and the news images (nginx serves them in
    production; the live server does not), in front of Wagtail's catch-all."""
    from intranet import urls as site
    from intranet.core.dev_media import media_urlpatterns

    urls = ModuleType("tests.e2e.phone_urls")  # a module object: the resolver cache needs a hashable urlconf
    urls.urlpatterns = [path("_e2e/gagal/", _boom), *media_urlpatterns(debug=True), *site.urlpatterns]
    settings.ROOT_URLCONF = urls


def _png(width, height) -> bytes:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (20, 60, 110)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def article_with_images(world):
    """The DIR1 news item with a 1600 px lead image and a 2000 px image in its body (wider than any phone)."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from wagtail.images.models import Image

    lead = Image.objects.create(
        title="apel",
        description="Pegawai berbaris pada apel pagi",
        file=SimpleUploadedFile("apel.png", _png(1600, 900), content_type="image/png"),
    )
    wide = Image.objects.create(
        title="aula",
        description="Aula kantor pusat dari balkon",
        file=SimpleUploadedFile("aula.png", _png(2000, 700), content_type="image/png"),
    )
    page = world.news_dir1
    page.lead_image = lead
    page.body = [("paragraph", "<p>Apel pagi dimulai pukul 07.30.</p>"), ("image", wide)]
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _reachable(context, page, start: str = "/") -> list[tuple[str, bool, list]]:
    """Breadth-first from the dashboard over this site's links, a few pages per section (HTML pages only; a download
    is asked for first with the context's own cookies and left out): (path, scrolls sideways, what sticks out)."""
    host = urlparse(page.url).netloc
    queue, seen, found, per_section = [start], {start}, [], {}
    while queue and len(found) < MAX_PAGES:
        target = queue.pop(0)
        section = target.split("/")[1]
        if per_section.get(section, 0) >= PER_SECTION:
            continue
        head = context.request.get(target, max_redirects=0)
        kind = head.headers.get("content-type", "")
        if (
            head.status != 200
            or not kind.startswith("text/html")
            or "attachment" in head.headers.get("content-disposition", "")
        ):
            continue
        per_section[section] = per_section.get(section, 0) + 1
        page.goto(target)
        found.append((target, page.evaluate(H_SCROLL), page.evaluate(WIDEST)))
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            url = urlparse(urljoin(page.url, href))
            # Another page of a list, a filter or a year has the layout of the first: the plain path stands for it.
            if url.netloc != host or url.scheme not in ("http", "https") or url.query or url.path in seen:
                continue
            if url.path.startswith(SKIP):
                continue
            seen.add(url.path)
            queue.append(url.path)
    return found


def test_every_page_each_role_reaches_fits_a_phone(signed_in, main_pages, article_with_images, phone_urls):
    problems, visited = {}, {}
    for username in ROLES:
        page = signed_in(username, viewport=PHONE)
        found = _reachable(page.context, page)
        visited[username] = [p for p, _s, _w in found]
        for where, scrolls, widest in found:
            if scrolls:
                problems[f"{username} {where}"] = widest
    assert not problems, problems
    for username, paths in visited.items():
        assert len(paths) >= 5, (username, paths)  # the crawl really walked the site
    assert any(p.startswith("/slip-gaji/") for p in visited["pegawai"]), visited["pegawai"]
    assert any(p.startswith("/dokumen/") for p in visited["pegawai"]), visited["pegawai"]
    assert any(p.startswith("/slip-gaji/penggajian/") for p in visited["gaji"]), visited["gaji"]
    # The main pages are in too, whether or not a link leads there (a leave request, a payslip, a search).
    page = signed_in("pegawai", viewport=PHONE)
    for name, (username, where) in main_pages.items():
        if username == "pegawai":
            page.goto(where)
            assert not page.evaluate(H_SCROLL), (name, page.evaluate(WIDEST))


def test_a_news_article_with_images_fits_and_loads_a_small_rendition(signed_in, article_with_images, phone_urls):
    page = signed_in("pegawai", viewport=PHONE)
    response = page.goto(article_with_images.url)
    assert response.status == 200
    page.wait_for_load_state("load")
    images = page.locator("[data-testid=news-article] figure img")
    assert images.count() == 2
    for i in range(2):
        image = images.nth(i)
        image.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        box = image.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        chosen = image.evaluate("img => img.currentSrc")
        assert "400x" in chosen, chosen  # the 400 px rendition on a 360 px screen, not the 800 px one
        assert image.get_attribute("alt")
    assert not page.evaluate(H_SCROLL), page.evaluate(WIDEST)


def test_the_compact_header_opens_its_menu_without_javascript(browser, live_server, world):
    ctx = browser.new_context(base_url=live_server.url, locale="id-ID", viewport=PHONE, java_script_enabled=False)
    page = ctx.new_page()
    LoginPage(page).open().login("pegawai")
    page.goto("/")
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 200, header  # was 340 of 740 px
    assert not page.locator("[data-testid=nav-directory]").is_visible(), "the wide bar is hidden on a phone"
    assert not page.locator("[data-testid=menu-directory]").is_visible()
    page.click("[data-testid=nav-menu]")
    assert page.locator("[data-testid=menu-directory]").is_visible()
    page.click("[data-testid=menu-directory]")
    assert "/direktori/" in page.url
    ctx.close()


def test_error_pages_are_branded_with_debug_off(browser, live_server, world, phone_urls, settings):
    assert settings.DEBUG is False
    ctx = browser.new_context(base_url=live_server.url, locale="id-ID", viewport=PHONE)
    page = ctx.new_page()
    LoginPage(page).open().login("pegawai")
    checks = {}
    response = page.goto("/tidak-ada-halaman-ini/")
    checks["404"] = (response.status, "Halaman tidak ditemukan")
    _assert_branded(page, *checks["404"], 404)
    response = page.goto("/_e2e/gagal/")
    _assert_branded(page, response.status, None, 500)
    # A form sent after its CSRF cookie is gone (an expired session, another tab logged out).
    page.goto("/direktori/")
    ctx.clear_cookies()
    page.select_option("[data-testid=language-select]", "en")
    with page.expect_navigation() as navigation:
        page.click(".lang-form button[type=submit]")
    _assert_branded(page, navigation.value.status, None, 403)
    assert page.locator("h1").inner_text().strip(), "the CSRF page says what happened"
    ctx.close()


def _assert_branded(page, status, heading, expected):
    assert status == expected
    assert page.locator("header.site-header a.brand").is_visible()
    assert page.evaluate("() => getComputedStyle(document.querySelector('.site-header')).backgroundColor") == (
        "rgb(122, 31, 31)"
    ), "the site's stylesheet is applied"
    assert page.get_attribute("html", "lang") == "id"
    if heading:
        assert page.locator("h1").inner_text().strip() == heading
    assert "Django" not in page.content()
    assert not page.evaluate(H_SCROLL)
