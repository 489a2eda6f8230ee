"""The directory-login row of the load benchmark: employees log in through LDAP in production, not with local
passwords, so their login is measured against a real OpenLDAP `slapd` (tests/ldap_server.py) on the same host.

- `prepare.py` picks a pool of bench employees of its own (no prepared session belongs to them, so their logins end
  none) and writes their directory entries from the database (`write_ldif`): same username, NIP and unit.
- `run.py` loads them into a fresh `slapd` (`start`), brings the accounts in line with the directory once
  (`python -m tests.perf.load.directory converge PLAN QUERIES`: the first directory login turns a local account into a
  directory account; later logins find the entry unchanged and write nothing) and counts one login's SQL queries,
  then serves the row from a second gunicorn whose settings point at the directory (`server_env`). The other rows keep
  the first gunicorn, without a directory: with LDAP enabled every local-password login would search the directory
  first.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.ldap_server import BASE, PEOPLE, SERVICE_DN, SERVICE_PASSWORD, Database, SlapdServer, find_slapd

POOL_SIZE = 64  # as many as the largest user level: no two locust users share an account
PASSWORD = "Direktori-Bench-2026"  # noqa: S105 - the bench directory's password for every pool employee


def pick_pool(exclude: set[int]) -> list:
    """Active plain employees with an account (not staff, no privileged role, heading no unit), from the other end
    of the table than the prepared sessions, whose employees are in `exclude`."""
    from hr.org.models import Employee
    from intranet.security.twofactor import is_privileged

    rows = (
        Employee.objects.filter(active=True, user__isnull=False, user__is_staff=False, user__is_superuser=False)
        .exclude(position__headed_unit__isnull=False)
        .exclude(pk__in=exclude)
        .select_related("user", "unit")
        .order_by("-pk")[: POOL_SIZE * 4]
    )
    return [e for e in rows if not is_privileged(e.user)][:POOL_SIZE]


def write_ldif(path: Path, employees: list) -> None:
    """The directory: base entries, the service account and one inetOrgPerson per pool employee, with the values
    the database holds (so that bringing the accounts in line moves no one)."""
    password = subprocess.run(
        ["slappasswd", "-s", PASSWORD, "-h", "{SSHA}"], check=True, capture_output=True, text=True
    ).stdout.strip()
    out = [f"dn: {BASE}\nobjectClass: dcObject\nobjectClass: organization\ndc: serambi\no: Bench\n"]
    out += [f"dn: ou={ou},{BASE}\nobjectClass: organizationalUnit\nou: {ou}\n" for ou in ("people", "groups", "services")]
    out.append(
        f"dn: {SERVICE_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\ncn: serambi\n"
        f"userPassword: {SERVICE_PASSWORD}\n"
    )
    for e in employees:
        user = e.user
        given, _, family = e.name.partition(" ")
        out.append(
            f"dn: uid={user.username},{PEOPLE}\nobjectClass: inetOrgPerson\nuid: {user.username}\ncn: {e.name}\n"
            f"givenName: {user.first_name or given}\nsn: {user.last_name or family or given}\n"
            f"mail: {user.email or f'{user.username}@kemencontoh.go.id'}\nemployeeNumber: {e.nip}\n"
            f"departmentNumber: {e.unit.code}\nuserPassword: {password}\n"
        )
    path.write_text("\n".join(out))


def start(workdir: Path, ldif: Path) -> SlapdServer | None:
    """A fresh slapd holding `ldif`; None when slapd is not installed (the row is then reported as not measured)."""
    if not find_slapd():
        return None
    shutil.rmtree(workdir, ignore_errors=True)  # a previous run's directory
    server = SlapdServer(workdir=workdir, databases=[Database(BASE)])
    server.slapadd(ldif)
    return server.start()


def server_env(server: SlapdServer) -> dict:
    """Settings (environment) that point Serambi at the bench directory, as a deployment's would."""
    return {
        "LDAP_SERVER_URIS": server.uri,
        "LDAP_PRESET": "openldap",
        "LDAP_BIND_DN": SERVICE_DN,
        "LDAP_BIND_PASSWORD": SERVICE_PASSWORD,
        "LDAP_BASE_DN": BASE,
        "LDAP_USER_BASE_DN": PEOPLE,
        "LDAP_GROUP_BASE_DN": f"ou=groups,{BASE}",
    }


def converge(plan_path: str, queries_path: str) -> None:
    """Log each pool employee in once through the directory backend, as their first login would; then count the SQL
    queries of one login through the form, as querycount.py counts the password login's, into `queries_path`."""
    import json
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from intranet.accounts.ldap.backend import DirectoryBackend

    plan = json.loads(Path(plan_path).read_text())
    backend = DirectoryBackend()
    for u in plan["directory_users"]:
        if backend.authenticate(None, username=u["username"], password=plan["directory_password"]) is None:
            raise SystemExit(f"directory login of {u['username']} failed: see the slapd log and the LDAP_* settings")
    print(f"directory accounts in line with the bench directory: {len(plan['directory_users'])}")
    client = Client()
    client.get("/akun/masuk/")
    with CaptureQueriesContext(connection) as ctx:
        t = time.perf_counter()
        r = client.post("/akun/masuk/", {"username": plan["directory_users"][0]["username"],
                                         "password": plan["directory_password"]})
        ms = 1000 * (time.perf_counter() - t)
    if r.status_code != 302:
        raise SystemExit(f"directory login through the form answered {r.status_code}, not a redirect")
    queries = json.loads(Path(queries_path).read_text())
    n = len(ctx.captured_queries)
    queries["directory_login"] = {"url": "/akun/masuk/", "queries": n, "cold": n, "status": 302, "ms": round(ms, 1)}
    Path(queries_path).write_text(json.dumps(queries, indent=1))
    print(f"  directory_login      {queries['directory_login']}")


if __name__ == "__main__":
    import django

    django.setup()
    if sys.argv[1:2] == ["converge"] and len(sys.argv) == 4:
        converge(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(f"usage: {os.path.basename(sys.argv[0])} converge PLAN QUERIES")
