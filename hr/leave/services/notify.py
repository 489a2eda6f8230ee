"""Notices about a leave request to the people who must act or know, and reminders of idle requests."""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hr.org.models import Employee
from intranet.notifications.services import Notice, notify_many

from .. import units, workdays
from ..models import (
    LeaveRequest,
)
from .authority import current_authority
from .common import Status, setting


def notify_about(employee: Employee | None, kind: str, title: str, body: str, req: LeaveRequest) -> None:
    notify_all_about(req, (employee, kind, title), body=body)


def notify_all_about(req: LeaveRequest, *events: tuple[Employee | None, str, str], body: str | None = None) -> None:
    """Notify each (employee, kind, title) about `req` (those without an employee or account are skipped), in one
    batch: `notify_many`."""
    url = reverse("leave:detail", args=[req.pk])
    text = describe(req) if body is None else body
    notices = [Notice(e.user, kind, title, body=text, url=url) for e, kind, title in events if e and e.user_id]
    if notices:
        notify_many(notices)


def describe(req: LeaveRequest) -> str:
    return _("%(type)s for %(name)s, %(start)s to %(end)s (%(days)s).") % {
        "type": req.leave_type.name,
        "name": req.employee.full_name,
        "start": req.start_date.strftime("%d-%m-%Y"),
        "end": req.end_date.strftime("%d-%m-%Y"),
        "days": units.counted(req.days, req.leave_type.unit),
    }


def notify_next_actor(req: LeaveRequest, on_date: dt.date) -> None:
    _stage, authority = current_authority(req, on_date)
    if authority is not None:
        notify_about(
            authority.employee, "leave.action_needed", _("A leave request needs your action"), describe(req), req
        )


def _working_days_between(start: dt.date, end: dt.date) -> int:
    if end <= start:
        return 0
    return workdays.working_days(start + dt.timedelta(days=1), end)[0]


def send_reminders(*, today: dt.date | None = None) -> int:
    """Remind the next actor of requests idle for SERAMBI_LEAVE_REMINDER_WORKING_DAYS working days (once per period)."""
    today = today or timezone.localdate()
    threshold = setting("SERAMBI_LEAVE_REMINDER_WORKING_DAYS", 3)
    sent = 0
    pending = LeaveRequest.objects.filter(
        status__in=[Status.AWAITING_SUPERIOR, Status.AWAITING_OFFICIAL]
    ).select_related("employee", "employee__unit", "leave_type", "official_position")
    for req in pending.iterator(chunk_size=500):
        since = timezone.localtime(req.reminded_at or req.last_action_at or req.created_at).date()
        if _working_days_between(since, today) < threshold:
            continue
        with transaction.atomic():
            _stage, authority = current_authority(req, today)
            if authority is None:
                continue
            notify_about(
                authority.employee,
                "leave.reminder",
                _("Reminder: a leave request awaits your action"),
                describe(req),
                req,
            )
            stamp = timezone.make_aware(dt.datetime.combine(today, dt.time(12)))
            LeaveRequest.objects.filter(pk=req.pk).update(reminded_at=stamp)
            sent += 1
    return sent
