"""Browser journeys: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Skipped, with the reason printed, where Chromium, Playwright or axe-core is absent (a bare first-run machine);
CI installs all three. On failure a screenshot and the page HTML are saved under test-artifacts/ (CI prints the path).
"""

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
        page = item.funcargs.get("page")
        if page is not None:
            ARTIFACTS.mkdir(exist_ok=True)
            stem = ARTIFACTS / item.name.replace("/", "_")[:120]
            try:
                page.screenshot(path=f"{stem}.png", full_page=True)
                Path(f"{stem}.html").write_text(page.content())
                print(f"\n[e2e] saved {stem}.png and {stem}.html")
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
    transfers.clear()
    page.goto(path, wait_until="load")
    repeat = sum(transfers.values())
    scroll = page.evaluate("() => document.documentElement.scrollWidth > document.documentElement.clientWidth")
    page.close()
    return {"first_bytes": first, "repeat_bytes": repeat, "urls": first_urls, "fcp_ms": fcp, "h_scroll": scroll}
