"""Celery tasks: thin, idempotent wrappers over services, taking primary keys."""

import datetime as dt

from celery import shared_task
from django.conf import settings

from . import services

NOTIFY_CHUNKS_PER_TASK = 20  # 20 × 500 employees per task run, well inside the task time limit


@shared_task(name="payslips.validate_batch")
def validate_batch(batch_id: str) -> str:
    return services.batch_validate(batch_id=batch_id).status


@shared_task(name="payslips.notify_batch")
def notify_batch(batch_id: str) -> int:
    """Notify a published batch's employees, a slice per run; re-queues itself until everyone is notified."""
    sent, finished = services.notify_batch(batch_id=batch_id, max_chunks=NOTIFY_CHUNKS_PER_TASK)
    if not finished:
        notify_batch.delay(batch_id)
    return sent


@shared_task(name="payslips.sweep_stalled")
def sweep_stalled() -> int:
    """Beat: re-queue batches left pending (broker was down), stuck validating (worker died), or whose notifications
    did not finish."""
    ids = services.stalled_batch_ids(
        pending_after=dt.timedelta(minutes=2),
        silent_after=dt.timedelta(seconds=settings.SERAMBI_PAYSLIP_STALL_SECONDS),
    )
    for batch_id in ids:
        validate_batch.delay(batch_id)
    unnotified = services.unnotified_batch_ids(after=dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60))
    for batch_id in unnotified:
        notify_batch.delay(batch_id)
    return len(ids) + len(unnotified)
