from celery import shared_task

from . import services


@shared_task(name="notifications.deliver_outbox_email", acks_late=True)
def deliver_outbox_email(outbox_id: int) -> bool:
    return services.deliver_outbox_email(outbox_id)


@shared_task(name="notifications.deliver_outbox_emails", acks_late=True)
def deliver_outbox_emails(outbox_ids: list[int]) -> int:
    """The e-mails of one event, each sent (at most once) in a transaction of its own: how many were sent."""
    return sum(bool(services.deliver_outbox_email(pk)) for pk in outbox_ids)


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox() -> int:
    """Periodic safety net: deliver every pending e-mail that is due (missed enqueue, broker outage, retry)."""
    sent = 0
    for pk in services.due_outbox_ids():
        sent += bool(services.deliver_outbox_email(pk))
    return sent
