"""Round trip (CSV and XLSX), preview, publish with notifications, supersession, discard, scope of payroll officers."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from hr.payslips import demo, services
from hr.payslips.models import Payslip, PayslipBatch
from intranet.audit.models import AuditEntry
from intranet.notifications.models import Notification
from tests import factories

from .conftest import import_bytes, publish_rows, row_for


@pytest.mark.parametrize("fmt", ["csv", "csv-bom", "xlsx"])
def test_round_trip_preview_then_publish(people, fmt, django_capture_on_commit_callbacks):
    officer = people["officer"].user
    rows = [row_for(people[k]) for k in ("a", "b", "c")]
    if fmt == "xlsx":
        data, name = demo.xlsx_bytes(rows), "payroll.xlsx"
    else:
        data, name = demo.csv_bytes(rows, bom=fmt == "csv-bom"), "payroll.csv"
    batch = import_bytes(officer, data, name=name)
    assert batch.status == PayslipBatch.Status.READY, batch.errors
    # preview: row count, totals per component, in-scope employee missing from the file (the officer themself)
    assert batch.row_count == 3
    assert batch.period == dt.date(2026, 1, 1)
    assert Decimal(batch.totals["gaji_pokok"]) == sum(r["gaji_pokok"] for r in rows)
    assert batch.net == sum(r["net"] for r in rows)
    assert [m["nip"] for m in batch.missing] == [people["officer"].nip]
    # drafts are invisible to employees
    assert Payslip.objects.filter(batch=batch, status=Payslip.Status.DRAFT).count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_publish(batch_id=batch.pk, user=officer)
    slip = Payslip.objects.get(batch=batch, employee=people["b"])
    assert slip.status == Payslip.Status.PUBLISHED
    assert slip.net == rows[1]["net"]
    assert slip.components["gaji_pokok"] == str(rows[1]["gaji_pokok"])
    assert slip.nip == people["b"].nip
    # every employee notified in-app and by e-mail, without attachment
    assert Notification.objects.filter(kind="payslip.published").count() == 3
    batch.refresh_from_db()
    assert batch.notified_count == 3
    assert mail.outbox and all(not m.attachments for m in mail.outbox)
    assert AuditEntry.objects.filter(action="payslip.batch.publish", object_id=str(batch.pk)).exists()


def test_notify_is_idempotent(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify_batch(batch_id=published.pk)
        services.notify_batch(batch_id=published.pk)
    published.refresh_from_db()
    assert published.notified_count == 3
    assert Notification.objects.filter(kind="payslip.published").count() == 3


def test_replacement_supersedes_and_keeps_old(published, people):
    officer = people["officer"].user
    old = Payslip.objects.get(batch=published, employee=people["a"])
    old_net, old_components = old.net, dict(old.components)
    fix = publish_rows(officer, [row_for(people["a"], seed=77)], reason="Koreksi tunjangan kinerja")
    old.refresh_from_db()
    assert old.status == Payslip.Status.SUPERSEDED
    assert old.superseded_by_batch_id == fix.pk
    assert old.net == old_net and old.components == old_components  # content never edited
    new = Payslip.objects.get(batch=fix)
    assert new.status == Payslip.Status.PUBLISHED
    assert Payslip.objects.filter(employee=people["a"], period=old.period).count() == 2
    assert Payslip.objects.filter(employee=people["a"], period=old.period, status="published").count() == 1
    # others untouched
    assert Payslip.objects.filter(batch=published, status="published").count() == 2
    fix.refresh_from_db()
    assert fix.replaces_count == 1


def test_publish_rechecks_concurrent_publication(people):
    officer = people["officer"].user
    first = import_bytes(officer, demo.csv_bytes([row_for(people["a"])]))
    second = import_bytes(officer, demo.csv_bytes([row_for(people["a"], seed=5)]))
    services.batch_publish(batch_id=first.pk, user=officer)
    with pytest.raises(services.PayslipError):
        services.batch_publish(batch_id=second.pk, user=officer)
    second.refresh_from_db()
    assert second.status == PayslipBatch.Status.READY
    assert Payslip.objects.filter(status="published").count() == 1


def test_discard_unpublished_batch(people):
    officer = people["officer"].user
    batch = import_bytes(officer, demo.csv_bytes([row_for(people["a"])]))
    services.batch_discard(batch_id=batch.pk, user=officer)
    batch.refresh_from_db()
    assert batch.status == PayslipBatch.Status.DISCARDED
    assert not Payslip.objects.filter(batch=batch).exists()
    with pytest.raises(services.PayslipError):
        services.batch_publish(batch_id=batch.pk, user=officer)


def test_published_batch_cannot_be_discarded(published, people):
    with pytest.raises(services.PayslipError):
        services.batch_discard(batch_id=published.pk, user=people["officer"].user)
    assert Payslip.objects.filter(batch=published).count() == 3


def test_upload_needs_payroll_scope(people, org):
    hr = factories.EmployeeFactory(unit=org["DIR1"])
    factories.give_scope(hr.user, org["DIR1"], "hr")  # HR officer, not payroll
    from django.core.files.base import ContentFile

    with pytest.raises(services.PayslipError):
        services.batch_upload(user=hr.user, uploaded_file=ContentFile(b"x", name="a.csv"), run_async=False)
    with pytest.raises(services.PayslipError):
        services.batch_upload(user=people["officer"].user, uploaded_file=ContentFile(b"x", name="a.pdf"))


def test_publish_refused_for_officer_of_another_scope(people, org):
    officer = people["officer"].user
    batch = import_bytes(officer, demo.csv_bytes([row_for(people["a"])]))
    other = factories.EmployeeFactory(unit=org["DIR2"])
    factories.give_scope(other.user, org["DIR2"], "payroll")
    with pytest.raises(services.PayslipError):
        services.batch_publish(batch_id=batch.pk, user=other.user)


def test_failed_validation_is_marked_failed(people, monkeypatch):
    from hr.payslips import importing

    def boom(*a, **k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importing, "parse_rows", boom)
    with pytest.raises(RuntimeError):
        import_bytes(people["officer"].user, demo.csv_bytes([row_for(people["a"])]))
    batch = PayslipBatch.objects.get()
    assert batch.status == PayslipBatch.Status.FAILED


def test_sweep_requeues_stalled_batches(people, settings):
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from hr.payslips.tasks import sweep_stalled

    officer = people["officer"].user
    pending = services.batch_upload(
        user=officer, uploaded_file=ContentFile(demo.csv_bytes([row_for(people["a"])]), name="a.csv"), run_async=False
    )
    stuck = services.batch_upload(
        user=officer, uploaded_file=ContentFile(demo.csv_bytes([row_for(people["b"])]), name="b.csv"), run_async=False
    )
    old = timezone.now() - dt.timedelta(hours=1)
    PayslipBatch.objects.filter(pk=pending.pk).update(created_at=old)
    PayslipBatch.objects.filter(pk=stuck.pk).update(created_at=old, status="validating", heartbeat_at=old, attempts=1)
    assert sweep_stalled() == 2  # eager Celery in tests: validation runs inline
    assert set(PayslipBatch.objects.values_list("status", flat=True)) == {"ready"}
    assert PayslipBatch.objects.get(pk=stuck.pk).attempts == 2


def _validating(people, *, silent_for, attempts=1):
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.utils import timezone

    batch = services.batch_upload(
        user=people["officer"].user,
        uploaded_file=ContentFile(demo.csv_bytes([row_for(people["a"])]), name="a.csv"),
        run_async=False,
    )
    stamp = timezone.now() - dt.timedelta(seconds=silent_for)
    PayslipBatch.objects.filter(pk=batch.pk).update(status="validating", heartbeat_at=stamp, attempts=attempts)
    return batch


def test_a_worker_silent_past_the_stall_limit_is_retried_within_minutes_not_the_task_limit(people, settings, client):
    """Detection follows the worker's progress stamps (every 2,000 rows and each phase), not the upload time plus the
    task time limit: a batch whose worker died 2 minutes ago is retried, and its page says so while it runs."""
    from django.urls import reverse

    settings.SERAMBI_PAYSLIP_STALL_SECONDS = 90
    alive = _validating(people, silent_for=10)
    dead = _validating(people, silent_for=120)
    assert services.stalled_batch_ids(pending_after=dt.timedelta(hours=1), silent_after=dt.timedelta(seconds=90)) == [
        str(dead.pk)
    ]
    assert PayslipBatch.objects.get(pk=alive.pk).status == "validating", "a live worker's batch is left alone"
    PayslipBatch.objects.filter(pk=dead.pk).update(status="validating", attempts=2)  # the retry, seen while it runs
    client.force_login(people["officer"].user)
    page = client.get(reverse("payslips:batch", args=[dead.pk])).content.decode()
    assert 'data-testid="batch-retrying"' in page and "2" in page


def test_a_file_that_kills_the_worker_every_time_fails_after_three_runs(people):
    batch = _validating(people, silent_for=600, attempts=3)
    services.stalled_batch_ids(pending_after=dt.timedelta(hours=1), silent_after=dt.timedelta(seconds=90))
    services.batch_validate(batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == "failed" and "3" in batch.errors[0]["message"]
    assert not batch.payslips.exists()


def test_notify_in_slices_resumes_from_cursor(published, people):
    sent, finished = services.notify_batch(batch_id=published.pk, chunk=2, max_chunks=1)
    assert (sent, finished) == (2, False)
    sent, finished = services.notify_batch(batch_id=published.pk, chunk=2, max_chunks=1)
    assert (sent, finished) == (1, False)
    assert services.notify_batch(batch_id=published.pk, chunk=2) == (0, True)
    published.refresh_from_db()
    assert published.notified_count == 3 and published.notified_at is not None
    assert Notification.objects.filter(kind="payslip.published").count() == 3


def test_sweep_resumes_unfinished_notifications(published):
    import datetime as dt

    from django.utils import timezone

    from hr.payslips.tasks import sweep_stalled

    PayslipBatch.objects.filter(pk=published.pk).update(published_at=timezone.now() - dt.timedelta(hours=1))
    assert sweep_stalled() == 1
    published.refresh_from_db()
    assert published.notified_at is not None and published.notified_count == 3


def test_copy_columns_cover_every_payslip_column():
    """The PostgreSQL COPY path names every concrete column of Payslip, in any order."""
    columns = {f.column for f in Payslip._meta.concrete_fields}
    assert set(services.COPY_COLUMNS) == columns
