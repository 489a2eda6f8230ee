"""Celery tasks for the API's webhook outbox: thin, idempotent wrappers over services, taking primary keys."""

from celery import shared_task

from . import services


@shared_task(name="api.deliver_webhook", acks_late=True)
def deliver_webhook(delivery_id: int) -> str:
    """One attempt of one delivery, if it is still pending and due (a no-op otherwise)."""
    return services.webhook_deliver(delivery_id=delivery_id)


@shared_task(name="api.deliver_due_webhooks")
def deliver_due_webhooks() -> int:
    """Beat sweep (every minute): retry pending deliveries whose back-off has elapsed."""
    return services.webhook_deliver_due()
