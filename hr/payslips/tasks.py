"""Celery tasks: thin, idempotent wrappers over services, taking primary keys."""

from celery import shared_task

from . import services


@shared_task(name="payslips.validate_batch")
def validate_batch(batch_id: str) -> str:
    return services.batch_validate(batch_id=batch_id).status


@shared_task(name="payslips.notify_batch")
def notify_batch(batch_id: str) -> int:
    return services.notify_batch(batch_id=batch_id)


@shared_task(name="payslips.sweep_stalled")
def sweep_stalled() -> int:
    """Beat: re-queue batches left pending (broker was down) or stuck validating (worker died)."""
    import datetime as dt

    from django.conf import settings

    ids = services.stalled_batch_ids(
        pending_after=dt.timedelta(minutes=2),
        validating_after=dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60),
    )
    for batch_id in ids:
        validate_batch.delay(batch_id)
    return len(ids)
