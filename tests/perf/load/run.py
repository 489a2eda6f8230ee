"""The ministry-scale load benchmark (issue #10): generate (or reuse) the data, start gunicorn with the production
settings, load each page with locust at 16 and 64 concurrent logged-in users, and print one table with the two
baselines measured the same way in the same run.

    .venv/bin/python -m tests.perf.load.run --fraction 1 --seconds 20            # ministry scale, database serambi_bench
    .venv/bin/python -m tests.perf.load.run --fraction 0.02 --seconds 5          # 2% scale for development

`make bench` runs it through tests/perf/test_load.py (SERAMBI_BENCH_FRACTION, SERAMBI_BENCH_SECONDS,
SERAMBI_BENCH_USERS, SERAMBI_BENCH_PAGES, SERAMBI_BENCH_WRITE_DOC). Needs PostgreSQL (BENCH_PG, default
postgres://postgres@127.0.0.1:5432) and Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/13, flushed per run).
The login-through-the-directory row runs against a real OpenLDAP slapd started here (tests/perf/load/directory.py);
without slapd installed it is reported as not measured. See docs/performance.md for the method and the latest figures.
"""

import argparse
import json
import os
import platform
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PY = sys.executable

# (key in the locustfile, label in the table, sample name recorded by locust, kind)
# kind: "base" baseline, "read" read page (ratio target), "write" excepted from the ratio targets (login, form submit).
PAGES = [
    ("bare", "(a) bare Django, no middleware", "(a) bare Django", "base"),
    ("auth", "(b) authenticated, full middleware", "(b) authenticated", "base"),
    ("login", "login (password form POST)", "login", "write"),
    ("directory_login", "login through the directory (LDAP)", "directory login", "write"),
    ("dashboard", "dashboard", "dashboard", "read"),
    ("news_index", "news index", "news index", "read"),
    ("news_page", "news page (article rendered before)", "news page", "read"),
    ("directory", "directory search", "directory search", "read"),
    ("profile", "profile", "profile", "read"),
    ("my_leave", "my leave", "my leave", "read"),
    ("inbox", "approvals inbox (superiors)", "approvals inbox", "read"),
    ("leave_submit", "leave request submit", "leave request submit", "write"),
    ("payslips", "my payslips", "my payslips", "read"),
    ("payslip_pdf", "payslip PDF (rendered before)", "payslip PDF", "read"),
    ("documents", "document list", "document list", "read"),
    ("document_download", "document download", "document download", "read"),
    ("search", "global search", "global search", "read"),
]
# The capacity measurement (--capacity): the write pages, whose p95 with 16 users in a closed loop is mostly queueing,
# are offered paced arrivals at rising rates (iterations/s; the login form's GET or the leave form's GET and withdrawal
# ride along in each), to find how many per second the stack serves within the target.
CAPACITY_RATES = {
    "login": (4, 8, 16, 24, 32, 40, 48, 56),
    "directory_login": (16, 32, 48, 64, 72, 80, 88, 96),
    "leave_submit": (4, 8, 12, 16, 20, 24, 28, 32),
}
P95_TARGET_MS = 150
LOAD_BEFORE = os.getloadavg()[0]
MARK_START, MARK_END = "<!-- bench:load:start -->", "<!-- bench:load:end -->"


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S', time.gmtime())} UTC] {msg}", flush=True)


def db_name(fraction: float) -> str:
    return "serambi_bench" if fraction == 1 else f"serambi_bench_{round(fraction * 1000):04d}pm"  # per mille


def ensure_database(pg: str, name: str) -> None:
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"created database {name}")


def server_env(args, var: Path) -> dict:
    key_file, audit_key_file = var / "secret_key", var / "audit_hmac_key"  # kept: a rerun reuses the database
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    if not audit_key_file.exists():
        audit_key_file.write_text(secrets.token_urlsafe(48))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.perf.load.settings",
        SERAMBI_TESTING="false",
        DEBUG="false",
        SECRET_KEY=key_file.read_text().strip(),
        AUDIT_HMAC_KEY=audit_key_file.read_text().strip(),  # production settings refuse to run without it
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        DATABASE_URL=f"{args.pg}/{args.db}",
        REDIS_URL=args.redis,
        SERAMBI_VAR_DIR=str(var),
        # As behind nginx in production: Django authorises private downloads and nginx sends the bytes.
        PRIVATE_MEDIA_X_ACCEL_PREFIX="/_private/",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return env


def manage(env, *cmd) -> None:
    subprocess.run([PY, "manage.py", *cmd], cwd=ROOT, env=env, check=True)


def prepare_data(args, env) -> None:
    """Migrate, generate (idempotent: a database that already holds the data is reused), collect static files."""
    seed_env = {k: v for k, v in env.items() if k != "REDIS_URL"}  # generation runs background work inline
    t = time.monotonic()
    manage(seed_env, "migrate", "--noinput", "-v", "0")
    manage(seed_env, "seed_ministry", "--fraction", str(args.fraction))
    log(f"data ready in {time.monotonic() - t:.0f} s")
    manage(seed_env, "collectstatic", "--noinput", "-v", "0")


class Server:
    """One gunicorn, configured by deploy/gunicorn.conf.py as in production; samples its workers' RSS."""

    def __init__(self, app: str, port: int, env: dict, logfile: Path):
        self.url = f"http://127.0.0.1:{port}"
        env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
        self.proc = subprocess.Popen(
            [PY, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", app],
            cwd=ROOT, env=env, stdout=logfile.open("ab"), stderr=subprocess.STDOUT,
        )
        self.peak_worker = self.peak_total = 0
        self._stop = threading.Event()
        threading.Thread(target=self._sample, daemon=True).start()

    def wait(self, path: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn for {self.url} exited; see its log")
            try:
                with urllib.request.urlopen(self.url + path, timeout=5):  # noqa: S310 - loopback
                    return
            except urllib.error.HTTPError as exc:
                if exc.code == 503:  # /healthz reporting the cache down (the outage run): the app answers
                    return
                time.sleep(0.5)
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"gunicorn at {self.url} did not answer {path}")

    def workers(self) -> int:
        import psutil

        return len(psutil.Process(self.proc.pid).children())

    def reset_peak(self) -> None:
        self.peak_worker = self.peak_total = 0

    def _sample(self) -> None:
        import psutil

        master = psutil.Process(self.proc.pid)
        while not self._stop.is_set():
            try:
                rss = [c.memory_info().rss for c in master.children()]
            except psutil.Error:
                rss = []
            if rss:
                self.peak_worker = max(self.peak_worker, max(rss))
                self.peak_total = max(self.peak_total, sum(rss))
            time.sleep(0.25)

    def stop(self) -> None:
        self._stop.set()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def directory_stack(args, env: dict, plan: Path, var: Path, qfile: Path):
    """The directory-login row's stack (tests/perf/load/directory.py): a slapd with the pool's entries and a second
    gunicorn, configured like the first plus the directory. (None, None) when slapd is not installed."""
    from tests.perf.load import directory

    slapd = directory.start(var / "slapd", plan.with_name("directory.ldif"))
    if slapd is None:
        log("login through the directory: not measured (OpenLDAP slapd is not installed)")
        return None, None
    with_directory = {**env, **directory.server_env(slapd)}
    subprocess.run([PY, "-m", "tests.perf.load.directory", "converge", str(plan), str(qfile)], cwd=ROOT,
                   env=with_directory, check=True)
    return slapd, Server("intranet.wsgi:application", args.port + 2, with_directory, var / "server-directory.log")


def run_locust(page: str, users: int, seconds: int, host: str, plan: Path, out: Path, logfile: Path,
               rate: float = 0) -> list:
    env = {**os.environ, "BENCH_PAGE": page, "BENCH_PLAN": str(plan), "BENCH_OUT": str(out), "PYTHONPATH": str(ROOT),
           "BENCH_USERS": str(users), "BENCH_RATE": str(rate or "")}
    subprocess.run(
        [PY, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless", "-u", str(users),
         "-r", str(users), "-t", f"{seconds}s", "-H", host, "--only-summary", "--stop-timeout", "5",
         "--exit-code-on-error", "0", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, check=True, stdout=logfile.open("ab"), stderr=subprocess.STDOUT,
    )
    return json.loads(out.read_text())


def summarise(samples: list, name: str, warmup: float) -> dict:
    mine = [s for s in samples if s[1] == name]
    if not mine:
        return {"rps": 0.0, "p50": None, "p95": None, "errors": 0, "n": 0}
    start = min(s[0] for s in samples) + warmup
    window = [s for s in mine if s[0] >= start] or mine
    span = max(max(s[0] for s in samples) - start, 0.5)
    times = sorted(s[2] for s in window)
    q = statistics.quantiles(times, n=100, method="inclusive") if len(times) > 1 else times * 99
    return {"rps": len(window) / span, "p50": q[49], "p95": q[94], "errors": sum(1 for s in mine if s[3]),
            "n": len(mine)}


def measure_capacity(args, server_for, plan: Path, var: Path) -> dict:
    """Per page, offer paced arrivals at each rate of CAPACITY_RATES (lowest first) until p95 exceeds the target (or the
    stack stalls: `_within`), on the page's server (`server_for(key)`; None: not measured).
    Returns {page: [(offered, summary), ...]}."""
    wanted = [k for k in args.capacity.split(",") if k and server_for(k) is not None]
    unknown = set(wanted) - set(CAPACITY_RATES)
    if unknown:
        raise SystemExit(f"--capacity: no rates for {', '.join(sorted(unknown))}; known: {', '.join(CAPACITY_RATES)}")
    if args.pages:
        wanted = [k for k in wanted if k in args.pages.split(",")]
    users = max(args.users)  # a pool large enough not to hold the arrivals back
    out = {}
    for key in wanted:
        label, name = _page(key)
        out[key] = []
        url = server_for(key).url
        for rate in CAPACITY_RATES[key]:
            samples = run_locust(key, users, args.seconds, url, plan, var / f"samples-{key}-rate{rate}.json",
                                 var / "locust.log", rate=rate)
            r = summarise(samples, name, args.warmup)
            out[key].append((rate, r))
            log(f"{label:<38} offered {rate:>3}/s  achieved {r['rps']:5.1f}/s  p50 {fmt(r['p50']):>5} ms  "
                f"p95 {fmt(r['p95']):>5} ms  errors {r['errors']}/{r['n']}")
            if not _within(rate, r):
                break
    return out


def _page(key: str) -> tuple[str, str]:
    """The table label and the locust sample name of page `key`."""
    return next((label, name) for k, label, name, _kind in PAGES if k == key)


def _within(rate: float, r: dict) -> bool:
    # Poisson arrivals over a short run vary by ±2·sqrt(n) (±15% of 48 arrivals at 4/s in 12 s): "not keeping up" is
    # judged by p95, with served < 75% of offered only as the sign of a stack that stalled outright.
    return r["p95"] is not None and r["p95"] <= P95_TARGET_MS and r["rps"] >= 0.75 * rate and r["errors"] == 0


def capacity_report(args, capacity: dict) -> str:
    if not capacity:
        return ""
    lines = ["", f"Capacity within p95 ≤ {P95_TARGET_MS} ms: the same pages offered paced arrivals (Poisson, "
             f"{max(args.users)} users, {args.seconds} s per rate, first {args.warmup:.0f} s not counted), rising until "
             "p95 exceeds the target (or fewer than 75% of the offered iterations are served).", "",
             "| page | offered /s | served /s | p50 ms | p95 ms | errors | within target |",
             "|---|---:|---:|---:|---:|---:|---|"]
    best = []
    for key, steps in capacity.items():
        label, _name = _page(key)
        for rate, r in steps:
            lines.append(f"| {label} | {rate} | {r['rps']:.1f} | {fmt(r['p50'])} | {fmt(r['p95'])} | {r['errors']} | "
                         f"{'yes' if _within(rate, r) else 'no'} |")
        ok = [rate for rate, r in steps if _within(rate, r)]
        best.append(f"{label}: {max(ok)} per second" if ok else f"{label}: below {steps[0][0]} per second")
    lines += ["", f"Served within p95 ≤ {P95_TARGET_MS} ms: " + "; ".join(best) + "."]
    return "\n" + "\n".join(lines)  # a blank line after the targets' table


def machine_line(env) -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    mem = next((int(ln.split()[1]) for ln in open("/proc/meminfo") if ln.startswith("MemTotal")), 0) / 1024 / 1024
    pg = subprocess.run(["psql", env["DATABASE_URL"], "-Atc", "SHOW server_version"], capture_output=True,
                        text=True).stdout.strip() or "?"
    from importlib.metadata import version  # (importing locust here would monkey-patch this process with gevent)

    return (f"{cpu}, {os.cpu_count()} cores, {mem:.1f} GB RAM; PostgreSQL {pg}; Redis; Python "
            f"{platform.python_version()}, Django {version('django')}, gunicorn {version('gunicorn')}, "
            f"locust {version('locust')}; kernel {platform.release()}; load average before the run "
            f"{LOAD_BEFORE:.1f}, after {os.getloadavg()[0]:.1f} (other work on the machine skews the figures)")


def fmt(v, spec=".0f", dash="–"):
    return dash if v is None else format(v, spec)


def _near(value, limit) -> str:
    """A measured figure for the targets' table: one decimal within a millisecond of the limit (150.2 fails 150)."""
    return fmt(value, ".1f" if value is not None and abs(value - limit) < 1 else ".0f")


def build_report(args, results, queries, machine, data_counts, workers, command) -> tuple[str, list[str], bool]:
    levels = args.users
    lines = [
        f"Machine: {machine}",
        f"Data: {data_counts}",
        f"Server: gunicorn ({workers} sync workers, deploy/gunicorn.conf.py), tests.perf.load.settings = production "
        f"settings (DEBUG off, PostgreSQL, Redis cache, {queries.get('_session_engine', '?')} sessions) over plain "
        "HTTP on loopback; locust (FastHttpUser, no think time) on the same 2 cores. The directory login row: a second "
        "gunicorn configured alike plus LDAP, against OpenLDAP slapd on the same host (64 employees of its own).",
        f"Each row: one page alone for {args.seconds} s per user level (first {args.warmup:.0f} s not counted), "
        "distinct pre-logged-in users spread over roles (employee, superior, HR, payroll; 2FA-verified sessions "
        "for HR and payroll).",
        f"Command: `{command}`",
        "",
        "| page | users | req/s | p50 ms | p95 ms | errors | × (a) | × (b) | SQL queries (warm / cold) | peak worker RSS MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for key, label, _name, _kind in PAGES:
        for n in levels:
            r = results.get((key, n))
            if r is None:
                continue
            a, b = results.get(("bare", n)), results.get(("auth", n))
            qa = queries.get(key, {})
            qtxt = f"{qa['queries']} / {qa['cold']}" if "queries" in qa else "–"
            extra = [f"{role[0].upper()}:{qa[f'queries_{role}']}" for role in ("superior", "hr", "payroll")
                     if f"queries_{role}" in qa and qa[f"queries_{role}"] != qa.get("queries")]
            if extra:
                qtxt += " (" + ", ".join(extra) + ")"
            lines.append(
                f"| {label} | {n} | {r['rps']:.0f} | {fmt(r['p50'])} | {fmt(r['p95'])} | {r['errors']} | "
                f"{fmt(r['rps'] / a['rps'] if a and a['rps'] else None, '.2f')} | "
                f"{fmt(r['rps'] / b['rps'] if b and b['rps'] else None, '.2f')} | {qtxt} | {r['rss_mb']:.0f} |"
            )
    pdf, news = queries.get("_pdf_first_render_ms", {}), queries.get("_news_first_render_ms", {})
    lines += ["", f"Payslip PDF first rendering (before the run, per bench user): median {pdf.get('median')} ms, "
              f"max {pdf.get('max')} ms over {pdf.get('n')} payslips.",
              f"News article first view, rendering the article for every reader (before the run, one request at a time; "
              f"the copy is kept 10 minutes, the route a minute, so routes are looked up again in the run): median "
              f"{news.get('median')} ms, max {news.get('max')} ms over {news.get('n')} articles.",
              "Query letters: S superior, H HR officer, P payroll officer, where their count differs from an "
              "employee's.", ""]

    # Targets (issue #10).
    checks = []
    low, high = min(levels), max(levels)
    b = results.get(("auth", low))
    for key, label, _name, kind in PAGES:
        if kind == "base":
            continue
        r16, r64 = results.get((key, low)), results.get((key, high))
        if r16:
            checks.append((f"{label}: p95 ≤ 150 ms at {low} users", r16["p95"] is not None and r16["p95"] <= 150,
                           f"{_near(r16['p95'], 150)} ms"))
        if r64:
            checks.append((f"{label}: no errors at {high} users", r64["errors"] == 0 and r64["n"] > 0,
                           f"{r64['errors']} errors in {r64['n']}"))
        if r16 and b and kind == "read":
            need = 0.5 if key == "dashboard" else 0.3
            ratio = r16["rps"] / b["rps"] if b["rps"] else 0
            checks.append((f"{label}: ≥ {need:.0%} of (b) at {low} users", ratio >= need, f"{ratio:.0%}"))
        if key in queries and "queries" in queries[key]:
            worst = max(v for k, v in queries[key].items() if k.startswith("queries"))
            checks.append((f"{label}: ≤ 15 SQL queries", worst <= 15, str(worst)))
    rs = results.get(("search", low))
    if rs:
        checks.append((f"global search: p95 ≤ 200 ms at {low} users", rs["p95"] is not None and rs["p95"] <= 200,
                       f"{_near(rs['p95'], 200)} ms"))
    failed = [c for c in checks if not c[1]]
    lines += [f"Targets: {len(checks) - len(failed)} of {len(checks)} met.", "",
              "| target | result | measured |", "|---|---|---|"]
    lines += [f"| {name} | {'pass' if ok else '**FAIL**'} | {value} |" for name, ok, value in checks]
    return "\n".join(lines), [c[0] for c in failed], not failed


def write_doc(report: str) -> None:
    doc = ROOT / "docs" / "performance.md"
    text = doc.read_text() if doc.exists() else f"# Performance\n\n{MARK_START}\n{MARK_END}\n"
    if MARK_START not in text:
        text += f"\n{MARK_START}\n{MARK_END}\n"
    head, rest = text.split(MARK_START, 1)
    tail = rest.split(MARK_END, 1)[1]
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    doc.write_text(f"{head}{MARK_START}\nLatest run: {stamp}.\n\n{report}\n{MARK_END}{tail}")
    log(f"wrote {doc.relative_to(ROOT)}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--fraction", type=float, default=1.0, help="share of ministry scale (1 = 50,000 employees)")
    p.add_argument("--seconds", type=int, default=20, help="load per page and user level")
    p.add_argument("--warmup", type=float, default=3.0, help="seconds at the start of each page not counted")
    p.add_argument("--users", default="16,64", help="concurrent users, comma-separated")
    p.add_argument("--pages", default="", help="only these page keys (comma-separated); baselines always run")
    p.add_argument("--db", default="", help="database name (default serambi_bench at fraction 1)")
    p.add_argument("--pg", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    p.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"))
    p.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8765")))
    p.add_argument("--skip-generate", action="store_true", help="use the database as it is (no migrate/seed)")
    p.add_argument("--write-doc", action="store_true", help="save the table to docs/performance.md")
    p.add_argument("--capacity", default="login,directory_login,leave_submit",
                   help=f"pages whose capacity within p95 ≤ {P95_TARGET_MS} ms is measured with paced arrivals "
                        f"(of {', '.join(CAPACITY_RATES)}; empty: none)")
    args = p.parse_args(argv)
    global LOAD_BEFORE
    LOAD_BEFORE = os.getloadavg()[0]
    args.users = [int(u) for u in args.users.split(",")]
    args.warmup = min(args.warmup, args.seconds / 4)  # short development runs keep most of their samples
    args.db = args.db or db_name(args.fraction)
    command = "python -m tests.perf.load.run " + " ".join(argv if argv is not None else sys.argv[1:])
    var = ROOT / "var" / "bench" / args.db
    var.mkdir(parents=True, exist_ok=True)
    env = server_env(args, var)

    ensure_database(args.pg, args.db)
    if not args.skip_generate:
        prepare_data(args, env)
    import redis

    try:
        redis.Redis.from_url(args.redis, socket_connect_timeout=1).flushdb()  # ours only: no stale cache between runs
    except redis.ConnectionError:  # `--redis` naming a port where nothing listens: the outage run (docs/performance.md)
        log(f"Redis at {args.redis} does not answer: measuring with the cache down")
    plan, qfile = var / "plan.json", var / "queries.json"
    subprocess.run([PY, "-m", "tests.perf.load.prepare", str(plan)], cwd=ROOT, env=env, check=True)
    log("query counts (one request at a time, test client):")
    subprocess.run([PY, "-m", "tests.perf.load.querycount", str(plan), str(qfile)], cwd=ROOT, env=env, check=True)
    queries = json.loads(qfile.read_text())
    counts = queries.get("_counts", "?")

    logfile = var / "server.log"
    app = Server("intranet.wsgi:application", args.port, env, logfile)
    bare = Server("tests.perf.load.bare:application", args.port + 1, env, var / "bare.log")
    slapd = directory_app = None
    wants_directory = not args.pages or "directory_login" in args.pages.split(",")

    def server_for(key: str):
        """The gunicorn that serves page `key` (None: the directory row without slapd, not measured)."""
        return {"bare": bare, "directory_login": directory_app}.get(key, app)

    results, capacity = {}, {}
    try:
        if wants_directory:
            slapd, directory_app = directory_stack(args, env, plan, var, qfile)
            queries = json.loads(qfile.read_text())  # with the directory login's count
        app.wait("/healthz")
        bare.wait("/_bench/bare")
        if directory_app:
            directory_app.wait("/healthz")
        workers = app.workers()
        wanted = {k for k in args.pages.split(",") if k} | {"bare", "auth"}
        for n in args.users:
            for key, label, name, _kind in PAGES:
                if args.pages and key not in wanted:
                    continue
                server = server_for(key)
                if server is None:
                    continue  # reported as not measured
                server.reset_peak()
                out = var / f"samples-{key}-{n}.json"
                samples = run_locust(key, n, args.seconds, server.url, plan, out, var / "locust.log")
                r = summarise(samples, name, args.warmup)
                r["rss_mb"] = server.peak_worker / 2**20
                results[(key, n)] = r
                log(f"{label:<38} {n:>3} users {r['rps']:7.0f} req/s  p50 {fmt(r['p50']):>5} ms  "
                    f"p95 {fmt(r['p95']):>5} ms  errors {r['errors']}/{r['n']}")
        capacity = measure_capacity(args, server_for, plan, var)
    finally:
        for server in (app, bare, directory_app, slapd):
            if server is not None:
                server.stop()
    (var / "results.json").write_text(json.dumps([{"page": k, "users": n, **r} for (k, n), r in results.items()]))
    (var / "capacity.json").write_text(json.dumps({k: [{"offered": rate, **r} for rate, r in steps]
                                                   for k, steps in capacity.items()}))
    report, failed, ok = build_report(args, results, queries, machine_line(env), counts, workers, command)
    if wants_directory and slapd is None:
        report += "\n\nLogin through the directory: not measured (OpenLDAP slapd is not installed)."
    report += capacity_report(args, capacity)
    print("\n" + report + "\n", flush=True)
    if args.write_doc:
        write_doc(report)
    if failed:
        log(f"{len(failed)} target(s) not met")
    empty = [f"{key}@{n}" for (key, n), r in results.items() if r["n"] == 0]
    if empty:
        log(f"no requests measured for {', '.join(empty)}: the benchmark did not run; see {var}/locust.log")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
