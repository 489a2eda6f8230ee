#!/usr/bin/env python3
"""Serambi's two first-run commands, for a fresh machine with only Python 3.11+:

    python3 dev.py up      # venv, install, migrate (SQLite under var/), demo data once, serve on 127.0.0.1:8000
    python3 dev.py test    # venv, install with test extras, run the whole test suite (the command CI runs)

Both are idempotent: a second run reuses the virtual environment, the database and the demo data.
Other verbs: `install` (only set up), `seed` (only demo data), `bench` (benchmarks under tests/perf).
"""

import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
VAR = Path(os.environ.get("SERAMBI_VAR_DIR", ROOT / "var"))
HOST = os.environ.get("SERAMBI_HOST", "127.0.0.1")
PORT = os.environ.get("SERAMBI_PORT", "8000")


def run(*cmd, **kw):
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)


# Locked, hashed dependency sets (pip-compile from pyproject.toml; how to update them: docs/dependencies.md).
LOCKS = {(): "runtime.txt", ("test",): "test.txt", ("test", "bench"): "bench.txt"}


def install(extras=()):
    if sys.version_info < (3, 11):
        sys.exit("Serambi needs Python 3.11 or newer.")
    if not PY.exists():
        run(sys.executable, "-m", "venv", VENV)
    lock = ROOT / "requirements" / LOCKS[tuple(extras)]
    stamp = VENV / ".serambi-installed"
    wanted = f"{lock.name}\n{lock.read_text()}"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    run(PY, "-m", "pip", "install", "--disable-pip-version-check", "-q", "--require-hashes", "-r", lock)
    stamp.write_text(wanted)


def dev_env():
    """The embedded default: DEBUG on, SQLite under var/, no broker (background work inline), console e-mail.
    A random SECRET_KEY is made once and kept in var/ so sessions survive restarts."""
    VAR.mkdir(parents=True, exist_ok=True)
    key_file = VAR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    env = dict(os.environ)
    env.setdefault("DEBUG", "true")
    env.setdefault("SECRET_KEY", key_file.read_text().strip())
    env.setdefault("SERAMBI_VAR_DIR", str(VAR))
    return env


def manage(*args, env=None):
    run(PY, "manage.py", *args, env=env or dev_env())


def up():
    install()
    env = dev_env()
    manage("migrate", "--noinput", "-v", "0", env=env)
    marker = VAR / ".demo-seeded"
    if not marker.exists():
        manage("seed_demo", "--employees", os.environ.get("SERAMBI_DEMO_EMPLOYEES", "300"), env=env)
        marker.write_text("ok")
    manage("seed_demo", "--only", "hr.org", env=env)  # (idempotent, writes nothing) prints the demo accounts last
    print(f"\nSerambi is starting: open http://{HOST}:{PORT}/ and log in with an account above.", flush=True)
    print("Stop with Ctrl+C.\n", flush=True)
    os.execve(str(PY), [str(PY), "manage.py", "runserver", f"{HOST}:{PORT}", "--insecure"], env)


def browser_tools():
    """axe-core (package-lock.json) for the accessibility checks of the browser journeys, when npm is available and
    node_modules is missing or older than the lock file; without npm the journeys skip and say so."""
    npm = shutil.which("npm")
    lock, installed = ROOT / "package-lock.json", ROOT / "node_modules" / ".package-lock.json"  # npm writes the latter
    fresh = installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime
    if npm is None or (fresh and (ROOT / "node_modules" / "axe-core" / "axe.min.js").exists()):
        return
    try:
        run(npm, "ci", "--no-audit", "--no-fund", "--silent")
    except (subprocess.CalledProcessError, OSError) as exc:  # offline: the journeys skip and say why
        print(f"npm ci failed ({exc}); browser journeys will be skipped", flush=True)


def browser_summary(reports: list[Path]) -> str:
    """How many browser journeys ran and how many were skipped, and why (from pytest's JUnit XML reports)."""
    ran, failed, skipped = 0, 0, Counter()
    for report in reports:
        if not report.exists():
            continue
        for case in ElementTree.parse(report).iter("testcase"):  # noqa: S314 - our own pytest run's report
            if not case.get("classname", "").startswith("tests.e2e"):
                continue
            skip = case.find("skipped")
            if skip is not None:
                skipped[(skip.get("message") or "no reason given").removeprefix("Skipped: ")] += 1
            else:
                ran += 1
                failed += case.find("failure") is not None or case.find("error") is not None
    lines = [f"Browser journeys: {ran} ran ({ran - failed} passed, {failed} failed), {sum(skipped.values())} skipped."]
    lines += [f"  skipped {n}: {reason}" for reason, n in skipped.most_common()]
    return "\n".join(lines)


def test(args):
    """The whole suite. Browser journeys run in a pytest process of their own: a live-server test on PostgreSQL leaves
    Django without its migrated-state snapshot, which later transactional tests in the same process rely on.
    Given explicit test paths, one plain pytest run. At the end: how many browser journeys ran or were skipped, and why."""
    install(extras=("test",))
    browser_tools()
    env = dict(os.environ)
    env.setdefault("SERAMBI_VAR_DIR", str(VAR / "test"))
    if any(not a.startswith("-") and (ROOT / a.split("::")[0]).exists() for a in args):
        runs = [[*args]]
    else:
        runs = [[*args, "--ignore=tests/e2e"], [*args, "tests/e2e"]]
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        reports = []
        for n, run_args in enumerate(runs):
            reports.append(Path(tmp) / f"run-{n}.xml")
            cmd = [str(PY), "-m", "pytest", *run_args, f"--junitxml={reports[-1]}"]
            print("+", " ".join(cmd), flush=True)
            status = subprocess.run(cmd, cwd=ROOT, env=env).returncode or status
        print("\n" + browser_summary(reports), flush=True)
    sys.exit(status)


def main(argv):
    verb = argv[1] if len(argv) > 1 else "up"
    if verb == "up":
        up()
    elif verb == "test":
        test(argv[2:])
    elif verb == "install":
        install(extras=("test",))
        browser_tools()
    elif verb == "seed":
        install()
        manage("migrate", "--noinput", "-v", "0")
        manage("seed_demo", *argv[2:])
    elif verb == "bench":
        install(extras=("test", "bench"))
        env = dict(os.environ)
        sys.exit(subprocess.run([str(PY), "-m", "pytest", "tests/perf", "-s", "-p", "no:cacheprovider",
                                 "-o", "addopts=", *argv[2:]], cwd=ROOT, env=env).returncode)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
