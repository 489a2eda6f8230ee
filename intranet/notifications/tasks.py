from celery import shared_task

from . import services


@shared_task(name="notifications.deliver_outbox_email", acks_late=True)
def deliver_outbox_email(outbox_id: int) -> bool:
    return services.deliver_outbox_email(outbox_id)


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox() -> int:
    """Periodic safety net: deliver every pending e-mail that is due (missed enqueue, broker outage, retry)."""
    sent = 0
    for pk in services.due_outbox_ids():
        sent += bool(services.deliver_outbox_email(pk))
    return sent
