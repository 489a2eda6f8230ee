"""Directory sync benchmark (not in the default run): N users (default 50,000) in 300 groups loaded into a real slapd
with slapadd; times Serambi's `ldap_sync` (first full sync, no-op sync, sync after 1% of entries changed) against
django-python3-ldap's `ldap_sync_users` on the same directory in the same run, then login latency over loopback,
and prints a side-by-side table (wall and CPU seconds, slapd CPU, ratios, targets).

    .venv/bin/pytest tests/perf/test_ldap_sync.py -s -p no:cacheprovider -o addopts=
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/serambi_ldapbench .venv/bin/pytest tests/perf/test_ldap_sync.py …

Environment: SERAMBI_BENCH_USERS (default 50000), SERAMBI_BENCH_LOGINS (300), SERAMBI_BENCH_BASELINE=0 (Serambi
only), SERAMBI_BENCH_BASELINE_PHASES=first (baseline in the first phase only), SERAMBI_BENCH_PROFILE=<dir> (Serambi's syncs under cProfile, one .prof per phase), SERAMBI_BENCH_TIMEOUT.
DATABASE_URL=postgres://…/name runs both sides on PostgreSQL (databases name_ours and name_base, recreated);
otherwise SQLite files in the test's temporary directory.

Each side runs as a `manage.py` subprocess on its own copy of one freshly migrated and seeded database (same data,
same process start-up cost), so wall-clock times are comparable; CPU seconds are printed too because the machine may
be shared. The baseline only syncs user fields; Serambi also links employees by NIP, places them in units, sets the
supervisor from the manager DN, stores directory attributes and applies the group → role mapping.
"""

from __future__ import annotations

import importlib.util
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.ldap_server import BASE, SERVICE_DN, SERVICE_PASSWORD, Database, SlapdServer, find_slapd
from tests.perf.ldap_bench.seed import nip_for, unit_code

ROOT = Path(__file__).resolve().parents[2]
USERS = int(os.environ.get("SERAMBI_BENCH_USERS", "50000"))
GROUPS = 300
LOGINS = int(os.environ.get("SERAMBI_BENCH_LOGINS", "300"))
PASSWORD = "Bench-Rahasia-2026"  # noqa: S105
PEOPLE = f"ou=people,{BASE}"
GROUP_BASE = f"ou=groups,{BASE}"
SUBPROCESS_TIMEOUT = int(os.environ.get("SERAMBI_BENCH_TIMEOUT", "1800"))
WITH_BASELINE = os.environ.get("SERAMBI_BENCH_BASELINE", "1") != "0"  # 0: Serambi only (quicker re-runs)
# Which phases the baseline also runs ("first,no-op,1% changed" by default; "first" saves most of the run's time,
# since django-python3-ldap re-saves every user in each phase).
BASELINE_PHASES = set(os.environ.get("SERAMBI_BENCH_BASELINE_PHASES", "first,no-op,1% changed").split(","))
PROFILE_DIR = os.environ.get("SERAMBI_BENCH_PROFILE", "")  # a directory: Serambi's syncs run under cProfile
DATABASE_URL = os.environ.get("DATABASE_URL", "")  # postgres://…/name: both sides on PostgreSQL (name_ours, name_base)


def write_ldif(path: Path, n: int) -> None:
    password_hash = subprocess.run(
        ["slappasswd", "-s", PASSWORD, "-h", "{SSHA}"], check=True, capture_output=True, text=True
    ).stdout.strip()
    groups: dict[int, list[str]] = {g: [] for g in range(GROUPS)}
    with path.open("w") as f:
        f.write(f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: serambi\no: Bench\n\n")
        for ou in ("people", "groups", "services"):
            f.write(f"dn: ou={ou},{BASE}\nobjectClass: organizationalUnit\nou: {ou}\n\n")
        f.write(
            f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: serambi\n"
            f"userPassword: {SERVICE_PASSWORD}\n\n"
        )
        for i in range(n):
            dn = f"uid=u{i:05d},{PEOPLE}"
            mine = sorted({i % GROUPS, (i * 7 + 3) % GROUPS})
            for g in mine:
                groups[g].append(dn)
            member_of = "".join(f"memberOf: cn=g{g:03d},{GROUP_BASE}\n" for g in mine)
            boss = (i // 50) * 50  # every 50th person manages the next 49 (Employee.supervisor)
            manager = f"manager: uid=u{boss:05d},{PEOPLE}\n" if boss != i else ""
            f.write(
                f"dn: {dn}\nobjectClass: inetOrgPerson\nuid: u{i:05d}\ncn: Pegawai {i}\ngivenName: Pegawai\nsn: Nomor {i}\n"
                f"mail: u{i:05d}@kemencontoh.go.id\nemployeeNumber: {nip_for(i)}\ndepartmentNumber: {unit_code(i)}\n"
                f"title: Pelaksana\ntelephoneNumber: 021-{i:07d}\nuserPassword: {password_hash}\n{manager}{member_of}\n"
            )
        for g, members in groups.items():
            f.write(f"dn: cn=g{g:03d},{GROUP_BASE}\nobjectClass: groupOfNames\ncn: g{g:03d}\n")
            f.write("".join(f"member: {m}\n" for m in members))
            f.write("\n")


CPU: dict[str, float] = {}  # label → CPU seconds (user + system) of the subprocess: independent of machine load
SLAPD_CPU: dict[str, float] = {}  # label → CPU seconds slapd spent meanwhile (serving that run)
LOAD: dict[str, float] = {}  # label → 1-minute load average when the run started (the machine is shared)
SLAPD_PID: list[int] = []


def _slapd_cpu() -> float:
    if not SLAPD_PID:
        return float("nan")
    try:
        fields = Path(f"/proc/{SLAPD_PID[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], env: dict, label: str) -> tuple[float, str]:
    cpu0, slapd0 = _children_cpu(), _slapd_cpu()
    LOAD[label] = os.getloadavg()[0]
    t0 = time.monotonic()
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        print(f"  {label}: TIMEOUT after {SUBPROCESS_TIMEOUT}s")
        return float("nan"), ""
    elapsed = time.monotonic() - t0
    CPU[label] = _children_cpu() - cpu0
    SLAPD_CPU[label] = _slapd_cpu() - slapd0
    if proc.returncode != 0:
        raise AssertionError(f"{label} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    print(
        f"  {label}: {elapsed:.1f}s wall, {CPU[label]:.1f}s CPU (slapd {SLAPD_CPU[label]:.1f}s; load {LOAD[label]:.1f})"
    )
    return elapsed, proc.stdout + proc.stderr


@pytest.mark.slapd
def test_ldap_sync_benchmark(tmp_path):
    if not find_slapd():
        pytest.skip("OpenLDAP slapd is not installed (apt-get install slapd ldap-utils)")
    if WITH_BASELINE and importlib.util.find_spec("django_python3_ldap") is None:
        pytest.skip("the baseline needs django-python3-ldap: pip install -e '.[bench]'")
    print(f"\nLDAP sync benchmark: {USERS} users in {GROUPS} groups")

    ldif = tmp_path / "bench.ldif"
    t0 = time.monotonic()
    write_ldif(ldif, USERS)
    server = SlapdServer(workdir=tmp_path / "slapd", databases=[Database(BASE)])
    server.slapadd(ldif)
    print(f"  directory generated and loaded with slapadd in {time.monotonic() - t0:.1f}s")
    server.start()
    SLAPD_PID[:] = [server.process.pid]
    try:
        _benchmark(tmp_path, server)
    finally:
        server.stop()


def _postgres_databases(url: str) -> tuple[str, str, Callable[[], None]]:
    """Two fresh databases next to the one named in DATABASE_URL; the baseline's is cloned from ours after seeding."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "serambi_ldapbench"
    ours, base = f"{name}_ours", f"{name}_base"
    admin_url = urlunsplit(parts._replace(path="/postgres"))

    def execute(*statements):
        with psycopg.connect(admin_url, autocommit=True) as conn:
            for sql in statements:
                conn.execute(sql)

    execute(f'DROP DATABASE IF EXISTS "{ours}" WITH (FORCE)', f'DROP DATABASE IF EXISTS "{base}" WITH (FORCE)')
    execute(f'CREATE DATABASE "{ours}"')

    def clone():
        execute(f'CREATE DATABASE "{base}" TEMPLATE "{ours}"')

    return (
        urlunsplit(parts._replace(path=f"/{ours}")),
        urlunsplit(parts._replace(path=f"/{base}")),
        clone,
    )


def _benchmark(tmp_path: Path, server: SlapdServer) -> None:
    python = sys.executable
    if DATABASE_URL.startswith(("postgres://", "postgresql://")):
        ours_url, base_url, clone = _postgres_databases(DATABASE_URL)
        engine = "PostgreSQL"
    else:
        ours_db, base_db = tmp_path / "ours.sqlite3", tmp_path / "baseline.sqlite3"
        ours_url, base_url = f"sqlite:///{ours_db}", f"sqlite:///{base_db}"

        def clone():
            shutil.copyfile(ours_db, base_db)

        engine = "SQLite"
    print(f"  database: {engine} (each side on its own copy of the same seeded database)")
    common = {
        **os.environ,
        "DEBUG": "true",
        "SERAMBI_TESTING": "false",
        "SERAMBI_VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),  # keeps extra paths
        "DJANGO_SETTINGS_MODULE": "intranet.settings",
    }
    ours = {
        **common,
        "DATABASE_URL": ours_url,
        "LDAP_SERVER_URIS": server.uri,
        "LDAP_BIND_DN": SERVICE_DN,
        "LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
        "LDAP_BASE_DN": BASE,
        "LDAP_USER_BASE_DN": PEOPLE,
        "LDAP_GROUP_BASE_DN": GROUP_BASE,
        "LDAP_PAGE_SIZE": "1000",
        "LDAP_GROUP_ROLE_MAP": (
            f'[{{"group": "cn=g001,{GROUP_BASE}", "role": "HR_OFFICER", "scope_unit": "U001"}},'
            f' {{"group": "cn=g002,{GROUP_BASE}", "role": "EDITOR"}}]'
        ),
    }
    baseline = {
        **common,
        "DATABASE_URL": base_url,
        "DJANGO_SETTINGS_MODULE": "tests.perf.ldap_bench.baseline_settings",
        "BENCH_LDAP_URI": server.uri,
        "BENCH_LDAP_PEOPLE": PEOPLE,
        "BENCH_LDAP_BIND_DN": SERVICE_DN,
        "BENCH_LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
    }
    manage = [python, "manage.py"]
    run([*manage, "migrate", "-v0"], {**ours, "LDAP_SERVER_URIS": ""}, "migrate (setup)")
    run([python, "-m", "tests.perf.ldap_bench.seed", str(USERS)], {**ours, "LDAP_SERVER_URIS": ""}, "employees (setup)")
    clone()

    results: dict[str, dict[str, float]] = {"first": {}, "no-op": {}, "1% changed": {}}
    cpu: dict[str, dict[str, float]] = {"first": {}, "no-op": {}, "1% changed": {}}
    slapd: dict[str, dict[str, float]] = {"first": {}, "no-op": {}, "1% changed": {}}
    internal: dict[str, str] = {}

    def ours_sync(phase):
        label = f"serambi ldap_sync ({phase})"
        profile = []
        if PROFILE_DIR:
            Path(PROFILE_DIR).mkdir(parents=True, exist_ok=True)
            profile = [
                "-m",
                "cProfile",
                "-o",
                str(Path(PROFILE_DIR) / f"{phase.replace('%', '').replace(' ', '_')}.prof"),
            ]
        seconds, out = run([python, *profile, "manage.py", "ldap_sync"], ours, label)
        results[phase]["serambi"] = seconds
        cpu[phase]["serambi"] = CPU.get(label, float("nan"))
        slapd[phase]["serambi"] = SLAPD_CPU.get(label, float("nan"))
        m = re.search(r"read ([\d.]+)s, total ([\d.]+)s", out)
        internal[phase] = m.group(2) if m else "?"
        if m:
            print(f"    in-process: directory read {m.group(1)}s of {m.group(2)}s")
        summary = re.search(r"(Directory sync|Sinkronisasi direktori): (.*)", out)
        print("    " + (summary.group(2) if summary else out[-400:]))

    def baseline_sync(phase):
        if not WITH_BASELINE or phase not in BASELINE_PHASES:
            return
        label = f"django-python3-ldap ldap_sync_users ({phase})"
        seconds, _out = run([*manage, "ldap_sync_users"], baseline, label)
        results[phase]["baseline"] = seconds
        cpu[phase]["baseline"] = CPU.get(label, float("nan"))
        slapd[phase]["baseline"] = SLAPD_CPU.get(label, float("nan"))

    ours_sync("first")
    baseline_sync("first")
    ours_sync("no-op")
    baseline_sync("no-op")

    changed = max(1, USERS // 100)
    conn = server.admin_connection()
    try:
        for i in range(0, USERS, USERS // changed):
            conn.modify(
                f"uid=u{i:05d},{PEOPLE}",
                {
                    "mail": [("MODIFY_REPLACE", [f"u{i:05d}.baru@kemencontoh.go.id"])],
                    "title": [("MODIFY_REPLACE", ["Analis"])],
                },
            )
    finally:
        conn.unbind()
    print(f"  changed {changed} entries (mail, title)")
    ours_sync("1% changed")
    baseline_sync("1% changed")

    _s, login_out = run(
        [python, "-m", "tests.perf.ldap_bench.login", str(LOGINS), str(USERS), PASSWORD], ours, "login benchmark"
    )
    login_line = next((line for line in login_out.splitlines() if line.startswith("LOGIN")), "LOGIN ?")

    _print_table(results, cpu, slapd, internal, login_line, engine)


def _print_table(results, cpu, slapd, internal, login_line, engine) -> None:
    nan = float("nan")
    print()
    print(f"Directory sync, {USERS} users in {GROUPS} groups, {engine}, {os.cpu_count()} CPUs shared with other work")
    print("wall = elapsed seconds of the manage.py process (start-up included); CPU = its user+system seconds;")
    print(
        "slapd = directory server CPU seconds meanwhile; in-process = the sync's own timer. Ratios: baseline / Serambi."
    )
    print(f"{'':<12}| {'Serambi ldap_sync':^33} | {'django-python3-ldap':^22} | {'ratio':^13} | target")
    print(
        f"{'phase':<12}| {'wall':>7}{'in-proc':>9}{'CPU':>8}{'slapd':>8} | {'wall':>7}{'CPU':>8}{'slapd':>7} |"
        f" {'wall':>6}{'CPU':>7} |"
    )
    targets = {"first": "≤ 60 s, ≥ 5×", "no-op": "≤ 15 s", "1% changed": ""}
    for phase, row in results.items():
        ours_s, base_s = row.get("serambi", nan), row.get("baseline", nan)
        ours_c, base_c = cpu[phase].get("serambi", nan), cpu[phase].get("baseline", nan)
        ours_l, base_l = slapd[phase].get("serambi", nan), slapd[phase].get("baseline", nan)
        print(
            f"{phase:<12}| {ours_s:>7.1f}{internal.get(phase, '?'):>9}{ours_c:>8.1f}{ours_l:>8.1f} |"
            f" {base_s:>7.1f}{base_c:>8.1f}{base_l:>7.1f} | {base_s / ours_s:>5.1f}×{base_c / ours_c:>6.1f}× |"
            f" {targets.get(phase, '')}"
        )
    print(f"login over loopback ({LOGINS} logins, ms): {login_line[6:]}   target p95 ≤ 50 ms")
    loads = ", ".join(f"{label.split(' (')[-1].rstrip(')')}: {value:.1f}" for label, value in LOAD.items())
    print(f"1-minute load average when each run started: {loads}")
