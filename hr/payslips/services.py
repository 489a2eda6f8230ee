"""Every write about payslips: upload, validate, publish (with supersession), discard, notify, render the PDF.

Performance: validation reads the employees of the importer's scope in one query, looks up unknown NIPs in chunks,
and stores the batch's payslips with bulk_create; publishing is two UPDATE statements. No per-row queries, so 50,000
rows validate and publish well inside a minute.
"""

import datetime as dt
import json
import logging
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from hr.org.duties import refused_own_record
from hr.org.models import Employee, HRScope
from hr.org.selectors import employees_in_scope, scope_q, scope_units
from intranet.audit.services import audit_record
from intranet.core.background import enqueue
from intranet.core.bulk import chunks
from intranet.core.private_files import private_storage
from intranet.notifications.services import notify

from . import importing
from .models import Component, Payslip, PayslipBatch

logger = logging.getLogger(__name__)
PAYROLL = HRScope.Kind.PAYROLL
MAX_MISSING_KEPT = 500
LOOKUP_CHUNK = 900  # below SQLite's bound-parameter limit on old builds


class PayslipError(ValidationError):
    """A domain error with a translated message for the user."""


ProgressCallback = Callable[[str, int, int], None]


def catalogue() -> dict[str, Component]:
    """All components (active or not) in display order."""
    return {c.code: c for c in Component.objects.order_by("order", "code")}


# --- Upload -----------------------------------------------------------------------------------------------------------


def batch_upload(*, user, uploaded_file, reason: str = "", run_async: bool = True) -> PayslipBatch:
    """Store the uploaded file privately and queue its validation. Nothing is imported until it is published."""
    if not scope_units(user, PAYROLL):
        raise PayslipError(_("You have no payroll scope, so you cannot import payslips."))
    source_name = os.path.basename(getattr(uploaded_file, "name", "") or "upload")[:255]
    ext = source_name.rsplit(".", 1)[-1].lower() if "." in source_name else ""
    if ext not in ("csv", "xlsx"):
        raise PayslipError(_("Upload a .csv or .xlsx file."))
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > settings.SERAMBI_PAYSLIP_MAX_UPLOAD_MB * 1024 * 1024:
        raise PayslipError(
            _("The file is larger than %(mb)s MB; split it by unit.") % {"mb": settings.SERAMBI_PAYSLIP_MAX_UPLOAD_MB}
        )
    batch_id = uuid.uuid4()
    now = timezone.now()
    with transaction.atomic():
        name = private_storage().save(f"payroll-imports/{now:%Y/%m}/{batch_id}.{ext}", uploaded_file)
        batch = PayslipBatch.objects.create(
            id=batch_id,
            created_by=user,
            source_name=source_name,
            file_name=name,
            file_format=ext,
            reason=(reason or "").strip()[:2000],
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        audit_record(
            action="payslip.batch.upload",
            actor=user,
            obj=batch,
            details={"file": source_name, "format": ext, "reason": batch.reason},
        )
        if run_async:
            from .tasks import validate_batch

            enqueue(validate_batch, str(batch.pk))
    return batch


# --- Validate ---------------------------------------------------------------------------------------------------------


MAX_VALIDATION_ATTEMPTS = 3  # a file that kills the worker every time is failed, not retried for ever


def _set_progress(batch_id, phase: str, done: int, total: int) -> None:
    PayslipBatch.objects.filter(pk=batch_id).update(
        phase=phase, progress_done=done, progress_total=total, heartbeat_at=timezone.now()
    )


def batch_validate(*, batch_id, progress: ProgressCallback | None = None, today: dt.date | None = None) -> PayslipBatch:
    """Check the whole file; on any problem mark the batch invalid and store nothing else. Idempotent: only a pending
    batch is validated."""
    with transaction.atomic():
        batch = PayslipBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != PayslipBatch.Status.PENDING:
            return batch
        if batch.attempts >= MAX_VALIDATION_ATTEMPTS:
            return _mark_failed(
                batch,
                _("Checking the file was interrupted %(n)s times; upload it again or ask the administrator.")
                % {"n": batch.attempts},
            )
        batch.status, batch.heartbeat_at, batch.attempts = (
            PayslipBatch.Status.VALIDATING,
            timezone.now(),
            batch.attempts + 1,
        )
        batch.save(update_fields=["status", "heartbeat_at", "attempts"])
    try:
        with translation.override(batch.language or settings.LANGUAGE_CODE):
            return _validate(batch, progress=progress, today=today or timezone.localdate())
    except Exception:
        logger.exception("payslip batch %s failed during validation", batch_id)
        _mark_failed(batch, _("Unexpected error while checking the file."))
        raise


def _mark_failed(batch: PayslipBatch, message: str) -> PayslipBatch:
    batch.status, batch.error_count = PayslipBatch.Status.FAILED, 1
    batch.errors = [{"row": None, "column": "", "message": message, "hint": ""}]
    PayslipBatch.objects.filter(pk=batch.pk).update(status=batch.status, errors=batch.errors, error_count=1)
    return batch


def _read_rows(batch: PayslipBatch, comps: dict, today: dt.date, report) -> importing.ParsedFile:
    """The stored file's rows, each checked on its own; says which worksheet was read whatever the verdict."""
    with private_storage().open(batch.file_name, "rb") as fh:
        data = fh.read()
    header, rows, estimate, sheet, sheet_count = importing.read_table(data, batch.file_format)
    if sheet_count:  # only the first worksheet is read
        batch.sheet_name, batch.sheet_count = sheet, sheet_count
        PayslipBatch.objects.filter(pk=batch.pk).update(sheet_name=sheet, sheet_count=sheet_count)
    report("reading", 0, estimate)
    return importing.parse_rows(
        header, rows, components=comps, today=today, progress=lambda n: report("reading", n, estimate)
    )


def _validate(batch: PayslipBatch, *, progress, today: dt.date) -> PayslipBatch:
    def report(phase, done, total):
        _set_progress(batch.pk, phase, done, total)
        if progress:
            progress(phase, done, total)

    comps = catalogue()
    try:
        parsed = _read_rows(batch, comps, today, report)
    except importing.FileUnreadable as exc:  # unreadable, or found part-way (a bad row, a limit)
        return _mark_invalid(batch, [exc.problem], 1)
    if parsed.problem_count == 0 or parsed.rows:
        report("checking", 0, len(parsed.rows))
        user = batch.created_by
        refs = _employee_refs(user)
        file_nips = [r.nip for r in parsed.rows]
        importing.check_employees(parsed, in_scope=refs)
        _refuse_own_rows(parsed, refs, user, batch)
    if parsed.problem_count:
        return _mark_invalid(batch, parsed.problems, parsed.problem_count)

    period = parsed.period
    file_set = set(file_nips)
    already = set(
        Payslip.objects.filter(period=period, status=Payslip.Status.PUBLISHED)
        .filter(scope_q(user, PAYROLL, prefix="employee__unit__"))
        .values_list("employee_id", flat=True)
    )
    replaces = [r for r in parsed.rows if refs[r.nip].pk in already]
    if replaces and not batch.reason:
        listed = ", ".join(str(r.row) for r in replaces[:10]) + (" …" if len(replaces) > 10 else "")
        problem = importing.Problem(
            None,
            "nip",
            _("%(n)s employees already have a published payslip for %(p)s (rows %(rows)s).")
            % {"n": len(replaces), "p": period.strftime("%Y-%m"), "rows": listed},
            _("To replace them, upload the file again and state the reason for the correction."),
        )
        return _mark_invalid(batch, [problem], 1)
    missing = [
        {"nip": ref.nip, "name": ref.full_name}
        for ref in sorted(refs.values(), key=lambda r: r.sort_name)
        if ref.active and ref.nip not in file_set
    ]
    totals: dict[str, Decimal] = {code: Decimal(0) for code in comps}
    gross = deductions = net = Decimal(0)
    objs = []
    for r in parsed.rows:
        ref = refs[r.nip]
        for code, value in r.amounts.items():
            totals[code] += value
        gross += r.gross
        deductions += r.deductions
        net += r.net
        objs.append(
            DraftRow(
                employee_id=ref.pk,
                row_number=r.row,
                nip=ref.nip,
                name=ref.full_name,
                unit_name=ref.unit_name,
                position_name=ref.position_name,
                grade=ref.grade,
                components={code: str(v) for code, v in r.amounts.items()},
                particulars=r.particulars,
                gross=r.gross,
                deductions=r.deductions,
                net=r.net,
            )
        )
    report("saving", 0, len(objs))
    with transaction.atomic():
        locked = PayslipBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != PayslipBatch.Status.VALIDATING:  # discarded meanwhile
            return locked
        insert_drafts(batch_id=batch.pk, period=period, rows=objs)
        locked.status = PayslipBatch.Status.READY
        locked.period = period
        locked.row_count = len(objs)
        locked.totals = {code: str(v) for code, v in totals.items() if v or comps[code].active}
        locked.gross, locked.deductions, locked.net = gross, deductions, net
        locked.missing = missing[:MAX_MISSING_KEPT]
        locked.missing_count = len(missing)
        locked.replaces_count = len(replaces)
        locked.errors, locked.error_count = [], 0
        locked.phase, locked.progress_done, locked.progress_total = "done", len(objs), len(objs)
        locked.save()
    if progress:
        progress("saving", len(objs), len(objs))
    return locked


def _refuse_own_rows(parsed: importing.ParsedFile, refs: dict, user, batch: PayslipBatch) -> None:
    """The importer's own payslip is a problem row (another payroll officer imports it), audited once per batch."""
    own = [r for r in parsed.rows if r.nip in refs and refs[r.nip].user_id == user.pk]
    for r in own:
        parsed.add(
            importing.Problem(
                r.row,
                "nip",
                _("Row %(row)s is your own payslip.") % {"row": r.row},
                _("Remove the row; another payroll officer imports it."),
            )
        )
    if own:
        refused_own_record(user, refs[own[0].nip].pk, act="payslip.import", obj=batch)


@dataclass
class DraftRow:
    employee_id: int
    row_number: int
    nip: str
    name: str
    unit_name: str
    position_name: str
    grade: str
    components: dict
    gross: Decimal
    deductions: Decimal
    net: Decimal
    particulars: dict = field(default_factory=dict)


# Every concrete column of Payslip, in COPY order (a test checks this list against the model).
COPY_COLUMNS = (
    "id",
    "batch_id",
    "employee_id",
    "period",
    "status",
    "row_number",
    "nip",
    "name",
    "unit_name",
    "position_name",
    "grade",
    "components",
    "particulars",
    "gross",
    "deductions",
    "net",
    "published_at",
    "superseded_by_batch_id",
)


def insert_drafts(
    *, batch_id, period: dt.date, rows: list[DraftRow], status: str = Payslip.Status.DRAFT, published_at=None
) -> None:
    """Store a batch's draft payslips (or, for demo data, published ones). PostgreSQL: one COPY stream (no
    per-object ORM overhead, which is otherwise the bulk of a 50,000-row import); other databases: bulk_create."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(Payslip._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in COPY_COLUMNS)
        draft = str(status)
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608 - fixed names
                for r in rows:
                    copy.write_row(
                        (
                            uuid.uuid4(),
                            batch_id,
                            r.employee_id,
                            period,
                            draft,
                            r.row_number,
                            r.nip,
                            r.name,
                            r.unit_name,
                            r.position_name,
                            r.grade,
                            json.dumps(r.components),
                            json.dumps(r.particulars),
                            r.gross,
                            r.deductions,
                            r.net,
                            published_at,
                            None,
                        )
                    )
        return
    Payslip.objects.bulk_create(
        [
            Payslip(batch_id=batch_id, period=period, status=status, published_at=published_at, **r.__dict__)
            for r in rows
        ],
        batch_size=2000,
    )


def _mark_invalid(batch: PayslipBatch, problems, count: int) -> PayslipBatch:
    with transaction.atomic():
        locked = PayslipBatch.objects.select_for_update().get(pk=batch.pk)
        locked.status = PayslipBatch.Status.INVALID
        locked.errors = [p.as_dict() for p in problems]
        locked.error_count = count
        locked.phase = "done"
        locked.save(update_fields=["status", "errors", "error_count", "phase"])
    return locked


def _employee_refs(user) -> dict[str, importing.EmployeeRef]:
    """The importer's payroll scope as {nip: EmployeeRef}, one query."""
    refs = {}
    rows = employees_in_scope(user, PAYROLL).values_list(
        "pk",
        "nip",
        "sort_name",
        "name",
        "front_title",
        "back_title",
        "unit__name_id",
        "position__name_id",
        "employment_type",
        "golongan",
        "pppk_grade",
        "user_id",
        "active",
    )
    for pk, nip, sort_name, name, front, back, unit_name, pos_name, etype, gol, pppk, user_id, active in rows:
        full = f"{front} {name}".strip()
        if back:
            full = f"{full}, {back}"
        ref = importing.EmployeeRef(
            pk=pk,
            nip=nip,
            sort_name=sort_name,
            full_name=full,
            unit_name=unit_name or "",
            position_name=pos_name or "",
            grade=(pppk if etype == Employee.EmploymentType.PPPK else gol) or "",
            user_id=user_id,
            active=active,
        )
        refs[nip] = ref
    return refs


def _in_chunk() -> int:
    return 900 if connection.vendor == "sqlite" else 10000


# --- Publish, discard, notify -----------------------------------------------------------------------------------------


def batch_publish(*, batch_id, user, send_notifications: bool = True) -> PayslipBatch:
    """Publish a checked batch: earlier published payslips of the same employees and period become superseded (never
    edited otherwise), the drafts become published, and employees are notified after commit. A batch holding the
    publisher's own payslip is refused (and the attempt audited): another payroll officer publishes it."""
    own = Payslip.objects.filter(batch_id=batch_id, employee__user_id=getattr(user, "pk", None)).first()
    if own is not None and refused_own_record(user, own.employee_id, act="payslip.publish", obj=own.batch):
        raise PayslipError(_("This batch holds your own payslip; another payroll officer must publish it."))
    with transaction.atomic():
        batch = PayslipBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status != PayslipBatch.Status.READY:
            raise PayslipError(
                _("Only a checked batch can be published (this one is: %(s)s).") % {"s": batch.get_status_display()}
            )
        q = scope_q(user, PAYROLL, prefix="employee__unit__")
        if q is None or batch.payslips.exclude(q).exists():
            raise PayslipError(_("The batch contains employees outside your payroll scope."))
        # Explicit id lists in chunks, not an IN (subquery): right after a bulk insert the planner's statistics are
        # stale and may pick a quadratic plan; indexed IN lists stay linear on every backend.
        employee_ids = list(batch.payslips.values_list("employee_id", flat=True))
        old_ids = []
        for chunk in chunks(employee_ids, _in_chunk()):
            old_ids += (
                Payslip.objects.select_for_update()
                .filter(period=batch.period, status=Payslip.Status.PUBLISHED, employee_id__in=chunk)
                .values_list("pk", flat=True)
            )
        if old_ids and not batch.reason:
            raise PayslipError(
                _(
                    "%(n)s of these employees received a published payslip for this period after the file was checked. "
                    "Upload the file again with a reason for the correction."
                )
                % {"n": len(old_ids)}
            )
        now = timezone.now()
        try:
            with transaction.atomic():
                for chunk in chunks(old_ids, _in_chunk()):
                    Payslip.objects.filter(pk__in=chunk).update(
                        status=Payslip.Status.SUPERSEDED, superseded_by_batch=batch
                    )
                published = batch.payslips.filter(status=Payslip.Status.DRAFT).update(
                    status=Payslip.Status.PUBLISHED, published_at=now
                )
        except IntegrityError:
            raise PayslipError(
                _("Another batch for the same employees and period was published at the same time. Check it first.")
            ) from None
        batch.status = PayslipBatch.Status.PUBLISHED
        batch.published_at, batch.published_by = now, user
        if not send_notifications:
            batch.notified_at = now  # nobody is to be notified (demo data)
        batch.save(update_fields=["status", "published_at", "published_by", "notified_at"])
        audit_record(
            action="payslip.batch.publish",
            actor=user,
            obj=batch,
            details={
                "period": batch.period.strftime("%Y-%m"),
                "payslips": published,
                "superseded": len(old_ids),
                "reason": batch.reason,
            },
        )
        if send_notifications:  # (demo history: issued on first download instead)
            from .documents import issue_for_batch  # documents and tasks import the services
            from .tasks import notify_batch

            issue_for_batch(batch)

            enqueue(notify_batch, str(batch.pk))
    return batch


def batch_discard(*, batch_id, user) -> PayslipBatch:
    """Throw away an unpublished batch: its draft payslips are deleted (no employee ever saw them)."""
    with transaction.atomic():
        batch = PayslipBatch.objects.select_for_update().get(pk=batch_id)
        if batch.status not in (
            PayslipBatch.Status.PENDING,
            PayslipBatch.Status.READY,
            PayslipBatch.Status.INVALID,
            PayslipBatch.Status.FAILED,
        ):
            raise PayslipError(_("A %(s)s batch cannot be discarded.") % {"s": batch.get_status_display()})
        deleted, _detail = batch.payslips.filter(status=Payslip.Status.DRAFT).delete()
        batch.status = PayslipBatch.Status.DISCARDED
        batch.discarded_at, batch.discarded_by = timezone.now(), user
        batch.save(update_fields=["status", "discarded_at", "discarded_by"])
        audit_record(action="payslip.batch.discard", actor=user, obj=batch, details={"drafts_deleted": deleted})
    return batch


def notify_batch(*, batch_id, chunk: int = 500, max_chunks: int | None = None) -> tuple[int, bool]:
    """Tell each employee of a published batch that their payslip is ready (in-app + e-mail, no attachment).
    Idempotent and resumable: a cursor on the batch records how far it got; each chunk commits with its cursor.
    Returns (notified now, finished). With `max_chunks` it stops early so that a task stays within its time limit."""
    sent = 0
    chunks = 0
    while max_chunks is None or chunks < max_chunks:
        chunks += 1
        with transaction.atomic():
            batch = PayslipBatch.objects.select_for_update().get(pk=batch_id)
            if batch.status != PayslipBatch.Status.PUBLISHED or batch.notified_at is not None:
                return sent, True
            rows = list(
                batch.payslips.filter(employee_id__gt=batch.notify_cursor, employee__user__isnull=False)
                .exclude(status=Payslip.Status.DRAFT)
                .select_related("employee__user")
                .order_by("employee_id")
                .only("id", "period", "employee_id", "employee__user")[:chunk]
            )
            if not rows:
                batch.notified_at = timezone.now()
                batch.save(update_fields=["notified_at"])
                return sent, True
            with translation.override(settings.LANGUAGE_CODE):
                for slip in rows:
                    period = date_format(slip.period, "F Y")
                    notify(
                        slip.employee.user,
                        "payslip.published",
                        _("Your payslip for %(period)s is available") % {"period": period},
                        body=_("Your payslip for %(period)s has been published. Open Serambi to view or download it.")
                        % {"period": period},
                        url=reverse("payslips:detail", args=[slip.pk]),
                    )
            batch.notify_cursor = rows[-1].employee_id
            batch.notified_count += len(rows)
            batch.save(update_fields=["notify_cursor", "notified_count"])
            sent += len(rows)
    return sent, False


# --- PDF --------------------------------------------------------------------------------------------------------------


def pdf_password(payslip: Payslip) -> str:
    """The password for the PDF per settings.SERAMBI_PAYSLIP_PDF_PASSWORD: '' (none), 'birth_date' (DDMMYYYY) or
    'nip'."""
    mode = settings.SERAMBI_PAYSLIP_PDF_PASSWORD
    if mode == "birth_date":
        return payslip.employee.birth_date.strftime("%d%m%Y")
    if mode == "nip":
        return payslip.nip
    return ""


def payslip_lines(payslip: Payslip, comps: dict[str, Component] | None = None, *, with_zeros: bool = False) -> dict:
    """Earnings and deductions in catalogue order as [(component, Decimal)]: the slip's own components, and with
    `with_zeros` every active component of the catalogue too, at zero (as the treasury's printed slip lists them)."""
    comps = comps if comps is not None else catalogue()
    earnings, deductions = [], []
    for code, comp in comps.items():
        if code in payslip.components:
            value = Decimal(payslip.components[code])
        elif with_zeros and comp.active:
            value = Decimal(0)
        else:
            continue
        (earnings if comp.kind == Component.Kind.EARNING else deductions).append((comp, value))
    return {"earnings": earnings, "deductions": deductions}


def payslip_pdf(*, payslip: Payslip) -> str:
    """The storage name of the payslip's signed PDF (`documents`: an issued document with a verification code)."""
    from .documents import payslip_pdf as issued_pdf  # documents imports the services

    return issued_pdf(payslip=payslip)


# --- Component catalogue ----------------------------------------------------------------------------------------------


def component_save(*, user, component: Component, changed: list[str] | None = None) -> Component:
    """Create or update a catalogue entry (from a validated form instance) and audit it."""
    created = component.pk is None
    with transaction.atomic():
        if not created:
            current = Component.objects.select_for_update().get(pk=component.pk)
            if current.code != component.code or current.kind != component.kind:
                raise PayslipError(_("The code and kind of a component cannot change once created."))
        component.save()
        audit_record(
            action="payslip.component.create" if created else "payslip.component.update",
            actor=user,
            obj=component,
            details={"code": component.code, "changed": changed or []},
        )
    return component


def stalled_batch_ids(*, pending_after: dt.timedelta, silent_after: dt.timedelta) -> list[str]:
    """Batches whose validation never started (broker was down) or whose worker died mid-way: 'validating' with no
    progress stamp for `silent_after` (a live worker stamps one at least every 2,000 rows and at each phase). A stalled
    batch is reset to pending so that the idempotent validation runs again from the stored file."""
    now = timezone.now()
    with transaction.atomic():
        stuck = list(
            PayslipBatch.objects.select_for_update()
            .filter(status=PayslipBatch.Status.VALIDATING)
            .filter(
                Q(heartbeat_at__lt=now - silent_after) | Q(heartbeat_at__isnull=True, created_at__lt=now - silent_after)
            )
            .values_list("pk", flat=True)
        )
        if stuck:
            PayslipBatch.objects.filter(pk__in=stuck).update(status=PayslipBatch.Status.PENDING, phase="")
    pending = PayslipBatch.objects.filter(status=PayslipBatch.Status.PENDING, created_at__lt=now - pending_after)
    never_started = [pk for pk in pending.values_list("pk", flat=True)[:50] if pk not in stuck]
    return [str(pk) for pk in [*stuck, *never_started]]


def unnotified_batch_ids(*, after: dt.timedelta) -> list[str]:
    """Published batches whose notifications did not finish (broker down, worker lost); the task resumes them."""
    qs = PayslipBatch.objects.filter(
        status=PayslipBatch.Status.PUBLISHED, notified_at__isnull=True, published_at__lt=timezone.now() - after
    )
    return [str(pk) for pk in qs.values_list("pk", flat=True)[:50]]
