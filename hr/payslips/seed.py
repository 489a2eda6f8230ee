"""Demo payslips: 12 published months for every employee (bulk, one batch per month), then the current month for the
payroll officer's scope imported through the real upload → check → publish path, from a file in the documented format.
Idempotent: does nothing when demo batches exist. 50,000 employees × 12 months = 600,000 payslips in bulk."""

import csv
import datetime as dt
import re
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from hr.org.models import Employee, HRScope, OrgUnit, Position, bare_name_key
from hr.org.nip import parse_nip
from hr.org.selectors import employees_in_scope
from intranet.accounts.models import User

from . import demo, services
from .models import Payslip, PayslipBatch

SEED_PREFIX = "demo-"
# The file the documentation walks a payroll officer through (README: import, preview, publish). Its people are demo
# employees in the payroll officer's scope, and have no payslip for its month, so the walk-through works as written.
EXAMPLE_FILE = Path(__file__).resolve().parent / "examples" / "payroll-example.csv"
_FRONT = re.compile(r"^((?:(?:prof|dr|drs|dra|ir|hj|drg|apt|ns)\.?\s+|h\.\s*)+)", re.IGNORECASE)


def example_file_people() -> list[dict]:
    """The example file's rows as people: NIP, bare name, titles, period."""
    with EXAMPLE_FILE.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    people = []
    for row in rows:
        head, _comma, back = row["name"].partition(",")
        m = _FRONT.match(head.strip())
        front = m.group(1).strip() if m else ""
        people.append(
            {
                "nip": row["nip"],
                "name": head.strip()[len(m.group(1)) if m else 0 :].strip(),
                "front_title": front,
                "back_title": back.strip(),
                "period": dt.date(*map(int, row["period"].split("-")), 1),
            }
        )
    return people


def _example_people(ctx, officer) -> tuple[set[int], dt.date | None]:
    """Add the example file's people to the first section of the payroll officer's scope (idempotent); their ids and
    the file's month, which the bulk history leaves out for them."""
    people = example_file_people()
    scope = HRScope.objects.filter(user=officer, kind=HRScope.Kind.PAYROLL).select_related("unit").first()
    if not people or scope is None:
        return set(), None
    section = OrgUnit.objects.filter(path__startswith=scope.unit.path, level=4).order_by("path").first() or scope.unit
    position = Position.objects.filter(unit=section, kind=Position.Kind.EXECUTOR).first()
    ids = set()
    for p in people:
        parsed = parse_nip(p["nip"])
        employee, _created = Employee.objects.get_or_create(
            nip=p["nip"],
            defaults={
                "name": p["name"],
                "sort_name": bare_name_key(p["name"]),
                "front_title": p["front_title"],
                "back_title": p["back_title"],
                "gender": parsed.gender,
                "birth_date": parsed.birth_date,
                "employment_type": Employee.EmploymentType.PNS,
                "golongan": "III/a",
                "position": position,
                "unit": section,
                "tmt_cpns": parsed.cpns_start,
                "work_email": f"{p['nip']}@kemencontoh.go.id",
            },
        )
        ids.add(employee.pk)
    ctx.count("employees of the payroll example file", len(ids))
    return ids, people[0]["period"]


def _month_back(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.year * 12 + d.month - 1 - n, 12)
    return dt.date(y, m + 1, 1)


def seed(ctx) -> None:
    if PayslipBatch.objects.filter(source_name__startswith=SEED_PREFIX).exists():
        ctx.stdout.write("  payslips already seeded")
        return
    months = ctx.scale.get("payslip_months", 12)
    this_month = timezone.localdate().replace(day=1)
    officer = User.objects.filter(username="gaji").first()
    example_ids, example_period = _example_people(ctx, officer) if officer is not None else (set(), None)
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
                    row_count=len(people) - (len(example_ids) if period == example_period else 0),
                    published_at=now,
                    published_by=officer,
                    notified_at=now,  # history: nobody is told about a year of old payslips, not even by the resume job
                    phase="done",
                )
                objs, totals = [], {}
                for pk, nip, name, front, back_t, unit, pos, kind, eselon, etype, gol, pppk in people:
                    if period == example_period and pk in example_ids:
                        continue  # the documented import publishes these
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
                            particulars=demo.particulars(nip),
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
