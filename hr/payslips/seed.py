"""Demo payslips: 12 published months for every employee (bulk, one batch per month), then the current month for the
payroll officer's scope imported through the real upload → check → publish path, from a file in the documented format.
Idempotent: does nothing when demo batches exist. 50,000 employees × 12 months = 600,000 payslips in bulk."""

import datetime as dt

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from hr.org.models import Employee
from hr.org.selectors import employees_in_scope
from intranet.accounts.models import User

from . import demo, services
from .models import Payslip, PayslipBatch

SEED_PREFIX = "demo-"


def _month_back(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 - n, 12)
    return dt.date(y, m + 1, 1)


def seed(ctx) -> None:
    if PayslipBatch.objects.filter(source_name__startswith=SEED_PREFIX).exists():
        ctx.stdout.write("  payslips already seeded")
        return
    months = ctx.scale.get("payslip_months", 12)
    this_month = timezone.localdate().replace(day=1)
    people = list(
        Employee.objects.filter(active=True)
        .order_by("pk")
        .values_list(
            "pk",
            "nip",
            "name",
            "front_title",
            "back_title",
            "unit__name_id",
            "position__name_id",
            "position__kind",
            "position__eselon",
            "employment_type",
            "golongan",
            "pppk_grade",
        )
    )
    officer = User.objects.filter(username="gaji").first()
    now = timezone.now()
    total = 0
    with ctx.progress("payslips (12 months)", len(people) * months) as bar:
        for back in range(months, 0, -1):
            period = _month_back(this_month, back)
            with transaction.atomic():
                batch = PayslipBatch.objects.create(
                    created_by=officer,
                    source_name=f"{SEED_PREFIX}{period:%Y-%m}.csv",
                    file_name="",
                    file_format="csv",
                    status=PayslipBatch.Status.PUBLISHED,
                    period=period,
                    row_count=len(people),
                    published_at=now,
                    published_by=officer,
                    phase="done",
                )
                objs, totals = [], {}
                for pk, nip, name, front, back_t, unit, pos, kind, eselon, etype, gol, pppk in people:
                    values = demo.amounts(
                        ctx.rng, golongan=gol or "III/a", eselon=eselon or "", functional=kind == "functional"
                    )
                    earn = sum(v for c, v in values.items() if c in demo.EARNINGS)
                    ded = sum(v for c, v in values.items() if c not in demo.EARNINGS)
                    for c, v in values.items():
                        totals[c] = totals.get(c, 0) + v
                    full = f"{front} {name}".strip() + (f", {back_t}" if back_t else "")
                    objs.append(
                        services.DraftRow(
                            employee_id=pk,
                            row_number=0,
                            nip=nip,
                            name=full,
                            unit_name=unit or "",
                            position_name=pos or "",
                            grade=(pppk if etype == "PPPK" else gol) or "",
                            components={c: str(v) for c, v in values.items() if v},
                            gross=earn,
                            deductions=ded,
                            net=earn - ded,
                        )
                    )
                    if len(objs) >= 5000:
                        _store(batch, period, objs, now)
                        bar.advance(len(objs))
                        total += len(objs)
                        objs = []
                _store(batch, period, objs, now)
                bar.advance(len(objs))
                total += len(objs)
                batch.totals = {c: str(v) for c, v in totals.items()}
                batch.gross = sum(v for c, v in totals.items() if c in demo.EARNINGS)
                batch.deductions = sum(v for c, v in totals.items() if c not in demo.EARNINGS)
                batch.net = batch.gross - batch.deductions
                batch.save(update_fields=["totals", "gross", "deductions", "net"])
    ctx.count("payslips (bulk months)", total)
    if officer is not None:
        _import_example_month(ctx, officer, this_month)


def _store(batch, period, rows, now) -> None:
    services.insert_drafts(
        batch_id=batch.pk, period=period, rows=rows, status=Payslip.Status.PUBLISHED, published_at=now
    )


def example_rows(rng, employees, period: dt.date) -> list[dict]:
    rows = []
    for e in employees:
        pos = e.position
        rows.append(
            {
                "period": period.strftime("%Y-%m"),
                "nip": e.nip,
                "name": e.full_name,
                **demo.amounts(
                    rng,
                    golongan=e.golongan or "III/a",
                    eselon=pos.eselon if pos else "",
                    functional=bool(pos and pos.kind == "functional"),
                ),
            }
        )
    return rows


def _import_example_month(ctx, officer, period: dt.date) -> None:
    """The current month for the payroll officer's scope, through the same service as the upload page; her own
    payslip is another payroll officer's to import (segregation of duties), so it is left out."""
    employees = list(
        employees_in_scope(officer, "payroll")
        .filter(active=True)
        .exclude(user=officer)
        .select_related("position")
        .order_by("nip")
    )
    if not employees:
        return
    data = demo.csv_bytes(example_rows(ctx.rng, employees, period), bom=True)
    upload = ContentFile(data, name=f"{SEED_PREFIX}payroll-{period:%Y-%m}.csv")
    batch = services.batch_upload(user=officer, uploaded_file=upload, run_async=False)
    batch = services.batch_validate(batch_id=batch.pk)
    if batch.status != PayslipBatch.Status.READY:
        ctx.stdout.write(f"  example batch rejected: {batch.errors[:3]}")
        return
    services.batch_publish(batch_id=batch.pk, user=officer, send_notifications=False)
    ctx.count("payslips (example import, current month)", batch.row_count)
