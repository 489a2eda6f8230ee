"""`python -m tests.perf.ldap_bench.seed N`: org units U001..U050 and N employees whose NIPs match the benchmark
directory (each placed in a different unit than the directory says, so the first sync moves them all)."""

import datetime as dt
import os
import sys

import django


def nip_for(i: int) -> str:
    from hr.org.nip import build_nip

    birth = dt.date(1965, 1, 1) + dt.timedelta(days=i % 9000)
    start = dt.date(1995 + (i % 20), 1 + (i % 12), 1)
    return build_nip(birth_date=birth, cpns_start=start, gender="M" if i % 2 else "F", sequence=1 + i // 9000)


def unit_code(i: int) -> str:
    return f"U{(i % 50) + 1:03d}"


def main(n: int) -> None:
    from hr.org.models import Employee, OrgUnit

    root = OrgUnit.add_root(code="BENCH", name_id="Kementerian Bench", level=0)
    units = {}
    for k in range(1, 51):
        units[f"U{k:03d}"] = root.add_child(code=f"U{k:03d}", name_id=f"Unit {k}", level=1)
        root.refresh_from_db()
    rows = []
    for i in range(n):
        nip = nip_for(i)
        birth = dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
        rows.append(
            Employee(
                nip=nip,
                name=f"Pegawai {i}",
                sort_name=f"pegawai {i}",
                gender="M" if nip[14] == "1" else "F",
                birth_date=birth,
                employment_type="PNS",
                tmt_cpns=dt.date(int(nip[8:12]), int(nip[12:14]), 1),
                unit=units[unit_code(i + 1)],
            )
        )
    Employee.objects.bulk_create(rows, batch_size=5000)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")
    django.setup()
    main(int(sys.argv[1]))
