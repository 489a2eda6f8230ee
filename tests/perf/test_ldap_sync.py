"""Directory sync benchmark (not in the default run): N users (default 50,000) in 300 groups loaded into a real slapd
with slapadd; times Serambi's `ldap_sync` (first full sync, no-op sync, sync after 1% of entries changed) against
django-python3-ldap's `ldap_sync_users` on the same directory in the same run, then login latency over loopback.

    .venv/bin/pytest tests/perf/test_ldap_sync.py -s -p no:cacheprovider
    SERAMBI_BENCH_USERS=5000 .venv/bin/pytest tests/perf/test_ldap_sync.py -s      # smaller scale

Each side runs as a `manage.py` subprocess on its own copy of one freshly migrated SQLite database (same data, same
process start-up cost), so wall-clock times are comparable. The baseline only syncs user fields; Serambi also links
employees by NIP, places them in units, stores directory attributes and applies the group → role mapping.
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
from pathlib import Path

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
            f.write(
                f"dn: {dn}\nobjectClass: inetOrgPerson\nuid: u{i:05d}\ncn: Pegawai {i}\ngivenName: Pegawai\nsn: Nomor {i}\n"
                f"mail: u{i:05d}@kemencontoh.go.id\nemployeeNumber: {nip_for(i)}\ndepartmentNumber: {unit_code(i)}\n"
                f"title: Pelaksana\ntelephoneNumber: 021-{i:07d}\nuserPassword: {password_hash}\n{member_of}\n"
            )
        for g, members in groups.items():
            f.write(f"dn: cn=g{g:03d},{GROUP_BASE}\nobjectClass: groupOfNames\ncn: g{g:03d}\n")
            f.write("".join(f"member: {m}\n" for m in members))
            f.write("\n")


CPU: dict[str, float] = {}  # label → CPU seconds (user + system) of the subprocess: independent of machine load


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], env: dict, label: str) -> tuple[float, str]:
    cpu0 = _children_cpu()
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
    if proc.returncode != 0:
        raise AssertionError(f"{label} failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    print(f"  {label}: {elapsed:.1f}s wall, {CPU[label]:.1f}s CPU")
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
    try:
        _benchmark(tmp_path, server)
    finally:
        server.stop()


def _benchmark(tmp_path: Path, server: SlapdServer) -> None:
    python = sys.executable
    ours_db, base_db = tmp_path / "ours.sqlite3", tmp_path / "baseline.sqlite3"
    common = {
        **os.environ,
        "DEBUG": "true",
        "SERAMBI_TESTING": "false",
        "SERAMBI_VAR_DIR": str(tmp_path / "var"),
        "LOG_LEVEL": "INFO",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "intranet.settings",
    }
    ours = {
        **common,
        "DATABASE_URL": f"sqlite:///{ours_db}",
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
        "DATABASE_URL": f"sqlite:///{base_db}",
        "DJANGO_SETTINGS_MODULE": "tests.perf.ldap_bench.baseline_settings",
        "BENCH_LDAP_URI": server.uri,
        "BENCH_LDAP_PEOPLE": PEOPLE,
        "BENCH_LDAP_BIND_DN": SERVICE_DN,
        "BENCH_LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
    }
    manage = [python, "manage.py"]
    run([*manage, "migrate", "-v0"], {**ours, "LDAP_SERVER_URIS": ""}, "migrate (setup)")
    run([python, "-m", "tests.perf.ldap_bench.seed", str(USERS)], {**ours, "LDAP_SERVER_URIS": ""}, "employees (setup)")
    shutil.copyfile(ours_db, base_db)

    results: dict[str, dict[str, float]] = {"first": {}, "no-op": {}, "1% changed": {}}
    cpu: dict[str, dict[str, float]] = {"first": {}, "no-op": {}, "1% changed": {}}
    internal: dict[str, str] = {}

    def ours_sync(phase):
        label = f"serambi ldap_sync ({phase})"
        seconds, out = run([*manage, "ldap_sync"], ours, label)
        results[phase]["serambi"] = seconds
        cpu[phase]["serambi"] = CPU.get(label, float("nan"))
        m = re.search(r"total ([\d.]+)s", out)
        internal[phase] = m.group(1) if m else "?"
        summary = re.search(r"(Directory sync|Sinkronisasi direktori): (.*)", out)
        print("    " + (summary.group(2) if summary else out[-400:]))

    def baseline_sync(phase):
        if not WITH_BASELINE:
            return
        label = f"django-python3-ldap ldap_sync_users ({phase})"
        seconds, _out = run([*manage, "ldap_sync_users"], baseline, label)
        results[phase]["baseline"] = seconds
        cpu[phase]["baseline"] = CPU.get(label, float("nan"))

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

    print()
    print(
        f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (wall times depend on it; CPU times less)"
    )
    head = f"{'phase':<12}{'serambi wall':>13}{'in-process':>11}{'CPU':>8}{'baseline wall':>15}{'CPU':>8}{'wall ratio':>11}{'CPU ratio':>10}"
    print(head)
    for phase, row in results.items():
        ours_s, base_s = row.get("serambi", float("nan")), row.get("baseline", float("nan"))
        ours_c, base_c = cpu[phase].get("serambi", float("nan")), cpu[phase].get("baseline", float("nan"))
        print(
            f"{phase:<12}{ours_s:>13.1f}{internal.get(phase, '?'):>11}{ours_c:>8.1f}{base_s:>15.1f}{base_c:>8.1f}"
            f"{base_s / ours_s:>10.1f}×{base_c / ours_c:>9.1f}×"
        )
    print(f"login over loopback ({LOGINS} logins, ms): {login_line[6:]}")
