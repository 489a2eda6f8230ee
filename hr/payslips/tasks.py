"""Celery tasks: thin, idempotent wrappers over services, taking primary keys."""

from celery import shared_task

from . import services


@shared_task(name="payslips.validate_batch")
def validate_batch(batch_id: str) -> str:
    return services.batch_validate(batch_id=batch_id).status


@shared_task(name="payslips.notify_batch")
def notify_batch(batch_id: str) -> int:
    return services.notify_batch(batch_id=batch_id)
