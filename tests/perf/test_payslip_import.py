"""Benchmarks: a 50,000-row payroll file validated and published (target ≤ 60 s), and payslip PDF rendering
(target p95 ≤ 300 ms per payslip).

Run: `make bench` or
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/serambi_payslips .venv/bin/pytest tests/perf/test_payslip_import.py \
      -s -o addopts= -p no:cacheprovider
PAYSLIP_BENCH_ROWS overrides the size (default 50000); PAYSLIP_BENCH_PDFS the number of PDFs (default 40)."""

import datetime as dt
import os
import random
import statistics
import time

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection

from hr.org.models import Employee, HRScope, OrgUnit
from hr.payslips import demo, services
from hr.payslips.models import Payslip, PayslipBatch
from intranet.accounts.models import User
from intranet.accounts.roles import Role
from intranet.notifications.models import Notification

N = int(os.environ.get("PAYSLIP_BENCH_ROWS", "50000"))
PDFS = int(os.environ.get("PAYSLIP_BENCH_PDFS", "40"))
TARGET_SECONDS = 60.0
PDF_TARGET_MS = 300.0


def _population(n: int):
    root = OrgUnit.add_root(code="BENCH", name_id="Kementerian Bench", level=0)
    users = User.objects.bulk_create(
        [User(username=f"b{i}", email=f"b{i}@example.go.id", password="!") for i in range(n + 1)], batch_size=5000
    )
    base = dt.date(1970, 1, 1)
    Employee.objects.bulk_create(
        [
            Employee(
                user=users[i],
                nip=f"{base + dt.timedelta(days=i // 999):%Y%m%d}200001{1 + i % 2}{i % 999 + 1:03d}",
                name=f"Pegawai Bench {i}",
                sort_name=f"pegawai bench {i}",
                gender="MF"[i % 2],
                birth_date=base + dt.timedelta(days=i // 999),
                employment_type="PNS",
                golongan="III/a",
                unit=root,
                tmt_cpns=dt.date(2000, 1, 1),
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    officer = users[n]
    officer.groups.add(Group.objects.get(name=Role.PAYROLL_OFFICER.value))
    HRScope.objects.create(user=officer, unit=root, kind=HRScope.Kind.PAYROLL)
    return officer


def _rows(period: str) -> list[dict]:
    rng = random.Random(2026)
    return [
        {"period": period, "nip": nip, "name": f"Drs. {name.upper()}, M.Si.", **demo.amounts(rng, golongan="III/a")}
        for nip, name in Employee.objects.order_by("pk").values_list("nip", "name")
    ]


def _import(officer, data: bytes, name: str, reason: str = ""):
    t0 = time.monotonic()
    batch = services.batch_upload(
        user=officer, uploaded_file=ContentFile(data, name=name), reason=reason, run_async=False
    )
    batch = services.batch_validate(batch_id=batch.pk)
    validated = time.monotonic() - t0
    assert batch.status == PayslipBatch.Status.READY, batch.errors[:5]
    t1 = time.monotonic()
    services.batch_publish(batch_id=batch.pk, user=officer)
    published = time.monotonic() - t1
    return batch, validated, published


@pytest.mark.django_db
def test_import_50k_rows_validated_and_published():
    t0 = time.monotonic()
    officer = _population(N)
    rows = _rows("2026-01")
    data = demo.csv_bytes(rows, bom=True)
    setup = time.monotonic() - t0
    vendor = connection.vendor

    batch, validated, published = _import(officer, data, "bench.csv")
    total = validated + published
    assert Payslip.objects.filter(batch=batch, status="published").count() == N

    # A correction of the same month for everybody: supersedes N payslips in the same publish.
    rows2 = _rows("2026-01")
    batch2, validated2, published2 = _import(officer, demo.csv_bytes(rows2), "fix.csv", reason="bench correction")
    assert Payslip.objects.filter(status="superseded").count() == N

    # A file with one bad cell in the last row: all rows checked, nothing imported.
    rows2[-1]["net"] = demo.net_of({c: rows2[-1][c] for c in demo.CODES})
    rows2[-1]["gaji_pokok"] = "1.5e6"
    t2 = time.monotonic()
    bad = services.batch_upload(
        user=officer, uploaded_file=ContentFile(demo.csv_bytes(rows2), name="bad.csv"), run_async=False
    )
    bad = services.batch_validate(batch_id=bad.pk)
    rejected = time.monotonic() - t2
    assert bad.status == PayslipBatch.Status.INVALID and not bad.payslips.exists()

    # Notifications (in-app + outbox e-mail rows; delivery happens in workers after commit). The task notifies
    # NOTIFY_CHUNKS_PER_TASK × 500 employees per run and re-queues itself; one run is timed and the rate reported.
    from hr.payslips.tasks import NOTIFY_CHUNKS_PER_TASK

    t3 = time.monotonic()
    notified, _finished = services.notify_batch(batch_id=batch.pk, max_chunks=NOTIFY_CHUNKS_PER_TASK)
    notify_s = time.monotonic() - t3
    assert notified == min(N, NOTIFY_CHUNKS_PER_TASK * 500) and Notification.objects.count() == notified

    print(
        f"\n[payslip import] {vendor}: {N} rows (setup {setup:.1f}s)\n"
        f"  first import : validate {validated:.1f}s + publish {published:.1f}s = {total:.1f}s "
        f"({N / total:,.0f} rows/s; target ≤ {TARGET_SECONDS:.0f}s)\n"
        f"  correction   : validate {validated2:.1f}s + publish (supersede {N}) {published2:.1f}s = "
        f"{validated2 + published2:.1f}s\n"
        f"  rejected file (1 bad cell in the last row): {rejected:.1f}s, nothing imported\n"
        f"  notifications: {notified} in {notify_s:.1f}s = {notified / notify_s:,.0f}/s in one task run "
        f"(background, after publishing; all {N} ≈ {N / (notified / notify_s):.0f}s across re-queued runs)"
    )
    assert total <= TARGET_SECONDS
    assert validated2 + published2 <= TARGET_SECONDS


@pytest.mark.django_db
def test_import_xlsx_timing():
    n = min(N, int(os.environ.get("PAYSLIP_BENCH_XLSX_ROWS", str(N))))
    officer = _population(n)
    data = demo.xlsx_bytes(_rows("2026-02"))
    batch, validated, published = _import(officer, data, "bench.xlsx")
    print(
        f"\n[payslip import xlsx] {connection.vendor}: {n} rows: validate {validated:.1f}s + publish {published:.1f}s "
        f"= {validated + published:.1f}s (openpyxl reading dominates; CSV is the fast path for very large files)"
    )
    assert validated + published <= TARGET_SECONDS * 1.5


@pytest.mark.django_db
def test_pdf_render_time(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    from django.core.files.storage import storages

    storages._storages.clear()
    officer = _population(PDFS)
    batch, _v, _p = _import(officer, demo.csv_bytes(_rows("2026-03")), "pdf.csv")
    slips = list(Payslip.objects.filter(batch=batch).select_related("employee", "batch"))
    results = {}
    for mode in ("", "birth_date"):
        settings.SERAMBI_PAYSLIP_PDF_PASSWORD = mode
        times = []
        for slip in slips:
            t = time.monotonic()
            services.payslip_pdf(payslip=slip)
            times.append((time.monotonic() - t) * 1000)
        warm = sorted(times[1:]) or times
        p95 = warm[max(0, int(len(warm) * 0.95) - 1)]
        results[mode or "open"] = (times[0], statistics.median(warm), p95)
        cached = time.monotonic()
        services.payslip_pdf(payslip=slips[0])
        results[(mode or "open") + " cached"] = ((time.monotonic() - cached) * 1000,) * 3
    lines = "\n".join(
        f"  {k:<20} first {a:.0f} ms · median {b:.0f} ms · p95 {c:.0f} ms" for k, (a, b, c) in results.items()
    )
    print(f"\n[payslip pdf] {len(slips)} payslips, WeasyPrint (target p95 ≤ {PDF_TARGET_MS:.0f} ms)\n{lines}")
    storages._storages.clear()
    assert results["open"][2] <= PDF_TARGET_MS * 2  # reported; generous bound for a shared 2-core machine
