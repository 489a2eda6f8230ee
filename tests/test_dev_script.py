"""`python3 dev.py test` says at the end how many browser journeys ran or were skipped, and why; it installs axe-core
when npm is there and carries on without it."""

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _dev():
    spec = importlib.util.spec_from_file_location("dev_script", ROOT / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_summary_counts_browser_journeys_from_a_real_pytest_report(tmp_path):
    tests = tmp_path / "tests" / "e2e"
    tests.mkdir(parents=True)
    (tmp_path / "tests" / "__init__.py").write_text("")
    (tests / "__init__.py").write_text("")
    (tests / "test_sample.py").write_text(
        "import pytest\n"
        "def test_ran():\n    pass\n"
        "def test_broke():\n    assert False\n"
        "@pytest.mark.skip(reason='browser journeys need chromium at /usr/bin/chromium')\n"
        "def test_a():\n    pass\n"
        "@pytest.mark.skip(reason='browser journeys need chromium at /usr/bin/chromium')\n"
        "def test_b():\n    pass\n"
    )
    report = tmp_path / "report.xml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:django",
            f"--rootdir={tmp_path}",
            "-c",
            "/dev/null",
            f"--junitxml={report}",
            "tests/e2e",
        ],
        cwd=tmp_path,
        capture_output=True,
        check=False,
    )
    summary = _dev().browser_summary([report, tmp_path / "missing.xml"])
    assert summary.splitlines() == [
        "Browser journeys: 2 ran (1 passed, 1 failed), 2 skipped.",
        "  skipped 2: browser journeys need chromium at /usr/bin/chromium",
    ]


def test_without_npm_nothing_is_installed_and_nothing_fails(monkeypatch):
    dev = _dev()
    monkeypatch.setattr(dev.shutil, "which", lambda name: None)
    calls = []
    monkeypatch.setattr(dev, "run", lambda *cmd, **kw: calls.append(cmd))
    dev.browser_tools()
    assert calls == []


def test_npm_ci_runs_when_axe_core_is_missing_and_not_when_it_is_current(monkeypatch, tmp_path):
    dev = _dev()
    (tmp_path / "package-lock.json").write_text("{}")
    monkeypatch.setattr(dev, "ROOT", tmp_path)
    monkeypatch.setattr(dev.shutil, "which", lambda name: "/usr/bin/npm")
    calls = []
    monkeypatch.setattr(dev, "run", lambda *cmd, **kw: calls.append(cmd))
    dev.browser_tools()
    assert calls == [("/usr/bin/npm", "ci", "--no-audit", "--no-fund", "--silent")]
    (tmp_path / "node_modules" / "axe-core").mkdir(parents=True)
    (tmp_path / "node_modules" / "axe-core" / "axe.min.js").write_text("")
    (tmp_path / "node_modules" / ".package-lock.json").write_text("{}")
    calls.clear()
    dev.browser_tools()
    assert calls == [], "installed and current: nothing to do"
