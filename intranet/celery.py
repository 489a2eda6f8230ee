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
    "accounts-ldap-sync": {"task": "accounts.ldap_sync", "schedule": max(float(os.environ.get("LDAP_SYNC_INTERVAL") or 3600), 60.0)},
    "accounts-ldap-sync-verify": {"task": "accounts.ldap_sync", "kwargs": {"verify": True}, "schedule": crontab(hour=1, minute=15)},
    "notifications-sweep-outbox": {"task": "notifications.sweep_outbox", "schedule": 60.0},
    "issued-sweep": {"task": "issued.sweep", "schedule": 60.0},
    "payslips-sweep-stalled": {"task": "payslips.sweep_stalled", "schedule": 60.0},
    "wagtail-publish-scheduled": {"task": "core.publish_scheduled", "schedule": crontab(minute="*")},
    "training-send-reminders": {"task": "training.send_reminders", "schedule": crontab(hour=7, minute=0)},
    "cms-review-reminders": {"task": "cms.review_reminders", "schedule": crontab(hour=7, minute=15)},
    "documents-revoke-expired-grants": {"task": "documents.revoke_expired_grants", "schedule": crontab(minute="*/5")},
    "leave-allocate-year": {"task": "leave.allocate_year", "schedule": crontab(month_of_year=1, day_of_month=1, hour=0, minute=30)},
    "leave-send-reminders": {"task": "leave.send_reminders", "schedule": crontab(hour=7, minute=30, day_of_week="mon-fri")},
    "leave-seed-calendar": {"task": "leave.seed_calendar", "schedule": crontab(month_of_year=11, day_of_month=1, hour=1, minute=0)},
    "api-deliver-due-webhooks": {"task": "api.deliver_due_webhooks", "schedule": 60.0},
    "audit-prune": {"task": "audit.prune", "schedule": crontab(hour=2, minute=45)},
    "audit-checkpoint": {"task": "audit.checkpoint", "schedule": float(os.environ.get("AUDIT_CHECKPOINT_INTERVAL") or 300)},
}
app.conf.beat_schedule = BEAT_SCHEDULE
