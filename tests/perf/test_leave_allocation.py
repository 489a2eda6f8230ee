"""Benchmark: the year-end job (close with carry-over and expiry, then allocation) for 50,000 employees (target ≤ 60 s).

Run: `make bench` or
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/serambi_leave .venv/bin/pytest tests/perf/test_leave_allocation.py \
      -s -o addopts= -p no:cacheprovider
LEAVE_BENCH_EMPLOYEES overrides the size."""

import datetime as dt
import os
import time

import pytest
from django.db import connection

from hr.leave.models import LeaveType, LedgerEntry
from hr.leave.yearend import year_end
from hr.org.models import Employee, OrgUnit

N = int(os.environ.get("LEAVE_BENCH_EMPLOYEES", "50000"))
TARGET_SECONDS = 60.0


@pytest.mark.django_db
def test_yearly_allocation_50k_employees():
    root = OrgUnit.add_root(code="BENCH", name_id="Kementerian Bench", level=0)
    t0 = time.monotonic()
    Employee.objects.bulk_create(
        [
            Employee(
                nip=f"{i:018d}",
                name=f"Pegawai {i}",
                sort_name=f"pegawai {i}",
                gender="MF"[i % 2],
                birth_date=dt.date(1980, 1, 1),
                employment_type="PPPK" if i % 13 == 0 else "PNS",
                unit=root,
                tmt_cpns=dt.date(2005 + i % 20, 1 + i % 12, 1),
            )
            for i in range(N)
        ],
        batch_size=5000,
    )
    annual = LeaveType.objects.get(code="tahunan")
    ids = list(Employee.objects.values_list("pk", flat=True))
    # Last year's history: allocation for all, some usage, so carry-over/expiry have work to do.
    prev = []
    for i, pk in enumerate(ids):
        prev.append(LedgerEntry(employee_id=pk, leave_type=annual, year=2040, kind="allocation", days=12))
        if i % 3:
            prev.append(LedgerEntry(employee_id=pk, leave_type=annual, year=2040, kind="usage", days=-(i % 9)))
    LedgerEntry.objects.bulk_create(prev, batch_size=5000)
    setup = time.monotonic() - t0

    start = time.monotonic()
    summary = year_end(year=2041, today=dt.date(2041, 1, 1))  # close 2040, allocate 2041
    elapsed = time.monotonic() - start
    again_start = time.monotonic()
    again = year_end(year=2041, today=dt.date(2041, 1, 1))
    again_elapsed = time.monotonic() - again_start

    rows = LedgerEntry.objects.filter(year__in=[2040, 2041]).count()
    print(
        f"\n[leave allocation] backend={connection.vendor} employees={N} setup={setup:.1f}s "
        f"allocation={elapsed:.1f}s (target ≤ {TARGET_SECONDS:.0f}s) rerun={again_elapsed:.1f}s "
        f"allocated={summary.allocated} not_eligible={summary.not_eligible} carried={summary.carried_days} "
        f"expired={summary.expired_days} ledger_rows={rows}"
    )
    assert again.allocated == 0 and again.closed == 0
    assert summary.allocated + summary.not_eligible == N
    assert elapsed <= TARGET_SECONDS
