"""deploy/gunicorn.conf.py: the app is imported once, in the master, and workers are forked from it, so recycling a
worker (max_requests) costs a fork instead of an import. A real gunicorn with that configuration recycles its workers
and keeps answering; its master holds the imported app."""

import os
import runpy
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ldap_server import free_port

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "gunicorn.conf.py"


def _conf(monkeypatch, **env) -> dict:
    for key in ("GUNICORN_PRELOAD", *env):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(CONF))


def test_the_app_is_preloaded_unless_switched_off(monkeypatch):
    assert _conf(monkeypatch)["preload_app"] is True
    assert _conf(monkeypatch, GUNICORN_PRELOAD="false")["preload_app"] is False


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # no transaction open, as in the master; see test_backup
def test_no_database_connection_is_handed_to_the_workers(monkeypatch):
    from django.db import connection

    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("Django never closes SQLite's in-memory test database; the PostgreSQL leg runs this")
    connection.ensure_connection()
    assert connection.connection is not None
    _conf(monkeypatch)["when_ready"](None)
    assert connection.connection is None


def _rss_kb(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the master's memory from /proc (Linux)")
def test_recycled_workers_keep_serving_from_the_preloaded_master(tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_MAX_REQUESTS": "3",  # a worker is recycled every third request
        "GUNICORN_MAX_REQUESTS_JITTER": "0",
        "DJANGO_SETTINGS_MODULE": "intranet.settings",
        "DEBUG": "true",  # static files from the apps' folders (no collectstatic): no database is needed
        "SECRET_KEY": "gunicorn-test",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "SERAMBI_VAR_DIR": str(tmp_path / "var"),
        "REDIS_URL": "",
    }
    log = tmp_path / "gunicorn.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(CONF), "intranet.wsgi:application"],
        cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}/static/css/serambi.css"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback
                    assert r.status == 200
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.3)
        for _ in range(12):
            with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310 - loopback
                assert r.status == 200 and b"{" in r.read()
        booted = log.read_text().count("Booting worker")
        assert booted >= 4, log.read_text()[-3000:]  # two at start, then recycled ones
        # the master imported the app: Django, Wagtail and the apps, not gunicorn alone (about 27 MB)
        assert _rss_kb(proc.pid) > 80_000
    finally:
        proc.terminate()
        proc.wait(timeout=30)
