"""Webhook events from the leave app without touching it: a leave request saved as approved or cancelled emits
leave.approved / leave.cancelled. The event id is derived from (event, request), so saving the same request again
(reminders, letters) never emits twice; an explicit `leave_webhook_emit` call in hr.leave.services would be
de-duplicated the same way."""

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from hr.leave.models import LeaveRequest

from .models import WebhookEventName
from .services import leave_webhook_emit

logger = logging.getLogger("serambi.api")

EVENTS = {
    LeaveRequest.Status.APPROVED: WebhookEventName.LEAVE_APPROVED,
    LeaveRequest.Status.CANCELLED: WebhookEventName.LEAVE_CANCELLED,
}


@receiver(post_save, sender=LeaveRequest, dispatch_uid="api.leave_request_saved")
def leave_request_saved(sender, instance: LeaveRequest, created: bool, raw: bool = False, **kwargs):
    event = EVENTS.get(instance.status)
    if raw or event is None:
        return
    try:
        with transaction.atomic():  # a savepoint: a webhook problem never breaks the leave decision
            leave_webhook_emit(event=event, leave_request=instance)
    except Exception:
        logger.exception("could not record webhook event %s for leave request %s", event, instance.pk)
