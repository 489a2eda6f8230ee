"""Directory outage under paced load (not in the default run): a real gunicorn (deploy/gunicorn.conf.py, production
settings, PostgreSQL, Redis) against a real slapd, while directory logins and other pages (/healthz, the login page)
arrive at a fixed rate (open loop: a slow answer does not slow the offered load). Three phases: the directory up, hung
(slapd SIGSTOPped: connections accepted, never answered) and stopped. Prints per phase and request kind the count,
p50 / p95 / max latency and what the logins answered.

    .venv/bin/pytest tests/perf/test_ldap_outage.py -s -p no:cacheprovider -o addopts=

Environment: SERAMBI_BENCH_SECONDS (per phase, default 20), SERAMBI_BENCH_LOGIN_RATE (logins per second, default 4),
SERAMBI_BENCH_PAGE_RATE (other pages per second, default 10), SERAMBI_BENCH_WORKERS (gunicorn sync workers, default
5 as in the load benchmark), SERAMBI_BENCH_CODE (another checkout to serve, e.g. a worktree of an older commit: the
same harness measures it), BENCH_PG (default postgres://postgres@127.0.0.1:5432), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/12, flushed). The directory timeouts are the checkout's own defaults.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.ldap_server import BASE, GROUPS, PEOPLE, SERVICE_DN, SERVICE_PASSWORD, USER_PASSWORD, find_slapd, free_port

HERE = Path(__file__).resolve().parents[2]
CODE = Path(os.environ.get("SERAMBI_BENCH_CODE", str(HERE))).resolve()
SECONDS = float(os.environ.get("SERAMBI_BENCH_SECONDS", "20"))
LOGIN_RATE = float(os.environ.get("SERAMBI_BENCH_LOGIN_RATE", "4"))
PAGE_RATE = float(os.environ.get("SERAMBI_BENCH_PAGE_RATE", "10"))
WORKERS = int(os.environ.get("SERAMBI_BENCH_WORKERS", "5"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
DB = "serambi_bench_ldap_outage"
LOGIN_PATH = "/akun/masuk/"
USERS = ("siti", "budi", "dewi", "rina")
UNAVAILABLE_TEXT = "directory service is unavailable"


def _reachable() -> str:
    import psycopg
    import redis

    try:
        with psycopg.connect(f"{PG}/postgres"):
            pass
        redis.Redis.from_url(REDIS).ping()
    except Exception as exc:  # noqa: BLE001 - any reason to skip is reported
        return str(exc)
    return ""


def _env(var: Path, ldap_uri: str, port: int) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_", "LDAP_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.perf.load.settings",
        SERAMBI_TESTING="false",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_HMAC_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"{PG}/{DB}",
        REDIS_URL=REDIS,
        SERAMBI_VAR_DIR=str(var),
        LOG_LEVEL="ERROR",
        PYTHONPATH=os.pathsep.join([str(CODE), str(HERE)]),  # this harness's tests package after the code's
        LDAP_SERVER_URIS=ldap_uri,
        LDAP_BIND_DN=SERVICE_DN,
        LDAP_BIND_PASSWORD=SERVICE_PASSWORD,
        LDAP_BASE_DN=BASE,
        LDAP_USER_BASE_DN=PEOPLE,
        LDAP_GROUP_BASE_DN=GROUPS,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS=str(WORKERS),
        GUNICORN_TIMEOUT="60",
        SERAMBI_LOGIN_ADDRESS_LIMIT="100000",  # one load generator address: the rate limit is not what is measured
        SERAMBI_LOGIN_GLOBAL_LIMIT="1000000",
        AXES_FAILURE_LIMIT="100000",
    )
    return env


def _login(base: str, username: str) -> tuple[float, str]:
    import requests

    with requests.Session() as s:
        s.headers["Accept-Language"] = "en"
        page = s.get(base + LOGIN_PATH, timeout=120)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        data = {"username": username, "password": USER_PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""}
        started = time.monotonic()
        try:
            r = s.post(base + LOGIN_PATH, data=data, timeout=120, allow_redirects=False,
                       headers={"Referer": base + LOGIN_PATH})  # fmt: skip
        except requests.RequestException as exc:
            return time.monotonic() - started, type(exc).__name__
        seconds = time.monotonic() - started
    if r.status_code == 302:
        return seconds, "signed in"
    if r.status_code == 200 and UNAVAILABLE_TEXT in r.text:
        return seconds, "unavailable message"
    return seconds, f"HTTP {r.status_code}"


def _page(base: str, path: str) -> tuple[float, str]:
    import requests

    started = time.monotonic()
    try:
        r = requests.get(base + path, timeout=120)
    except requests.RequestException as exc:
        return time.monotonic() - started, type(exc).__name__
    return time.monotonic() - started, "ok" if r.status_code == 200 else f"HTTP {r.status_code}"


def _phase(base: str) -> dict[str, list[tuple[float, str]]]:
    """SECONDS of paced load; returns latencies and outcomes per request kind."""
    results: dict[str, list[tuple[float, str]]] = {"login (POST)": [], "/healthz": [], "login page (GET)": []}
    lock = threading.Lock()

    def record(kind, fn, *args):
        outcome = fn(*args)
        with lock:
            results[kind].append(outcome)

    events = []
    for i in range(int(SECONDS * LOGIN_RATE)):
        events.append((i / LOGIN_RATE, "login (POST)", _login, (base, USERS[i % len(USERS)])))
    for i in range(int(SECONDS * PAGE_RATE)):
        kind, path = ("/healthz", "/healthz") if i % 2 == 0 else ("login page (GET)", LOGIN_PATH)
        events.append((i / PAGE_RATE, kind, _page, (base, path)))
    events.sort(key=lambda e: e[0])
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=128) as pool:
        for at, kind, fn, args in events:
            delay = start + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            pool.submit(record, kind, fn, *args)
    return results


def _quantile(values: list[float], q: float) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def _table(rows) -> str:
    lines = [
        "| directory | request | n | p50 ms | p95 ms | max ms | outcomes |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for phase, results in rows:
        for kind, items in results.items():
            times = [t * 1000 for t, _o in items]
            outcomes: dict[str, int] = {}
            for _t, o in items:
                outcomes[o] = outcomes.get(o, 0) + 1
            summary = ", ".join(f"{k} {v}" for k, v in sorted(outcomes.items()))
            lines.append(
                f"| {phase} | {kind} | {len(items)} | {_quantile(times, 0.5):.0f} | {_quantile(times, 0.95):.0f} |"
                f" {max(times) if times else float('nan'):.0f} | {summary} |"
            )
    return "\n".join(lines)


def test_directory_outage_under_load():
    if not find_slapd():
        pytest.skip("OpenLDAP slapd is not installed")
    missing = _reachable()
    if missing:
        pytest.skip(f"needs PostgreSQL and Redis: {missing}")
    import psycopg
    import redis

    from tests.ldap_server import start_standard_server

    redis.Redis.from_url(REDIS).flushdb()
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    work = Path(tempfile.mkdtemp(prefix="serambi-outage-"))
    slapd = start_standard_server(work / "slapd")
    port = free_port()
    env = _env(work / "var", slapd.uri, port)
    (work / "var").mkdir()
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run([sys.executable, "manage.py", *command, "-v", "0"], cwd=CODE, env=env, check=True)
    log = (work / "gunicorn.log").open("ab")
    gunicorn = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "intranet.wsgi:application"],
        cwd=CODE, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    rows = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5):  # noqa: S310 - loopback
                    break
            except OSError:
                if time.monotonic() > deadline or gunicorn.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start; see {work / 'gunicorn.log'}") from None
                time.sleep(0.5)
        for user in USERS:  # first logins create the accounts: not part of the measurement
            _login(base, user)
        print(f"\nDirectory outage under load: {CODE}, {WORKERS} sync workers, {LOGIN_RATE:g} logins/s + "
              f"{PAGE_RATE:g} pages/s for {SECONDS:g} s per phase")  # fmt: skip
        rows.append(("up", _phase(base)))
        os.kill(slapd.process.pid, signal.SIGSTOP)
        try:
            rows.append(("hung (SIGSTOP)", _phase(base)))
        finally:
            os.kill(slapd.process.pid, signal.SIGCONT)
        slapd.stop()
        rows.append(("stopped", _phase(base)))
        print(_table(rows))
    finally:
        gunicorn.send_signal(signal.SIGTERM)
        gunicorn.wait(timeout=30)
        slapd.stop()
    assert rows
