"""Celery tasks for leave: thin, idempotent wrappers over services, taking primary keys."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task(name="leave.generate_letter", acks_late=True)
def generate_letter(request_id: int) -> str:
    """Render the Surat Izin Cuti of an approved request (no-op when it exists or the request is not approved)."""
    letter = services.letter_generate(request_id=request_id)
    return letter.number if letter else ""


@shared_task(name="leave.allocate_year")
def allocate_year(year: int | None = None) -> dict:
    """The year-end job (beat: 1 January, 00:30 Asia/Jakarta): close last year (carry-over, expiry) now that it has
    ended, allocate this year, re-check this year's pending requests. Idempotent."""
    from . import yearend

    year = year or timezone.localdate().year
    summary = yearend.year_end(year=year)
    return {k: v for k, v in vars(summary).items()}


@shared_task(name="leave.send_reminders")
def send_reminders() -> int:
    """Remind approvers of requests idle for N working days (beat: working days, 07:00)."""
    return services.send_reminders(today=timezone.localdate())


@shared_task(name="leave.seed_calendar")
def seed_calendar(year: int | None = None) -> int:
    from .workdays import seed_calendar as _seed

    year = year or (timezone.localdate() + dt.timedelta(days=60)).year
    return _seed(year).pk
