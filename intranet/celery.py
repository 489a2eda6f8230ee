"""Celery application. JSON only, late acks, time limits (settings.CELERY_*). Apps add beat entries through
`BEAT_SCHEDULE` below so the schedule is in one readable place."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "intranet.settings")

app = Celery("serambi")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

BEAT_SCHEDULE = {
    "notifications-sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": 60.0},
    "wagtail-publish-scheduled": {"task": "core.publish_scheduled", "schedule": crontab(minute="*")},
}
app.conf.beat_schedule = BEAT_SCHEDULE
